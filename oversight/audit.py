"""The audit trail: registered action codes, recording events, and verifying the hash chain.

Every code a service may record is registered here, once, with the label people read in the audit
log. Recording an unregistered code is a programming error and raises.
"""

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import context
from .models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
Outcome = AuditEvent.Outcome

ACTIONS: dict[str, Any] = {
    # Accounts and roles
    "auth.login": _("Signed in"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.logout": _("Signed out"),
    "roles.setup": _("Roles set up"),
    "user.created": _("User account created"),
    "user.changed": _("User account changed"),
    "user.roles_changed": _("User roles changed"),
    "permission.granted": _("Access granted"),
    "permission.revoked": _("Access revoked"),
    # Roster and taxonomy
    "roster.imported": _("Officer roster imported"),
    # Complaints
    "complaint.created": _("Complaint created"),
    "complaint.submitted": _("Complaint submitted"),
    "complaint.viewed": _("Complaint viewed"),
    "complaint.access_denied": _("Complaint access denied"),
    "attachment.stored": _("Attachment stored"),
    "intake.spam_blocked": _("Automated submission blocked"),
    "status.looked_up": _("Status looked up"),
    "receipt.downloaded": _("Receipt downloaded"),
    # Case work
    "case.transitioned": _("Case status changed"),
    "case.assigned": _("Investigator assigned"),
    "case.unassigned": _("Investigator unassigned"),
    "evidence.received": _("Evidence received"),
    "evidence.accessed": _("Evidence accessed"),
    "evidence.custody": _("Evidence custody recorded"),
    "note.added": _("Case note added"),
    "interview.recorded": _("Interview recorded"),
    "subpoena.created": _("Subpoena drafted"),
    "subpoena.transitioned": _("Subpoena status changed"),
    "finding.submitted": _("Findings submitted"),
    "tolling.added": _("Tolling period recorded"),
    "tolling.ended": _("Tolling period ended"),
    "deadline.reminded": _("Deadline reminder sent"),
    "investigation.updated": _("Investigation details changed"),
    "finding.proposed": _("Finding proposed"),
    "finding.adopted": _("Finding adopted"),
    "ratelimit.refused": _("Too many attempts refused"),
    # Board review
    "board.referred": _("Case referred to the board"),
    "board.recused": _("Board member recused"),
    "board.voted": _("Board vote recorded"),
    "board.decided": _("Board decision recorded"),
    "board.packet_downloaded": _("Board packet downloaded"),
    "department.responded": _("Department response recorded"),
    # Housekeeping
    "demo.seeded": _("Demo data loaded"),
}


class UnregisteredAction(LookupError):
    pass


# --- Refusals that outlive the transaction that refused them ---------------------------------------
#
# A refused write rolls back, and an audit event written inside the refused transaction rolls back
# with it. Services open their transactions with ``service_atomic()``; a refusal recorded with
# ``record_refusal()`` inside one is held until the outermost of them has ended (committed or
# rolled back), then written in a transaction of its own. Outside any, it is written at once.

_refusals = threading.local()


@contextmanager
def service_atomic() -> Iterator[None]:
    """``transaction.atomic()`` for a service: refusals recorded inside it are kept even when the
    outermost service transaction rolls back."""
    depth = getattr(_refusals, "depth", 0)
    if depth == 0:
        _refusals.pending = []
    _refusals.depth = depth + 1
    try:
        with transaction.atomic():
            yield
    finally:
        _refusals.depth = depth
        if depth == 0:
            pending, _refusals.pending = _refusals.pending, []
            for args, kwargs in pending:
                record(*args, **kwargs)


def record_refusal(action: str, **kwargs: Any) -> None:
    """Record a refused attempt (``outcome`` defaults to denied) so that it survives the rollback
    of the refused work, however deeply the refusing service is nested."""
    if action not in ACTIONS:
        raise UnregisteredAction(f"Audit action {action!r} is not registered in oversight.audit.ACTIONS")
    kwargs.setdefault("outcome", Outcome.DENIED)
    if kwargs.get("actor") is None:
        kwargs["actor"] = context.current().user
    if getattr(_refusals, "depth", 0) > 0:
        _refusals.pending.append(((action,), kwargs))
    else:
        record(action, **kwargs)


def label_for(action: str) -> str:
    return str(ACTIONS.get(action, action))


def _canonical(event: AuditEvent) -> bytes:
    # The actor link is left out on purpose: deleting a user sets it to NULL (the row keeps the
    # username snapshot, which is hashed), and that must not read as tampering.
    occurred = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    content = {
        "occurred_at": occurred,
        "actor_username": event.actor_username,
        "ip": event.ip,
        "request_id": event.request_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "outcome": event.outcome,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    # What the database gives back must hash the same as what we hashed: round-trip through JSON.
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def _target_fields(target: models.Model | None, label: str | None) -> tuple[str, str, str]:
    if target is None:
        return "", "", label or ""
    meta = target._meta
    return meta.label_lower, str(target.pk), (label if label is not None else str(target))[:255]


def record(
    action: str,
    *,
    target: models.Model | None = None,
    target_label: str | None = None,
    outcome: str = Outcome.SUCCESS,
    data: dict[str, Any] | None = None,
    actor: Any = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    The actor, IP and request id default to the current request context. The target's label is a
    snapshot (its ``str()`` unless given): never pass personal data of complainants or witnesses
    in the label or ``data``.
    """
    if action not in ACTIONS:
        raise UnregisteredAction(f"Audit action {action!r} is not registered in oversight.audit.ACTIONS")
    if outcome not in Outcome.values:
        raise ValueError(f"Unknown audit outcome {outcome!r}")
    # Every write records an event: what the request remembered may no longer hold.
    context.forget_remembered()
    ctx = context.current()
    if actor is None:
        actor = ctx.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    target_type, target_id, label = _target_fields(target, target_label)
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH}
        )
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor,
            actor_username=actor.get_username() if actor is not None else "",
            ip=ip or ctx.ip,
            request_id=ctx.request_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=label,
            outcome=outcome,
            data=_normalise(data),
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(event)
        event.save()
        head.last_event_id = event.pk
        head.last_hash = event.hash
        head.save(update_fields=["last_event_id", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str


def verify_chain(*, chunk_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the chain oldest first; return how many events were checked and the first break."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = None
    for event in _events_in_order(chunk_size):
        if event.prev_hash != expected_prev:
            return checked, ChainBreak(
                event.pk,
                "its previous-hash does not match the event before it (a row was removed or altered)",
            )
        if compute_hash(event) != event.hash:
            return checked, ChainBreak(event.pk, "its content does not match its hash (the row was altered)")
        expected_prev = event.hash
        last_id = event.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != expected_prev or head.last_event_id != last_id):
        return checked, ChainBreak(
            head.last_event_id, "the chain ends early: events after the last intact one are missing"
        )
    if head is None and checked:
        return checked, ChainBreak(None, "the chain head is missing")
    return checked, None


def _events_in_order(chunk_size: int) -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size)
