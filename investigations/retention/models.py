from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from oversight.models import TimeStampedModel, history


class Schedule(models.TextChoices):
    """Which retention period applies to a closed case (California Penal Code 832.5 by default)."""

    NOT_SUSTAINED = "not_sustained", _("Not sustained")
    SUSTAINED = "sustained", _("Sustained")


class LegalHold(TimeStampedModel):
    """An order to keep a case's records whatever the schedule says: litigation, a public records
    request, or another reason. While one is in force the case cannot be destroyed. Placed and
    released by supervisors; a released hold stays on record."""

    class Kind(models.TextChoices):
        LITIGATION = "litigation", _("Litigation")
        RECORDS_REQUEST = "records_request", _("Public records request")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        RELEASED = "released", _("Released")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="legal_holds"
    )
    kind = models.CharField(_("kind of hold"), max_length=20, choices=Kind.choices)
    reference = models.CharField(
        _("reference"),
        max_length=120,
        blank=True,
        help_text=_("A court case number or request number. Do not write a person's name."),
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, editable=False, db_index=True
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    placed_by_name = models.CharField(max_length=150, blank=True, editable=False)
    placed_at = models.DateTimeField(_("placed"), default=timezone.now, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    released_by_name = models.CharField(max_length=150, blank=True, editable=False)
    released_at = models.DateTimeField(_("released"), null=True, blank=True, editable=False)
    release_reason = models.TextField(_("reason for release"), blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-id"]
        permissions = [("manage_legal_holds", "Can place and release legal holds")]
        indexes = [
            # "Is this case held?", asked by the review for every case it lists.
            models.Index(fields=["complaint"], condition=models.Q(status="active"), name="legal_hold_active_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} hold on {self.complaint_id}"


class RetentionRecord(TimeStampedModel):
    """One case's standing under the retention schedule, and its tombstone once destroyed.

    Created when the case first closes, or the first time a hold is placed on it or its destruction
    is asked for: holds and destruction lock this row, so a hold cannot slip in while a destruction
    runs. While the case is closed, ``closed_on`` and ``schedule`` say when it last closed and which
    schedule applies (``closings.py``: written by the complaint lifecycle, cleared on reopening), so
    the due list reads one indexed range instead of working every closed case out. ``status`` moves
    once, from kept to destroyed, through the retention lifecycle (``workflow.py``). What the
    destruction applied (the closing date, the schedule, the due date) stays here with who destroyed
    it, when and why.
    """

    class Status(models.TextChoices):
        KEPT = "kept", _("Kept")
        DESTROYED = "destroyed", _("Destroyed")

    complaint = models.OneToOneField(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="retention_record"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.KEPT, editable=False, db_index=True
    )
    schedule = models.CharField(
        _("schedule applied"), max_length=16, choices=Schedule.choices, blank=True, editable=False
    )
    closed_on = models.DateField(_("closed"), null=True, blank=True, editable=False)
    due_on = models.DateField(_("due for destruction"), null=True, blank=True, editable=False)
    destroyed_at = models.DateTimeField(_("destroyed"), null=True, blank=True, editable=False)
    destroyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    destroyed_by_name = models.CharField(max_length=150, blank=True, editable=False)
    reason = models.TextField(_("reason"), blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = _("retention record")
        verbose_name_plural = _("retention records")
        indexes = [
            # The due list: closed cases still kept, oldest closing first.
            models.Index(
                fields=["closed_on", "complaint"],
                condition=models.Q(status="kept", closed_on__isnull=False),
                name="retention_closed_on_idx",
            )
        ]
        permissions = [
            ("review_retention", "Can see which cases are due under the retention schedule"),
            ("destroy_case_records", "Can destroy a case's records under the retention schedule"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.status}"

    @property
    def is_destroyed(self) -> bool:
        return self.status == self.Status.DESTROYED


class RetentionReview(models.Model):
    """One run of the periodic review: what was due on which day, and how many cases had become
    due since the run before (those are the ones supervisors are told about)."""

    ran_at = models.DateTimeField(default=timezone.now, editable=False)
    as_of = models.DateField(editable=False, db_index=True)
    due = models.PositiveIntegerField(default=0, editable=False)
    newly_due = models.PositiveIntegerField(default=0, editable=False)
    held = models.PositiveIntegerField(default=0, editable=False)
    notified = models.PositiveIntegerField(default=0, editable=False)
    # Empty for the scheduled job; the account that ran it otherwise.
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("retention review")
        verbose_name_plural = _("retention reviews")
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"{self.as_of}: {self.due} due"
