"""The subpoena lifecycle as data: every allowed move, the action that makes it, and who may.

``SUBPOENA_LIFECYCLE`` (the shared mechanism, ``oversight.lifecycle``) is the only writer of
``Subpoena.status``; ``services.subpoenas.subpoena_transition`` calls it.

Who may, by ``rule``:
- ``work``: whoever works the case (``workflow.can_work``): drafting, issuing, recording service
  and compliance, and recording that a subpoena was quashed or withdrawn;
- ``investigations.authorize_subpoena``: authorizing a subpoena and referring a refusal to a court
  for enforcement use the agency's compulsory power (supervisors hold it), on a case they can see.

How a subpoena is authorized is a setting, ``SUBPOENA_AUTHORIZATION``: ``"executive_director"``
(the default), ``"chair"`` or ``"board_vote"``. The authorizing user records it. Under
``"board_vote"`` board review registers what that needs on the ``authorize`` move: the chair may
authorize, and only with a recorded board vote on this subpoena that passed.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from complaints.selectors import complaint_visible_to
from oversight.lifecycle import Lifecycle, Move, MoveContext

from .models import Subpoena, SubpoenaEvent
from .workflow import can_work

S = Subpoena.Status
AUTHORIZE_PERM = "investigations.authorize_subpoena"
SubpoenaMove = Move


def needs_service(move: Move) -> bool:
    return move.target == S.SERVED


def takes_returns(move: Move) -> bool:
    return move.target in RETURN_STATUSES


RETURN_STATUSES = frozenset({S.COMPLIED, S.PARTIALLY_COMPLIED})

MOVES: list[SubpoenaMove] = [
    Move("authorize", S.DRAFTED, S.AUTHORIZED, AUTHORIZE_PERM, _("Authorize")),
    Move("issue", S.AUTHORIZED, S.ISSUED, "work", _("Issue")),
    Move("serve", S.ISSUED, S.SERVED, "work", _("Record service")),
    Move("comply", S.SERVED, S.COMPLIED, "work", _("Record full compliance")),
    Move("comply_partly", S.SERVED, S.PARTIALLY_COMPLIED, "work", _("Record partial compliance")),
    Move("not_comply", S.SERVED, S.NOT_COMPLIED, "work", _("Record non-compliance")),
    Move(
        "refer_enforcement",
        S.NOT_COMPLIED,
        S.ENFORCEMENT_REFERRED,
        AUTHORIZE_PERM,
        _("Refer for enforcement"),
        reason_required=True,
    ),
    Move(
        "refer_enforcement",
        S.PARTIALLY_COMPLIED,
        S.ENFORCEMENT_REFERRED,
        AUTHORIZE_PERM,
        _("Refer for enforcement"),
        reason_required=True,
    ),
    *[
        Move("quash", source, S.QUASHED, "work", _("Record that it was quashed"), reason_required=True)
        for source in (S.AUTHORIZED, S.ISSUED, S.SERVED, S.NOT_COMPLIED)
    ],
    *[
        Move("withdraw", source, S.WITHDRAWN, "work", _("Withdraw"), reason_required=True)
        for source in (S.DRAFTED, S.AUTHORIZED, S.ISSUED, S.SERVED)
    ],
]


def _label(subpoena: Subpoena) -> str:
    # The audit label names the case and the subpoena number, never the recipient (who may be a witness).
    return f"{subpoena.complaint.tracking_number} S-{subpoena.number:02d}"


def _record_event(ctx: MoveContext) -> SubpoenaEvent:
    actor = ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None
    return SubpoenaEvent.objects.create(
        subpoena=ctx.obj,
        from_status=ctx.source,
        to_status=ctx.move.target,
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        note=ctx.reason,
        occurred_at=ctx.now,
    )


def _may_authorize(user: Any, subpoena: Subpoena) -> bool:
    # The permission says what they may do, not to which case: they must also be able to see this one.
    return user.has_perm(AUTHORIZE_PERM) and complaint_visible_to(user, subpoena.complaint)


SUBPOENA_LIFECYCLE = Lifecycle(
    name="subpoena",
    model=Subpoena,
    moves=MOVES,
    audit_action="subpoena.transitioned",
    record_change=_record_event,
    target_label=_label,
    denied_message=_("You are not allowed to do this on this subpoena."),
    select_related=("complaint",),
)
SUBPOENA_LIFECYCLE.add_rule("work", lambda user, subpoena: can_work(user, subpoena.complaint))
SUBPOENA_LIFECYCLE.add_rule(AUTHORIZE_PERM, _may_authorize)


def move_for(source: str, target: str) -> Move | None:
    return SUBPOENA_LIFECYCLE.move_for(source, target)


def moves_from(source: str) -> list[Move]:
    return SUBPOENA_LIFECYCLE.moves_from(source)


def authorization_method() -> str:
    """How subpoenas are authorized here (``Subpoena.AuthorizationMethod``), from settings."""
    method = settings.SUBPOENA_AUTHORIZATION
    if method not in Subpoena.AuthorizationMethod.values:
        raise ImproperlyConfigured(
            f"SUBPOENA_AUTHORIZATION must be one of {', '.join(Subpoena.AuthorizationMethod.values)}, not {method!r}"
        )
    return method


def note_required(move: Move) -> bool:
    """Whether the person making ``move`` must write a note (a reason for the step)."""
    return move.reason_required


def by_board_vote() -> bool:
    return authorization_method() == Subpoena.AuthorizationMethod.BOARD_VOTE


def may_move(user: Any, subpoena: Subpoena, move: Move) -> bool:
    return SUBPOENA_LIFECYCLE.may(user, subpoena, move)


def subpoena_available_moves(subpoena: Subpoena, user: Any) -> list[SubpoenaMove]:
    """The moves this user may make on this subpoena now: the buttons the subpoena page draws."""
    return SUBPOENA_LIFECYCLE.available(subpoena, user)
