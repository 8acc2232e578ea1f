"""The audit trail: registered action codes, recording events, and verifying the keyed hash chain.

Every code a service may record is registered here, once, with the label people read in the audit
log. Recording an unregistered code is a programming error and raises.
"""

import hashlib
import hmac
import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
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
    "auth.locked_out": _("Account locked after failed sign-ins"),
    "auth.otp_enrolled": _("Second factor enrolled"),
    "auth.otp_verified": _("Second factor verified"),
    "auth.otp_failed": _("Second factor failed"),
    "auth.backup_code_used": _("Backup code used"),
    "auth.backup_codes_issued": _("Backup codes issued"),
    "auth.password_reset_requested": _("Password reset requested"),
    "auth.password_reset": _("Password reset by emailed link"),
    "auth.password_changed": _("Password changed"),
    "auth.session_expired": _("Session ended by the time limits"),
    "auth.sessions_ended": _("Other sessions ended"),
    "user.role_granted": _("Role granted"),
    "user.role_revoked": _("Role revoked"),
    "user.mfa_reset": _("Second factor reset"),
    "user.change_refused": _("Account change refused"),
    "user.supervisor_created": _("Supervisor created on the server"),
    "roles.setup": _("Roles set up"),
    "user.created": _("User account created"),
    "user.changed": _("User account changed"),
    "user.roles_changed": _("User roles changed"),
    "permission.granted": _("Access granted"),
    "permission.revoked": _("Access revoked"),
    # Roster and taxonomy
    "roster.imported": _("Officer roster imported"),
    "import.started": _("Case import started"),
    "import.batch_written": _("Batch of imported cases written"),
    "import.completed": _("Case import completed"),
    "import.failed": _("Case import failed"),
    "import.agency_created": _("Agency created by a case import"),
    "import.districts_created": _("Districts created by a case import"),
    # Complaints
    "complaint.created": _("Complaint created"),
    "complaint.submitted": _("Complaint submitted"),
    "complaint.viewed": _("Complaint viewed"),
    "complaint.access_denied": _("Complaint access denied"),
    "search.staff_searched": _("Cases searched"),
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
    "recommendation.recorded": _("Policy recommendation recorded"),
    "recommendation.updated": _("Policy recommendation status recorded"),
    # Publication of decided cases
    "publication.drafted": _("Publication drafted"),
    "publication.corrected": _("Publication correction drafted"),
    "publication.edited": _("Publication draft edited"),
    "publication.redacted": _("Publication draft redacted by hand"),
    "publication.approved": _("Publication approved"),
    "publication.sent_back": _("Publication sent back to draft"),
    "publication.published": _("Publication published"),
    "publication.superseded": _("Publication superseded by a correction"),
    "publication.retracted": _("Publication retracted"),
    "publication.discarded": _("Publication discarded"),
    "publication.policy_changed": _("Disclosure policy changed"),
    "publication.bulk_published": _("Imported cases published in bulk"),
    "report.requested": _("Public report requested"),
    "report.generated": _("Public report generated"),
    "report.transitioned": _("Public report status changed"),
    "report.downloaded": _("Public report downloaded by staff"),
    "statistics.refreshed": _("Public statistics recomputed"),
    # Records safety: reads of personal data, the audit trail itself, files, retention
    "personal_data.viewed": _("Personal data viewed"),
    "audit_log.viewed": _("Audit log viewed"),
    "audit_log.exported": _("Audit log exported"),
    "audit.checkpoint": _("Audit checkpoint written"),
    "audit.resealed": _("Audit chain re-sealed"),
    "privacy.scrubbed": _("Public visitors' network addresses removed"),
    "file.scanned": _("File scanned"),
    "file.infected": _("Infected file quarantined"),
    "file.swept": _("Orphan file removed"),
    "legal_hold.placed": _("Legal hold placed"),
    "legal_hold.released": _("Legal hold released"),
    "retention.destroyed": _("Case records destroyed under the retention schedule"),
    "retention.backfilled": _("Closing dates stored for cases closed outside the lifecycle"),
    # Early intervention (investigations.early_intervention)
    "early_intervention.rule_created": _("Early-intervention rule created"),
    "early_intervention.rule_changed": _("Early-intervention rule changed"),
    "early_intervention.evaluated": _("Officers evaluated against the early-intervention rules"),
    "early_intervention.flag_moved": _("Early-intervention flag reviewed or closed"),
    "early_intervention.flag_noted": _("Note added to an early-intervention flag"),
    # Management measures (investigations.measures)
    "measures.viewed": _("Management measures viewed"),
    "measures.exported": _("Management measures table downloaded"),
    "measures.recorded": _("Management measures kept for a public report"),
    # Police employees' reports (whistleblower channel)
    "employee_report.submitted": _("Police employee's report submitted"),
    # Messages with complainants (public_portal.messages)
    "message.sent": _("Message sent to the complainant"),
    "message.replied": _("Answer received from the complainant"),
    "message.read": _("Messages read"),
    "message.file_downloaded": _("File sent by the complainant downloaded"),
    # Staff notifications and language preferences
    "user.language_changed": _("Preferred language changed"),
    "board.referral_notified": _("Board members emailed about a referral"),
    # Public meetings (public_portal.meetings)
    "meeting.created": _("Board meeting drafted"),
    "meeting.changed": _("Board meeting's time, place or agenda changed"),
    "meeting.step": _("Board meeting step taken (agenda published, held, minutes approved or published)"),
    "meeting.minutes_written": _("Board meeting minutes written"),
    # Public comments on proposed recommendations (public_portal.comments)
    "recommendation.proposed": _("Policy recommendation proposed"),
    "recommendation.adopted": _("Proposed policy recommendation adopted"),
    "comment.period_opened": _("Comment period opened"),
    "comment.period_closed": _("Comment period closed early"),
    "comment.received": _("Public comment received"),
    "comment.approved": _("Public comment approved"),
    "comment.rejected": _("Public comment rejected"),
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


