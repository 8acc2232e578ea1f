"""What an import leaves behind besides the case records: each run, each imported case with its
source id and fingerprint, and the source file and line of every record written."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint


class ImportRun(models.Model):
    """One ``import_cases`` run that wrote (or tried to write) records."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    system = models.CharField(_("source system"), max_length=64)
    mapping_name = models.CharField(_("mapping file"), max_length=255)
    mapping_sha256 = models.CharField(_("mapping SHA-256"), max_length=64)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    # Counts only (cases created, updated, unchanged, allegations, parties, batches): never source data.
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-id"]
        permissions = [("import_cases", "Can import historical cases from another system")]

    def __str__(self) -> str:
        return f"{self.system} {self.started_at:%Y-%m-%d %H:%M}"


class ImportedCase(models.Model):
    """A complaint brought in from another system, keyed by that system's case id.

    ``fingerprint`` is a hash of everything the mapping read for the case (all its rows, in the
    mapped form): a re-run that reads the same finds the same fingerprint and changes nothing."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="imported")
    system = models.CharField(_("source system"), max_length=64)
    source_id = models.CharField(_("source case id"), max_length=128)
    source_file = models.CharField(_("source file"), max_length=255)
    source_line = models.PositiveIntegerField(_("source line"))
    fingerprint = models.CharField(max_length=64)
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="cases")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("imported case")
        verbose_name_plural = _("imported cases")
        constraints = [models.UniqueConstraint(fields=["system", "source_id"], name="imported_case_unique_source")]

    def __str__(self) -> str:
        return f"{self.system}:{self.source_id}"


class SourceRecord(models.Model):
    """The source file and line of one record an import wrote (a complaint, subject officer,
    allegation or party): where to look in the export when a record is questioned."""

    case = models.ForeignKey(ImportedCase, on_delete=models.CASCADE, related_name="records")
    model = models.CharField(max_length=64)  # "complaints.allegation"
    object_id = models.BigIntegerField()
    source_file = models.CharField(max_length=255)
    source_line = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        indexes = [models.Index(fields=["model", "object_id"], name="source_record_object_idx")]

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id} ← {self.source_file}:{self.source_line}"
