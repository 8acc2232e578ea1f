"""Evidence items and their chain of custody.

A file's SHA-256 is taken once, when it is received, and never changes: nothing here (and no form
or admin) writes ``sha256`` or ``file`` after that. Every download appends an ACCESSED custody
event; copies, transfers, returns and destruction are recorded with ``custody_record``. Custody
events are append-only (the model refuses updates and deletes).

A file is downloadable only once the virus scan has found it clean, or when no scanner is
configured ("not scanned"); a pending, failed or infected scan keeps it in quarantine.
"""

from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import uploads
from complaints.models import Complaint
from complaints.selectors import complaint_visible_to
from complaints.services import safe_display_name
from oversight import audit, scanning
from oversight.storage import files_removed_on_failure, note_written

from ..models import CustodyEvent, EvidenceItem
from ..selectors import can_work

_KIND_FOR_TYPE = {"image": EvidenceItem.Kind.PHOTO, "video": EvidenceItem.Kind.VIDEO, "audio": EvidenceItem.Kind.AUDIO}


def next_evidence_number(complaint: Complaint) -> int:
    # Called under the complaint's row lock (transition) or inside evidence_add's transaction.
    return (EvidenceItem.objects.filter(complaint=complaint).aggregate(n=Max("number"))["n"] or 0) + 1


def evidence_from_attachments(*, complaint: Complaint, actor: Any) -> list[EvidenceItem]:
    """Turn the resident's uploads into evidence items that point at the same stored file and
    keep its original SHA-256 and its virus scan state; each gets a "received" custody event. A
    file whose scan has no verdict yet is scanned again after commit, so the item gets the verdict
    even if the attachment's scan finished while the item was being created."""
    items = []
    number = next_evidence_number(complaint)
    for attachment in complaint.attachments.filter(evidence_item__isnull=True).order_by("id"):
        item = EvidenceItem.objects.create(
            complaint=complaint,
            number=number,
            kind=_KIND_FOR_TYPE.get(attachment.content_type.split("/")[0], EvidenceItem.Kind.DOCUMENT),
            source=str(complaint.get_channel_display()),
            description=attachment.original_name,
            file=attachment.file.name,
            original_name=attachment.original_name,
            size=attachment.size,
            content_type=attachment.content_type,
            sha256=attachment.sha256,
            received_at=attachment.created_at,
            received_by=actor if getattr(actor, "is_authenticated", False) else None,
            from_attachment=attachment,
            scan_state=attachment.scan_state,
            scan_signature=attachment.scan_signature,
            scanned_at=attachment.scanned_at,
            scan_attempts=attachment.scan_attempts,
        )
        if item.scan_state in {scanning.ScanState.PENDING, scanning.ScanState.ERROR}:
            scanning.scan_queue(item.file.name)
        CustodyEvent.objects.create(
            evidence=item,
            action=CustodyEvent.Action.RECEIVED,
            actor=item.received_by,
            actor_username=actor.get_username() if item.received_by else "",
            note="Submitted by the complainant with the complaint",
        )
        audit.record(
            "evidence.received", target=complaint, actor=actor, data={"item": item.label, "sha256": item.sha256}
        )
        items.append(item)
        number += 1
    return items


# --- Receiving, downloading and custody ------------------------------------------------------------

# Actions a person records by hand. RECEIVED and ACCESSED are written by the system only.
MANUAL_CUSTODY_ACTIONS = (
    CustodyEvent.Action.COPIED,
    CustodyEvent.Action.TRANSFERRED,
    CustodyEvent.Action.RETURNED,
    CustodyEvent.Action.DESTROYED,
)
_COUNTERPARTY_REQUIRED = {CustodyEvent.Action.TRANSFERRED, CustodyEvent.Action.RETURNED}


class EvidenceUnavailable(Exception):
    """The item has no file, or it was recorded as destroyed: there is nothing to hand out."""


