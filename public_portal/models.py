import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from oversight.models import Agency, TimeStampedModel, history
from oversight.storage import NamedStorage

staging_storage = NamedStorage("staging")


def _expiry():
    return timezone.now() + timedelta(hours=settings.INTAKE_DRAFT_HOURS)


def _staging_storage():
    return staging_storage


def _token() -> str:
    return uuid.uuid4().hex


class IntakeDraft(models.Model):
    """A complaint being filled in, kept server-side so a refresh or the back button loses nothing.

    ``data`` holds each step's raw input; every step is validated again before submission. The
    token is the idempotency key of the submission. Drafts expire; a submitted draft keeps only its
    link to the complaint.
    """

    class Mode(models.TextChoices):
        PUBLIC = "public", _("Public form")
        STAFF = "staff", _("Staff entry")
        # Police employees' reports (whistleblower channel): the public form with a step about the
        # employee's work and safety (docs/whistleblower.md).
        EMPLOYEE = "employee", _("Police employee's report")

    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.PUBLIC)
    language = models.CharField(max_length=10, default="en")
    data = models.JSONField(default=dict, blank=True)
    status_code = models.CharField(max_length=16, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(default=_expiry, db_index=True)

    class Meta:
        verbose_name = _("intake draft")
        verbose_name_plural = _("intake drafts")

    def __str__(self) -> str:
        return f"draft {self.token[:8]}"

    @property
    def submitted(self) -> bool:
        return self.complaint_id is not None


def _staged_key(instance: "DraftFile", filename: str) -> str:
    return f"{instance.draft.token}/{uuid.uuid4().hex}"


class DraftFile(models.Model):
    """An evidence file uploaded during the form, held in staging until the complaint is filed."""

    draft = models.ForeignKey(IntakeDraft, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_staged_key, storage=_staging_storage, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


# --- Policy recommendations ---------------------------------------------------------------------------


class PolicyRecommendation(TimeStampedModel):
    """A recommendation the board adopted and sent to the police department, or one it proposed and
    has not adopted yet (``stage``), which residents may comment on (``public_portal.comments``).

    Public in full: the text, the themes and how many cases lay behind it, never which cases (no
    tracking numbers, no people). Its status is the latest ``RecommendationStatusUpdate``; a
    proposed recommendation has none until it is adopted.
    """

    class Stage(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ADOPTED = "adopted", _("Adopted")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("recommendation"))
    # Only the recommendation services move a proposal to adopted.
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.ADOPTED, editable=False)
    proposed_on = models.DateField(_("proposed on"), null=True, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    themes = models.CharField(_("themes"), max_length=300, blank=True)
    related_cases = models.PositiveIntegerField(_("number of related cases"), default=0)
    department = models.ForeignKey(
        Agency,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy_recommendations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = history()

    class Meta:
        verbose_name = _("policy recommendation")
        verbose_name_plural = _("policy recommendations")
        ordering = ["-adopted_on", "-id"]
        indexes = [models.Index(fields=["-adopted_on", "-id"], name="policyrec_adopted_idx")]
        constraints = [
            # An adopted recommendation has its adoption date; a proposed one its proposal date.
            models.CheckConstraint(
                condition=(models.Q(stage="adopted", adopted_on__isnull=False))
                | models.Q(stage="proposed", adopted_on__isnull=True, proposed_on__isnull=False),
                name="policyrec_stage_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class RecommendationStatusUpdate(models.Model):
    """The department's response and the state of implementation on one date, in public words."""

    class Response(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting response")
        ACCEPTED = "accepted", _("Accepted")
        PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
        REJECTED = "rejected", _("Rejected")

    class Implementation(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        IMPLEMENTED = "implemented", _("Implemented")
        NOT_IMPLEMENTED = "not_implemented", _("Not implemented")

    recommendation = models.ForeignKey(
        PolicyRecommendation,
        verbose_name=_("recommendation"),
        on_delete=models.PROTECT,
        related_name="status_updates",
    )
    recorded_on = models.DateField(_("date"))
    department_response = models.CharField(_("department's response"), max_length=16, choices=Response.choices)
    implementation = models.CharField(_("implementation"), max_length=16, choices=Implementation.choices)
    note = models.TextField(_("public note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    history = history()

    class Meta:
        verbose_name = _("recommendation status update")
        verbose_name_plural = _("recommendation status updates")
        ordering = ["recommendation", "-recorded_on", "-id"]
        indexes = [models.Index(fields=["recommendation", "-recorded_on", "-id"], name="policyrec_update_latest_idx")]

    def __str__(self) -> str:
        return f"{self.recommendation.number} {self.recorded_on:%Y-%m-%d}"
