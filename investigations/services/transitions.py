"""The one writer of ``Complaint.status``: a thin front for the complaint lifecycle
(``investigations.workflow.COMPLAINT_LIFECYCLE``, run by ``oversight.lifecycle``)."""

from typing import Any

from complaints.models import Complaint
from oversight.lifecycle import MoveContext, MoveRefused

from ..models import StatusChange
from ..workflow import COMPLAINT_LIFECYCLE

TransitionRefused = MoveRefused


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
    via: str = "",
    params: dict[str, Any] | None = None,
) -> StatusChange:
    """Move a complaint to ``to_status``.

    Locks the complaint row and refuses: a case that changed since the actor looked at it
    (``expected_status``), a pair not in the table, a move owned by another service than ``via``,
    an actor the move's rule does not allow, a missing reason, or a failed guard (each with a plain
    message). Then saves the status, writes a StatusChange row, a public timeline entry when the
    resident-facing stage changes, and the audit event, and queues notifications after commit.
    ``apply(locked_complaint)`` runs inside the same transaction, before the guards, for the
    owning service's own changes (creating the investigation, recording the decision, ...).
    """

    def run_apply(ctx: MoveContext) -> None:
        if apply is not None:
            apply(ctx.obj)

    return COMPLAINT_LIFECYCLE.run(
        obj=complaint,
        target=to_status,
        actor=actor,
        reason=reason,
        expected=expected_status,
        via=via,
        params={**(params or {}), "change_data": data or {}, "public_detail": public_detail},
        apply=run_apply,
    )
