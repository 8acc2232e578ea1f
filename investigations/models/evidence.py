import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Attachment, Complaint
from oversight.models import TimeStampedModel, history
from oversight.scanning import SCAN_DUE, ScannedFile, ScanState
from oversight.storage import private_storage


def evidence_key(instance: "EvidenceItem", filename: str) -> str:
    key = uuid.uuid4().hex
    return f"evidence/{key[:2]}/{key[2:4]}/{key}"


def _storage():
    return private_storage


class EvidenceItem(TimeStampedModel, ScannedFile):
    """An item of evidence. Its file's SHA-256 is taken on receipt and never changes; every access,
    copy or transfer appends a CustodyEvent. A file stays in quarantine (``scan_state``) until the
    virus scanner has seen it; an item without a file has no scan state."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio recording")
        BODY_CAMERA = "body_camera", _("Body-worn camera footage")
        PHYSICAL = "physical", _("Physical item")
        DIGITAL = "digital", _("Other digital record")
        OTHER = "other", _("Other")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="evidence")
    number = models.PositiveIntegerField(_("item number"), editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=200, help_text=_("Who or where it came from."))
    description = models.TextField(_("description"))
    file = models.FileField(upload_to=evidence_key, storage=_storage, max_length=200, blank=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False, db_index=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    from_attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence_item", editable=False
    )
    scan_state = models.CharField(
        _("virus scan"), max_length=16, choices=ScanState.choices, default="", blank=True, editable=False
    )
    history = history()

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["complaint", "number"]
        constraints = [models.UniqueConstraint(fields=["complaint", "number"], name="evidence_unique_number")]
        # The retry job's query: the few files still waiting for a verdict.
        indexes = [models.Index(fields=["scan_state"], name="evidence_scan_due", condition=SCAN_DUE)]

    def __str__(self) -> str:
        return f"E-{self.number:03d} {self.description[:60]}"

    @property
    def label(self) -> str:
        return f"E-{self.number:03d}"

    @property
    def scan_number(self) -> str:
        return self.label

    def scan_reference(self) -> str:
        return f"evidence {self.scan_number}"


class CustodyEvent(models.Model):
    """Append-only chain of custody for one evidence item."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACCESSED = "accessed", _("Accessed (downloaded or viewed)")
        COPIED = "copied", _("Copied")
        TRANSFERRED = "transferred", _("Transferred")
        RETURNED = "returned", _("Returned")
        DESTROYED = "destroyed", _("Destroyed")

    evidence = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody_events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    counterparty = models.CharField(_("to or from"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.evidence_id} {self.action} {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Custody events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Custody events are append-only.")
