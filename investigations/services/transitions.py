from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, PublicTimelineEntry
from complaints.stages import public_stage
from oversight import audit
from oversight.tasks import enqueue

from ..models import StatusChange
from ..selectors import may_transition
from ..workflow import transition_for


def CONFLICT_MESSAGE() -> str:  # noqa: N802 - reads as the message it returns
    return (
        _("Someone else changed this case while you were looking at it: it is now “%(status)s”.")
        + " "
        + _("Check it and try again.")
    )


class TransitionRefused(Exception):
    """A move the workflow will not make; ``message`` is for the person who asked."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def complaint_transition(
    *,
    complaint: Complaint,
    to_status: str,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
    expected_status: str | None = None,
    public_detail: str = "",
    apply: Any = None,
) -> StatusChange:
    """Move a complaint to ``to_status``: the only code that writes ``Complaint.status``.

    Locks the complaint row, refuses a pair not in ``workflow.TRANSITIONS``, an actor without the
    move's permission, a missing reason where one is required, or a case that changed since the
    actor looked at it (``expected_status``). Then saves the status, writes a StatusChange row, a
    public timeline entry when the resident-facing stage changes, and an audit event, and queues
    notifications after commit. ``apply(locked_complaint)`` runs inside the same transaction for
    the move's own changes (creating the investigation, recording the referral, ...).
    """
    try:
        return _transition(
            complaint=complaint,
            to_status=to_status,
            actor=actor,
            reason=reason,
            data=data,
            expected_status=expected_status,
            public_detail=public_detail,
            apply=apply,
        )
    except _Denied as denied:
        # Recorded after the rollback, so the refusal itself stays in the audit trail.
        audit.record("case.transitioned", target=complaint, actor=actor, outcome=audit.Outcome.DENIED, data=denied.data)
        raise TransitionRefused(_("You are not allowed to do this on this case."), code="forbidden") from None


class _Denied(Exception):
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data


def _transition(
    *,
    complaint: Complaint,
    to_status: str,
    actor: Any,
    reason: str,
    data: dict[str, Any] | None,
    expected_status: str | None,
    public_detail: str,
    apply: Any,
) -> StatusChange:
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        source = locked.status
        if expected_status is not None and source != expected_status:
            raise TransitionRefused(
                CONFLICT_MESSAGE() % {"status": locked.get_status_display()},
                code="conflict",
            )
        move = transition_for(source, to_status)
        if move is None:
            raise TransitionRefused(
                _("A case that is “%(from)s” cannot be moved to “%(to)s”.")
                % {"from": locked.get_status_display(), "to": Complaint.Status(to_status).label},
                code="not_allowed",
            )
        if not may_transition(actor, locked, move):
            raise _Denied({"from": source, "to": to_status, "action": move.action})
        reason = (reason or "").strip()
        if move.reason_required and not reason:
            raise TransitionRefused(_("Give a reason for this step."), code="reason_required")
        if apply is not None:
            apply(locked)
        if to_status == Complaint.Status.BOARD_REVIEW:
            # Referral: every current, non-recused board member may now see the case.
            from .board import board_referral_grant

            board_referral_grant(complaint=locked, actor=actor)
        now = timezone.now()
        locked.status = to_status
        locked.status_changed_at = now
        locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        change = StatusChange.objects.create(
            complaint=locked,
            action=move.action,
            from_status=source,
            to_status=to_status,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_username=actor.get_username() if getattr(actor, "is_authenticated", False) else "",
            reason=reason,
            data=data or {},
            created_at=now,
        )
        if public_stage(source) != public_stage(to_status):
            PublicTimelineEntry.objects.create(
                complaint=locked, stage=public_stage(to_status), occurred_at=now, detail=public_detail[:300]
            )
        audit.record(
            "case.transitioned",
            target=locked,
            actor=actor,
            data={"from": source, "to": to_status, "action": move.action},
        )
        from ..tasks import send_status_notifications

        enqueue(send_status_notifications, change.pk)
    complaint.status = locked.status
    complaint.status_changed_at = locked.status_changed_at
    return change
