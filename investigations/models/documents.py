import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from oversight.storage import private_storage


def document_key(instance: "GeneratedDocument", filename: str) -> str:
    key = uuid.uuid4().hex
    return f"documents/{key[:2]}/{key}"


def _storage():
    return private_storage


class GeneratedDocument(models.Model):
    """A PDF built in the background (a board packet for a large case), kept in private storage
    until it is downloaded through a view that checks access and audits the download."""

    class Kind(models.TextChoices):
        BOARD_PACKET = "board_packet", _("Board packet")

    kind = models.CharField(max_length=24, choices=Kind.choices)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="generated_documents")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    file = models.FileField(upload_to=document_key, storage=_storage, max_length=200, blank=True, editable=False)
    ready_at = models.DateTimeField(null=True, blank=True, editable=False)
    failed = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.complaint_id} {self.requested_at:%Y-%m-%d %H:%M}"
