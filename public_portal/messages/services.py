"""Every write to the messages between a case's staff and its complainant.

Staff write through ``message_send`` (only someone who may work the case); the complainant writes
through ``message_reply``, from the status page they opened with their tracking number and status
code. Both store a message exactly once per form (its token is the idempotency key), keep the text as
plain text, audit who did it without the text, and queue the notices on commit. The complainant's
files are checked as the intake form checks them, stored in quarantine until the virus scan, and
written under one ``files_removed_on_failure()`` guard with the rows: a reply that fails leaves
neither a message nor a file.
"""

import re
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import uploads
from complaints.models import Complaint

# The intake's own file checks, so a file sent with a reply is judged exactly as one filed with
# the complaint (size, type from the bytes, markup).
from complaints.services import _attachment_check, safe_display_name
from oversight import audit, scanning
from oversight.input_guard import has_control_characters, is_storable
from oversight.storage import files_removed_on_failure, note_written
from oversight.tasks import enqueue

from .models import BODY_MAX_LENGTH, Message, MessageAttachment
from .selectors import may_message, messaging_open, thread_has_question

# Files one reply may carry; each within ATTACHMENT_MAX_BYTES, all within INTAKE_MAX_TOTAL_BYTES.
REPLY_MAX_FILES = 5
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def out_of_date() -> str:
    return _("This form is out of date. Check your message and send it again.")


def _body(body: str) -> str:
    """The message as stored: plain text, trimmed; refused when empty, too long or unstorable."""
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": _("Write your message.")})
    if len(text) > BODY_MAX_LENGTH:
        raise ValidationError({"body": _("Keep the message under %(limit)d characters.") % {"limit": BODY_MAX_LENGTH}})
    if not is_storable(text) or has_control_characters(text):
        raise ValidationError({"body": _("The message contains characters we cannot store. Type it again.")})
    return text


def _key(idempotency_key: str) -> str:
    if not isinstance(idempotency_key, str) or not _TOKEN.fullmatch(idempotency_key):
        raise ValidationError(out_of_date())
    return idempotency_key


def _already(key: str, complaint: Complaint, direction: str) -> Message | None:
    """The message this form already stored, if it did. A token used on another case or for the
    other side's message is stale, never a way to that message."""
    existing = Message.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.complaint_id != complaint.pk or existing.direction != direction:
        raise ValidationError(out_of_date())
    return existing


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username())[:150]


# --- Staff to the complainant ----------------------------------------------------------------------


def message_send(*, complaint: Complaint, actor: Any, body: str, idempotency_key: str) -> Message:
    """Send the complainant a message (a question, usually) on their status page.

    Only someone who may work the case sends, and only while the complaint is open. A named
    complainant who left an email is told a message is waiting (never what it says); an anonymous
    one reads it when they next check their status. The same form sent twice stores one message.
    """
    if not may_message(actor, complaint):
        raise PermissionDenied
    key = _key(idempotency_key)
    direction = Message.Direction.TO_COMPLAINANT
    existing = _already(key, complaint, direction)
    if existing is not None:
        return existing
    if not messaging_open(complaint):
        raise ValidationError(_("This complaint is closed, so no new messages can be sent on it."))
    text = _body(body)
    from .tasks import send_message_notice

    try:
        with transaction.atomic():
            message = Message.objects.create(
                complaint=complaint,
                direction=direction,
                body=text,
                author=actor,
                author_name=_person(actor),
                idempotency_key=key,
            )
            audit.record(
                "message.sent",
                target=complaint,
                actor=actor,
                data={"message_id": message.pk, "anonymous": complaint.is_anonymous},
            )
            enqueue(send_message_notice, message.pk)
    except IntegrityError:
        existing = _already(key, complaint, direction)
        if existing is None:
            raise
        return existing
    return message


# --- The complainant's reply ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    stream: IO[bytes]
    name: str
    inspected: uploads.Inspected


