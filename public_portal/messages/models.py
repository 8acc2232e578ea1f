"""Messages between the case's staff and the complainant, and the files a complainant sends with a
reply.

A message is written once and never edited: the only fields that change after it is stored are
whether (and when, and by which staff member) it was read. Messages are part of the case record,
shown on the case's Messages tab and on the complainant's status page, and nowhere public.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from oversight.models import TimeStampedModel
from oversight.scanning import SCAN_DUE, ScannedFile
from oversight.storage import private_storage

# Longest message either side may write: room for a detailed answer, never a whole file pasted in.
BODY_MAX_LENGTH = 10_000


class Message(models.Model):
    class Direction(models.TextChoices):
        TO_COMPLAINANT = "to_complainant", _("To the complainant")
        FROM_COMPLAINANT = "from_complainant", _("From the complainant")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="case_messages"
    )
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices, editable=False)
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH, editable=False)
    # The staff member who wrote a message to the complainant, and their name as it was then. A
    # complainant's reply has neither: it comes from the public status page.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    author_name = models.CharField(_("written by (name)"), max_length=150, blank=True, editable=False)
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        editable=False,
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    # A message to the complainant is read when their status page shows it; a reply is read when
    # a staff member who may work the case opens the Messages tab.
    read_at = models.DateTimeField(_("read"), null=True, blank=True, editable=False)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    read_by_name = models.CharField(_("read by (name)"), max_length=150, blank=True, editable=False)
    # The form's token: a message sent twice (a double click, a retry) is stored once.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("message with the complainant")
        verbose_name_plural = _("messages with the complainant")
        ordering = ["complaint", "created_at", "id"]
        indexes = [
            models.Index(fields=["complaint", "created_at"], name="case_message_thread_idx"),
            # The dashboard's question: which replies has nobody read yet.
            models.Index(
                fields=["complaint"],
                name="case_message_unread_reply_idx",
                condition=models.Q(direction="from_complainant", read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.pk}"

    @property
    def from_complainant(self) -> bool:
        return self.direction == self.Direction.FROM_COMPLAINANT


def message_file_key(instance: "MessageAttachment", filename: str) -> str:
    # The stored name is random: nothing a resident typed reaches the file system.
    key = uuid.uuid4().hex
    return f"messages/{key[:2]}/{key[2:4]}/{key}"


def _private_storage():
    return private_storage


class MessageAttachment(TimeStampedModel, ScannedFile):
    """A file a complainant sent with a reply. Checked as the intake form checks files, and kept in
    quarantine until the virus scanner has seen it."""

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.PROTECT, related_name="attachments"
    )
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="message_attachments"
    )
    file = models.FileField(
        _("file"), upload_to=message_file_key, storage=_private_storage, max_length=200, editable=False
    )
    original_name = models.CharField(_("original name"), max_length=255, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False, db_index=True)

    class Meta:
        verbose_name = _("file sent with a message")
        verbose_name_plural = _("files sent with messages")
        ordering = ["message", "id"]
        indexes = [models.Index(fields=["scan_state"], name="message_file_scan_due", condition=SCAN_DUE)]

    def __str__(self) -> str:
        return self.original_name

    @property
    def scan_number(self) -> str:
        return str(self.pk)

    def scan_reference(self) -> str:
        return f"message file {self.scan_number}"
