"""Quarterly and annual public reports.

A ``PublicReport`` is one generated PDF for one period (a quarter or a year), in one language. Its
status moves only through ``workflow.REPORT_LIFECYCLE``: generating → draft → approved → published,
a draft (or a report whose generation failed) may be discarded, a published one retracted with a
reason. Generating again for the same period makes a new report; at most one report of a period is
published at a time, and it is the one ``/reports/<slug>.pdf`` serves.

The PDF lives in private storage, under a random name, with its SHA-256; it leaves only through the
views (published reports to everyone, drafts to the publishers).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oversight.models import TimeStampedModel, history
from oversight.storage import private_storage


def report_key(instance: "PublicReport", filename: str) -> str:
    key = uuid.uuid4().hex
    return f"public_reports/{key[:2]}/{key}.pdf"


def _storage():
    return private_storage


class PublicReport(TimeStampedModel):
    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly report")
        ANNUAL = "annual", _("Annual report")

    class Status(models.TextChoices):
        GENERATING = "generating", _("Being generated")
        FAILED = "failed", _("Generation failed")
        DRAFT = "draft", pgettext_lazy("public report", "Draft")
        APPROVED = "approved", pgettext_lazy("public report", "Approved")
        PUBLISHED = "published", pgettext_lazy("public report", "Published")
        DISCARDED = "discarded", pgettext_lazy("public report", "Discarded")
        RETRACTED = "retracted", pgettext_lazy("public report", "Retracted")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True, editable=False)
    period_start = models.DateField(_("period start"), editable=False)
    period_end = models.DateField(_("period end"), editable=False)
    # The public address: "2026-annual", "2026-q3". Shared by every report of the period.
    slug = models.SlugField(_("address"), max_length=20, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=200, editable=False)
    # The language the PDF is written in, chosen when it is generated.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en", editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.GENERATING, editable=False, db_index=True
    )

    # The board's own words, printed as written, in one language (marked with it wherever shown).
    narrative = models.TextField(_("board's narrative"), blank=True, editable=False)
    narrative_language = models.CharField(
        _("language of the narrative"), max_length=8, choices=settings.LANGUAGES, default="en", editable=False
    )

    file = models.FileField(
        _("file"), upload_to=report_key, storage=_storage, max_length=200, blank=True, editable=False
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True, editable=False)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True, editable=False)
    data_as_of = models.DateTimeField(_("data as of"), null=True, blank=True, editable=False)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True, editable=False)
    # Why the last generation failed, in plain words for the staff (never shown to the public).
    failure = models.CharField(_("problem"), max_length=300, blank=True, editable=False)

    # Who asked for the PDF to be (re)built: the generation task acts for them.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    requested_by_name = models.CharField(max_length=150, blank=True, editable=False)
    # Everyone who generated it or changed its narrative: under the two-person rule none of them approves it.
    authors = models.JSONField(default=list, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    approved_by_name = models.CharField(max_length=150, blank=True, editable=False)
    approved_at = models.DateTimeField(
        pgettext_lazy("public report", "approved"), null=True, blank=True, editable=False
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    published_by_name = models.CharField(max_length=150, blank=True, editable=False)
    published_at = models.DateTimeField(
        pgettext_lazy("public report", "published"), null=True, blank=True, editable=False, db_index=True
    )
    ended_at = models.DateTimeField(_("discarded or retracted"), null=True, blank=True, editable=False)
    # Why it was retracted (staff only).
    end_reason = models.TextField(_("reason"), blank=True, editable=False)

    history = history()

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        ordering = ["-period_end", "kind", "-id"]
        permissions = [
            ("generate_publicreport", "Can generate public reports and write their narrative"),
            ("approve_publicreport", "Can approve public reports"),
            ("publish_publicreport", "Can publish, retract and discard public reports"),
        ]
        constraints = [
            # One published report per period: the one its public address serves.
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(status="published"), name="public_report_one_published"
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="annual", quarter__isnull=True))
                | (models.Q(kind="quarterly", quarter__gte=1, quarter__lte=4)),
                name="public_report_quarter_matches_kind",
            ),
        ]
        indexes = [
            # The public list: published reports, newest period first.
            models.Index(
                fields=["-period_end", "kind"], condition=models.Q(status="published"), name="public_report_list_idx"
            ),
            models.Index(fields=["kind", "period_start"], name="public_report_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.slug} #{self.pk}"

    @property
    def filename(self) -> str:
        return f"{settings.OVERSIGHT_BODY_SHORT_NAME.lower()}-report-{self.slug}.pdf"

    @property
    def has_file(self) -> bool:
        return bool(self.file and self.file.name)


class PublicReportEvent(models.Model):
    """One status move of a report: its lifecycle's history row, shown on the staff page."""

    report = models.ForeignKey(PublicReport, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=12, choices=PublicReport.Status.choices)
    to_status = models.CharField(max_length=12, choices=PublicReport.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("public report event")
        verbose_name_plural = _("public report events")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status} → {self.to_status}"