# --- The chain ------------------------------------------------------------------------------------
#
# Each event's hash is HMAC-SHA256, under ``settings.AUDIT_KEY``, of its canonical content, which
# includes the hash of the event before it. The key is kept outside the database, so whoever can
# write the table but not read the key can neither forge an event nor re-link the chain around a
# change. Events sealed before the key existed (plain SHA-256) were re-sealed under it by migration
# ``oversight.0003``; ``legacy_hash`` is that old scheme, kept for the migration.


def _canonical(event: Any) -> bytes:
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


def _audit_key() -> bytes:
    key = getattr(settings, "AUDIT_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_KEY is empty: the audit trail cannot be sealed or verified without it.")
    return key.encode()


def _mac(message: bytes) -> str:
    return hmac.new(_audit_key(), message, hashlib.sha256).hexdigest()


def compute_hash(event: Any) -> str:
    """The event's seal: HMAC-SHA256 under AUDIT_KEY of its canonical content."""
    return _mac(_canonical(event))


def legacy_hash(event: Any) -> str:
    """The unkeyed SHA-256 seal of events written before the keyed chain."""
    return hashlib.sha256(_canonical(event)).hexdigest()


def _normalise(data: dict[str, Any] | None) -> dict[str, Any]:
    # What the database gives back must hash the same as what we hashed: round-trip through JSON.
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def _target_fields(target: models.Model | None, label: str | None) -> tuple[str, str, str]:
    if target is None:
        return "", "", label or ""
    meta = target._meta
    return meta.label_lower, str(target.pk), (label if label is not None else str(target))[:255]


def append_event(event_model: Any, head_model: Any, **fields: Any) -> Any:
    """Seal one event onto the end of the chain and move the head; ``record`` and the migrations
    that write events (with their historical models) share it.

    The head row is locked for the rest of the caller's transaction, so concurrent writers form
    one chain, and events get their ids in chain order.
    """
    with transaction.atomic():
        head, _created = head_model.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH}
        )
        event = event_model(prev_hash=head.last_hash, **fields)
        event.hash = compute_hash(event)
        event.save()
        head.last_event_id = event.pk
        head.last_hash = event.hash
        head.save(update_fields=["last_event_id", "last_hash"])
    return event


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

    The actor, IP and request id default to the current request context. An IP is stored only
    with a signed-in staff actor: an event without one (a public visitor, a failed sign-in) keeps
    no network address, even one passed in. The target's label is a snapshot (its ``str()``
    unless given): never pass personal data of complainants or witnesses in the label or ``data``.
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
    return append_event(
        AuditEvent,
        AuditChainHead,
        occurred_at=timezone.now(),
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        ip=(ip or context.recorded_ip(actor)) if actor is not None else None,
        request_id=ctx.request_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=label,
        outcome=outcome,
        data=_normalise(data),
    )