def _check_files(files: list[tuple[IO[bytes], str]]) -> list[_Checked]:
    """Sniff, measure and hash every file, refusing the reply's files as the intake refuses them."""
    if len(files) > REPLY_MAX_FILES:
        raise ValidationError(
            {"files": _("You can send up to %(count)d files with one message.") % {"count": REPLY_MAX_FILES}}
        )
    checked, total = [], 0
    errors = []
    for stream, name in files:
        shown = safe_display_name(name)
        try:
            info = _attachment_check(stream, shown)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        total += info.size
        checked.append(_Checked(stream, shown, info))
    if not errors and total > settings.INTAKE_MAX_TOTAL_BYTES:
        errors.append(
            _("All files together can be up to %(limit)d MB.") % {"limit": settings.INTAKE_MAX_TOTAL_BYTES // 2**20}
        )
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _store(file: _Checked) -> MessageAttachment:
    """Write a checked file to private storage (noted for ``files_removed_on_failure()``); the row
    is returned unsaved."""
    row = MessageAttachment(
        original_name=file.name,
        size=file.inspected.size,
        content_type=file.inspected.content_type,
        sha256=file.inspected.sha256,
        scan_state=scanning.initial_state(),
    )
    file.stream.seek(0)
    row.file.save("upload", File(file.stream), save=False)
    note_written(row.file.storage, row.file.name)
    return row


def message_reply(
    *, complaint: Complaint, body: str, files: list[tuple[IO[bytes], str]], idempotency_key: str
) -> Message:
    """Store the complainant's answer, with its files, exactly once.

    The caller has opened ``complaint`` with its tracking number and status code. An answer is
    taken only while the complaint is open and staff have written to the complainant. The text is
    plain text; each file is checked as the intake form checks files (size, type judged from its
    bytes, no markup), and all of them are stored before the one short transaction that inserts
    the message, its files and the audit event. A failure at any point, commit included, leaves
    no row and no file; the same form sent twice (a double click, a retry) returns the first
    answer and keeps nothing of its own. The audit event is the public visitor's: no network
    address, no browser. The case's investigators are told an answer is waiting.
    """
    key = _key(idempotency_key)
    direction = Message.Direction.FROM_COMPLAINANT
    existing = _already(key, complaint, direction)
    if existing is not None:
        return existing
    thread = list(Message.objects.filter(complaint=complaint).only("direction", "id").order_by("created_at", "id"))
    if not messaging_open(complaint) or not thread_has_question(thread):
        raise ValidationError(_("Answers cannot be sent on this complaint now."))
    text = _body(body)
    checked = _check_files(files)
    question = next((m for m in reversed(thread) if not m.from_complainant), None)
    from .tasks import send_reply_notice

    try:
        with files_removed_on_failure():
            stored = [_store(file) for file in checked]
            with transaction.atomic():
                message = Message.objects.create(
                    complaint=complaint, direction=direction, body=text, in_reply_to=question, idempotency_key=key
                )
                for row in stored:
                    row.message = message
                    row.complaint = complaint
                    row.save()
                    if row.scan_state == scanning.ScanState.PENDING:
                        scanning.scan_queue(row.file.name)
                audit.record(
                    "message.replied",
                    target=complaint,
                    data={
                        "message_id": message.pk,
                        "files": [
                            {"sha256": row.sha256, "size": row.size, "content_type": row.content_type} for row in stored
                        ],
                    },
                )
                enqueue(send_reply_notice, message.pk)
    except IntegrityError:
        # The same answer won a race in another request: that one is the answer.
        existing = _already(key, complaint, direction)
        if existing is None:
            raise
        return existing
    return message


# --- Read receipts ---------------------------------------------------------------------------------


def messages_read_by_complainant(*, complaint: Complaint) -> int:
    """Mark the messages to the complainant as read, once their status page has shown them."""
    now = timezone.now()
    with transaction.atomic():
        unread = Message.objects.filter(
            complaint=complaint, direction=Message.Direction.TO_COMPLAINANT, read_at__isnull=True
        )
        count = unread.update(read_at=now)
        if count:
            audit.record("message.read", target=complaint, data={"by": "complainant", "messages": count})
    return count


def messages_read_by_staff(*, complaint: Complaint, actor: Any) -> int:
    """Mark the complainant's replies as read by ``actor``, who opened the case's Messages tab."""
    if not may_message(actor, complaint):
        raise PermissionDenied
    with transaction.atomic():
        unread = Message.objects.filter(
            complaint=complaint, direction=Message.Direction.FROM_COMPLAINANT, read_at__isnull=True
        )
        count = unread.update(read_at=timezone.now(), read_by=actor, read_by_name=_person(actor))
        if count:
            audit.record("message.read", target=complaint, actor=actor, data={"by": "staff", "messages": count})
    return count


# --- Files -----------------------------------------------------------------------------------------


class FileQuarantined(Exception):
    """The file's virus scan is pending, failed or found a virus: it cannot be downloaded."""


def message_file_open(*, file: MessageAttachment, actor: Any) -> IO[bytes]:
    """Open a file a complainant sent, for someone who may work the case, recording who downloaded
    it. A file in quarantine is refused (and the attempt audited). The caller closes the handle."""
    if not may_message(actor, file.complaint):
        raise PermissionDenied
    data = {"file_id": file.pk, "message_id": file.message_id, "sha256": file.sha256}
    if not file.downloadable:
        audit.record_refusal(
            "message.file_downloaded", target=file.complaint, actor=actor, data={**data, "scan_state": file.scan_state}
        )
        raise FileQuarantined(file.pk)
    handle = file.file.storage.open(file.file.name, "rb")
    try:
        audit.record("message.file_downloaded", target=file.complaint, actor=actor, data=data)
    except BaseException:
        handle.close()
        raise
    return handle