class EvidenceQuarantined(Exception):
    """The item's file is in quarantine: its virus scan is pending, failed, or found a virus."""


def evidence_max_bytes() -> int:
    # Staff upload footage far larger than a resident's photo; the request-size limit still applies.
    return settings.EVIDENCE_MAX_BYTES


def _actor_name(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""


def _may_see(user: Any, complaint: Complaint) -> bool:
    return complaint_visible_to(user, complaint)


def is_destroyed(item: EvidenceItem) -> bool:
    annotated = getattr(item, "destroyed", None)
    if annotated is not None:
        return bool(annotated)
    return item.custody_events.filter(action=CustodyEvent.Action.DESTROYED).exists()


def evidence_add(
    *,
    complaint: Complaint,
    actor: Any,
    kind: str,
    source: str,
    description: str,
    stream: IO[bytes] | None = None,
    original_name: str = "",
    received_at: datetime | None = None,
) -> EvidenceItem:
    """Receive an item of evidence into a case, with or without a file.

    Only someone who may work the case may add evidence. A file's type is judged from its bytes
    (never its name) and must be on the upload allow-list, and an image, PDF or text file holding
    web page or script markup is refused; it is hashed (SHA-256) and stored once under a random
    key in private storage, in quarantine until the virus scan queued after commit finds it clean.
    Items are numbered E-001, E-002, ... per case; the complaint row is locked while the number is
    taken so two people adding at once cannot clash.
    A "received" custody event and an ``evidence.received`` audit event are written with it.
    """
    if not can_work(actor, complaint):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if kind not in EvidenceItem.Kind.values:
        errors["kind"] = _("Choose what kind of evidence this is.")
    source = (source or "").strip()
    description = (description or "").strip()
    if not source:
        errors["source"] = _("Say who or where the evidence came from.")
    if not description:
        errors["description"] = _("Describe the evidence.")
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + timedelta(minutes=5):
        errors["received_at"] = _("The date received cannot be in the future.")
    info = None
    if stream is not None:
        name = safe_display_name(original_name)
        info = uploads.inspect(stream)
        if info.size == 0:
            errors["file"] = _("The file %(name)s is empty.") % {"name": name}
        elif info.size > evidence_max_bytes():
            errors["file"] = _("The file %(name)s is too large. The limit is %(limit)d MB.") % {
                "name": name,
                "limit": evidence_max_bytes() // (1024 * 1024),
            }
        elif info.content_type == uploads.MARKUP_TYPE:
            errors["file"] = _(
                "The file %(name)s contains web page or script code (for example hidden after a picture), "
                "so it is not accepted. Save the page as a PDF or a screenshot and add that instead."
            ) % {"name": name}
        elif info.content_type not in uploads.ALLOWED_TYPES:
            errors["file"] = _(
                "The file %(name)s is not a kind the system accepts (its contents look like %(type)s). "
                "Photos, PDFs, audio, video, plain text and office documents are accepted."
            ) % {"name": name, "type": info.content_type}
    if errors:
        raise ValidationError(errors)

    item = EvidenceItem(
        complaint=complaint,
        kind=kind,
        source=source[:200],
        description=description,
        received_at=received_at,
        received_by=actor,
    )
    with files_removed_on_failure():
        if info is not None:
            # Written before the row lock is taken: a large file must not hold up other writers.
            item.original_name = safe_display_name(original_name)
            item.size = info.size
            item.content_type = info.content_type
            item.sha256 = info.sha256
            item.scan_state = scanning.initial_state()
            stream.seek(0)
            item.file.save("evidence", File(stream), save=False)
            note_written(item.file.storage, item.file.name)
        with transaction.atomic():
            Complaint.objects.select_for_update().only("pk").get(pk=complaint.pk)
            item.number = next_evidence_number(complaint)
            item.save()
            CustodyEvent.objects.create(
                evidence=item,
                action=CustodyEvent.Action.RECEIVED,
                actor=actor,
                actor_username=_actor_name(actor),
                occurred_at=timezone.now(),
                counterparty=source[:200],
            )
            # No description, source or file name: they may name complainants or witnesses.
            audit.record(
                "evidence.received",
                target=complaint,
                actor=actor,
                data={
                    "item": item.label,
                    "evidence_id": item.pk,
                    "kind": kind,
                    "sha256": item.sha256,
                    "size": item.size,
                    "content_type": item.content_type,
                    "scan_state": item.scan_state,
                },
            )
            if item.scan_state == scanning.ScanState.PENDING:
                scanning.scan_queue(item.file.name)
    return item


def evidence_download(*, item: EvidenceItem, actor: Any) -> IO[bytes]:
    """Open an item's file for someone who may see the case, appending an ACCESSED custody event
    and an ``evidence.accessed`` audit event every time. Refused for an item with no file or one
    recorded as destroyed, and for a file in quarantine (``EvidenceQuarantined``: the attempt is
    audited as denied). The caller closes the handle (FileResponse does)."""
    if not _may_see(actor, item.complaint):
        raise PermissionDenied
    if not item.file or is_destroyed(item):
        raise EvidenceUnavailable(item.label)
    if not item.downloadable:
        audit.record_refusal(
            "evidence.accessed",
            target=item.complaint,
            actor=actor,
            data={"item": item.label, "evidence_id": item.pk, "scan_state": item.scan_state},
        )
        raise EvidenceQuarantined(item.label)
    handle = item.file.storage.open(item.file.name, "rb")
    try:
        with transaction.atomic():
            CustodyEvent.objects.create(
                evidence=item,
                action=CustodyEvent.Action.ACCESSED,
                actor=actor,
                actor_username=_actor_name(actor),
                occurred_at=timezone.now(),
                note="Downloaded",
            )
            audit.record(
                "evidence.accessed",
                target=item.complaint,
                actor=actor,
                data={"item": item.label, "evidence_id": item.pk, "sha256": item.sha256},
            )
    except BaseException:
        handle.close()
        raise
    return handle


def custody_record(
    *, item: EvidenceItem, actor: Any, action: str, counterparty: str = "", note: str = ""
) -> CustodyEvent:
    """Append a custody event someone records by hand: copied, transferred, returned or destroyed.

    Only someone who may work the case may record custody. A transfer or return names the other
    side; destruction needs a note (how, on whose authority). After destruction nothing more can
    be recorded and the file can no longer be downloaded. Recording destruction does not delete
    the stored file: that follows the retention procedure.
    """
    if not can_work(actor, item.complaint):
        raise PermissionDenied
    counterparty = (counterparty or "").strip()
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if action not in MANUAL_CUSTODY_ACTIONS:
        errors["action"] = _("Choose what happened to the evidence.")
    if action in _COUNTERPARTY_REQUIRED and not counterparty:
        errors["counterparty"] = _("Name the person or place it went to or came from.")
    if action == CustodyEvent.Action.DESTROYED and not note:
        errors["note"] = _("Say how it was destroyed and on whose authority.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The item row lock serialises custody entries, so nothing is recorded after destruction.
        EvidenceItem.objects.select_for_update().only("pk").get(pk=item.pk)
        if CustodyEvent.objects.filter(evidence_id=item.pk, action=CustodyEvent.Action.DESTROYED).exists():
            raise ValidationError(
                _("%(item)s was recorded as destroyed; nothing more can be recorded.") % {"item": item.label}
            )
        event = CustodyEvent.objects.create(
            evidence=item,
            action=action,
            actor=actor,
            actor_username=_actor_name(actor),
            occurred_at=timezone.now(),
            counterparty=counterparty[:200],
            note=note,
        )
        # Counterparty and note stay out of the audit data: they may name people.
        audit.record(
            "evidence.custody",
            target=item.complaint,
            actor=actor,
            data={"item": item.label, "evidence_id": item.pk, "action": action, "custody_event_id": event.pk},
        )
    return event