def reseal(event_model: Any, head_model: Any, *, seal: Callable[[Any], str] = compute_hash, page: int = 2000) -> int:
    """Recompute every event's previous-hash and hash in id order with ``seal``, and move the head.

    For migrations that must rewrite events (a new sealing scheme, addresses scrubbed): run it in
    their transaction, after the rewrite, with their historical models. Returns the events sealed.
    """
    prev, last_id, sealed = GENESIS_HASH, None, 0
    for events in _pages(event_model, page):
        for event in events:
            event.prev_hash = prev
            event.hash = seal(event)
            prev, last_id = event.hash, event.pk
        event_model.objects.bulk_update(events, ["prev_hash", "hash"])
        sealed += len(events)
    if sealed:
        head_model.objects.update_or_create(pk=1, defaults={"last_event_id": last_id, "last_hash": prev})
    return sealed


def _pages(event_model: Any, size: int) -> Iterator[list[Any]]:
    # By ranges of ids rather than one cursor: the same on every database, and safe while the rows
    # of an earlier page are being rewritten.
    after = 0
    while True:
        events = list(event_model.objects.filter(pk__gt=after).order_by("pk")[:size])
        if not events:
            return
        yield events
        after = events[-1].pk


# --- Reading one consistent snapshot ---------------------------------------------------------------


@contextmanager
def snapshot() -> Iterator[None]:
    """Read the trail as of one moment, whatever is being written meanwhile.

    On PostgreSQL a REPEATABLE READ, READ ONLY transaction: every query inside sees the same
    committed events and head, so a writer committing half-way through cannot make the walk see
    an event without the head that follows it (or the reverse). On SQLite one deferred
    transaction, which in WAL mode is a snapshot too and takes no write lock. Inside a caller's
    transaction the caller's transaction is used as it is.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # The project's SQLite transactions begin IMMEDIATE (taking the write lock); a reader
        # needs none.
        connection.ensure_connection()
        mode = connection.transaction_mode
        connection.transaction_mode = "DEFERRED"
        try:
            with transaction.atomic():
                connection.transaction_mode = mode
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic():
        yield


# --- Checkpoints -----------------------------------------------------------------------------------
#
# A checkpoint is one signed line: the newest event's id and hash and how many events the chain
# held up to it. `audit_checkpoint` appends it to AUDIT_CHECKPOINT_FILE and prints it for
# publishing elsewhere; `audit_verify` checks the chain against every line of the file.

CHECKPOINT_FORMAT = "audit-checkpoint/1"


class CheckpointError(ValueError):
    pass


@dataclass(frozen=True)
class Checkpoint:
    taken_at: str
    event_id: int
    count: int
    head: str

    def payload(self) -> str:
        return f"{CHECKPOINT_FORMAT} time={self.taken_at} event={self.event_id} count={self.count} head={self.head}"

    def line(self) -> str:
        """The line to append and publish: the payload and its HMAC under AUDIT_KEY."""
        return f"{self.payload()} hmac={_mac(self.payload().encode())}"

    @classmethod
    def parse(cls, line: str) -> "Checkpoint":
        version, *pairs = line.split()
        fields = dict(pair.partition("=")[::2] for pair in pairs)
        if version != CHECKPOINT_FORMAT or set(fields) != {"time", "event", "count", "head", "hmac"}:
            raise CheckpointError("it is not a checkpoint line")
        try:
            checkpoint = cls(fields["time"], int(fields["event"]), int(fields["count"]), fields["head"])
        except ValueError:
            raise CheckpointError("its event id or count is not a number") from None
        if not hmac.compare_digest(_mac(checkpoint.payload().encode()), fields["hmac"]):
            raise CheckpointError("its signature does not match (altered, or signed with another AUDIT_KEY)")
        return checkpoint


def read_checkpoints(path: Path | str | None = None) -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first (none if the file does not exist yet).

    Raises ``CheckpointError`` for a line that does not parse or verify, or one that goes back on
    the line before it.
    """
    path = Path(path or settings.AUDIT_CHECKPOINT_FILE)
    if not path.exists():
        return []
    checkpoints: list[Checkpoint] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            checkpoint = Checkpoint.parse(text)
        except CheckpointError as error:
            raise CheckpointError(f"line {number} of {path}: {error}") from None
        if checkpoints and (checkpoint.event_id < checkpoints[-1].event_id or checkpoint.count < checkpoints[-1].count):
            raise CheckpointError(f"line {number} of {path}: it covers fewer events than the line before it")
        checkpoints.append(checkpoint)
    return checkpoints


# --- Verifying -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class _Walk:
    checked: int
    last_id: int | None
    last_hash: str
    broken: ChainBreak | None


class ChainBrokenError(Exception):
    def __init__(self, checked: int, broken: ChainBreak) -> None:
        super().__init__(broken.reason)
        self.checked, self.broken = checked, broken


def walk(
    event_model: Any,
    head_model: Any,
    *,
    seal: Callable[[Any], str] = compute_hash,
    checkpoints: Sequence[Checkpoint] = (),
    page: int = 2000,
) -> _Walk:
    """Walk the chain oldest first against ``seal`` and the checkpoints; stop at the first break.

    Call it inside ``snapshot()`` (``verify_chain`` does), so events and head are read as of one
    moment.
    """
    pending: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        if checkpoint.count:
            pending.setdefault(checkpoint.event_id, []).append(checkpoint)
    expected_prev, checked, last_id = GENESIS_HASH, 0, None

    def broken(event_id: int | None, reason: str) -> _Walk:
        return _Walk(checked, last_id, expected_prev, ChainBreak(event_id, reason))

    for events in _pages(event_model, page):
        for event in events:
            if event.prev_hash != expected_prev:
                return broken(
                    event.pk, "its previous-hash does not match the event before it (a row was removed or altered)"
                )
            if seal(event) != event.hash:
                return broken(
                    event.pk, "its content does not match its hash (the row was altered, or sealed without the key)"
                )
            checked += 1
            for checkpoint in pending.pop(event.pk, ()):
                if checkpoint.head != event.hash:
                    return broken(event.pk, f"it is not the event the checkpoint of {checkpoint.taken_at} recorded")
                if checkpoint.count != checked:
                    return broken(
                        event.pk,
                        f"the checkpoint of {checkpoint.taken_at} counted {checkpoint.count} event(s) up to it, "
                        f"the chain now holds {checked}",
                    )
            expected_prev, last_id = event.hash, event.pk
    if pending:
        checkpoint = min((c for group in pending.values() for c in group), key=lambda c: c.count)
        return broken(
            checkpoint.event_id,
            f"the event the checkpoint of {checkpoint.taken_at} ends at is missing: the chain was cut back to "
            f"{checked} event(s) after {checkpoint.count} had been checkpointed",
        )
    head = head_model.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != expected_prev or head.last_event_id != last_id):
        return broken(head.last_event_id, "the chain ends early: events after the last intact one are missing")
    if head is None and checked:
        return broken(None, "the chain head is missing")
    return _Walk(checked, last_id, expected_prev, None)


def verify_chain(*, checkpoints: Sequence[Checkpoint] = (), page: int = 2000) -> tuple[int, ChainBreak | None]:
    """Verify the whole chain under AUDIT_KEY, and against ``checkpoints``, in one snapshot.

    Returns how many events were checked before the first break, and the break (or ``None``).
    """
    with snapshot():
        result = walk(AuditEvent, AuditChainHead, checkpoints=checkpoints, page=page)
    return result.checked, result.broken


def take_checkpoint(path: Path | str | None = None) -> Checkpoint:
    """Verify the chain, append a signed checkpoint of its head to the checkpoint file, and record
    ``audit.checkpoint``. Refuses (``ChainBrokenError``) to checkpoint a broken chain."""
    path = Path(path or settings.AUDIT_CHECKPOINT_FILE)
    earlier = read_checkpoints(path)
    with snapshot():
        result = walk(AuditEvent, AuditChainHead, checkpoints=earlier)
    if result.broken is not None:
        raise ChainBrokenError(result.checked, result.broken)
    checkpoint = Checkpoint(
        taken_at=timezone.now().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        event_id=result.last_id or 0,
        count=result.checked,
        head=result.last_hash,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(checkpoint.line() + "\n")
        out.flush()
        os.fsync(out.fileno())
    record(
        "audit.checkpoint",
        target_label=f"event {checkpoint.event_id}",
        data={"event_id": checkpoint.event_id, "count": checkpoint.count, "head": checkpoint.head},
    )
    return checkpoint
