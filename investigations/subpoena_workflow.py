"""The subpoena lifecycle as data: every allowed move, the action that makes it, and who may.

``subpoena_transition`` (investigations/services/subpoenas.py) is the only writer of
``Subpoena.status``; it refuses any (from, to) pair that is not in this table.

Who may, by ``rule``:
- ``work``: whoever works the case (``selectors.can_work``): drafting, issuing, recording service
  and compliance, and recording that a subpoena was quashed or withdrawn;
- any other value is a model permission the actor must hold. Authorizing a subpoena and referring
  a refusal to a court for enforcement use the agency's compulsory power, so both need
  ``investigations.authorize_subpoena`` (supervisors hold it).

How a subpoena is authorized is a setting, ``SUBPOENA_AUTHORIZATION``: ``"executive_director"``
(the default), ``"chair"`` or ``"board_vote"``. The authorizing user records it. Under
``"board_vote"`` the board chair first records the board's vote on the subpoena
(``SubpoenaVote``, ``services.subpoenas.subpoena_vote_record``); authorizing then links a vote on
this subpoena that passed, and may be done by the chair or, on the chair's behalf, by someone
holding ``investigations.authorize_subpoena``.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from complaints.selectors import complaint_visible_queryset

from .board import is_current_chair, is_recused
from .models import EvidenceItem, Subpoena, SubpoenaVote
from .selectors import can_work

S = Subpoena.Status
AUTHORIZE_PERM = "investigations.authorize_subpoena"


@dataclass(frozen=True)
class SubpoenaMove:
    action: str
    source: str
    target: str
    rule: str
    label: Any
    note_required: bool = False

    @property
    def needs_service(self) -> bool:
        return self.target == S.SERVED

    @property
    def takes_returns(self) -> bool:
        return self.target in RETURN_STATUSES


RETURN_STATUSES = frozenset({S.COMPLIED, S.PARTIALLY_COMPLIED})

MOVES: list[SubpoenaMove] = [
    SubpoenaMove("authorize", S.DRAFTED, S.AUTHORIZED, AUTHORIZE_PERM, _("Authorize")),
    SubpoenaMove("issue", S.AUTHORIZED, S.ISSUED, "work", _("Issue")),
    SubpoenaMove("serve", S.ISSUED, S.SERVED, "work", _("Record service")),
    SubpoenaMove("comply", S.SERVED, S.COMPLIED, "work", _("Record full compliance")),
    SubpoenaMove("comply_partly", S.SERVED, S.PARTIALLY_COMPLIED, "work", _("Record partial compliance")),
    SubpoenaMove("not_comply", S.SERVED, S.NOT_COMPLIED, "work", _("Record non-compliance")),
    SubpoenaMove(
        "refer_enforcement",
        S.NOT_COMPLIED,
        S.ENFORCEMENT_REFERRED,
        AUTHORIZE_PERM,
        _("Refer for enforcement"),
        note_required=True,
    ),
    SubpoenaMove(
        "refer_enforcement",
        S.PARTIALLY_COMPLIED,
        S.ENFORCEMENT_REFERRED,
        AUTHORIZE_PERM,
        _("Refer for enforcement"),
        note_required=True,
    ),
    *[
        SubpoenaMove("quash", source, S.QUASHED, "work", _("Record that it was quashed"), note_required=True)
        for source in (S.AUTHORIZED, S.ISSUED, S.SERVED, S.NOT_COMPLIED)
    ],
    *[
        SubpoenaMove("withdraw", source, S.WITHDRAWN, "work", _("Withdraw"), note_required=True)
        for source in (S.DRAFTED, S.AUTHORIZED, S.ISSUED, S.SERVED)
    ],
]

BY_PAIR: dict[tuple[str, str], SubpoenaMove] = {(m.source, m.target): m for m in MOVES}


def move_for(source: str, target: str) -> SubpoenaMove | None:
    return BY_PAIR.get((source, target))


def moves_from(source: str) -> list[SubpoenaMove]:
    return [m for m in MOVES if m.source == source]


def authorization_method() -> str:
    """How subpoenas are authorized here (``Subpoena.AuthorizationMethod``), from settings."""
    method = settings.SUBPOENA_AUTHORIZATION
    if method not in Subpoena.AuthorizationMethod.values:
        raise ImproperlyConfigured(
            f"SUBPOENA_AUTHORIZATION must be one of {', '.join(Subpoena.AuthorizationMethod.values)}, not {method!r}"
        )
    return method


def note_required(move: SubpoenaMove) -> bool:
    """Whether the person making ``move`` must write a note (a reason for the step)."""
    return move.note_required


def by_board_vote() -> bool:
    return authorization_method() == Subpoena.AuthorizationMethod.BOARD_VOTE


def vote_required(move: SubpoenaMove) -> bool:
    """Whether ``move`` must link a passed board vote on the subpoena (authorizing, under "board_vote")."""
    return move.target == S.AUTHORIZED and by_board_vote()


def is_acting_chair(user: Any, subpoena: Subpoena) -> bool:
    """The board's current chair, not recused on the subpoena's case."""
    return is_current_chair(user) and not is_recused(user, subpoena.complaint)


def may_record_vote(user: Any, subpoena: Subpoena) -> bool:
    """Whether ``user`` may record the board's vote on ``subpoena`` now: the form the page draws."""
    return by_board_vote() and subpoena.status == S.DRAFTED and is_acting_chair(user, subpoena)


def may_move(user: Any, subpoena: Subpoena, move: SubpoenaMove) -> bool:
    if move.rule == "work":
        return can_work(user, subpoena.complaint)
    if vote_required(move) and is_acting_chair(user, subpoena):
        # Under "board_vote" the chair authorizes what the board voted for.
        return True
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(move.rule)):
        return False
    # The permission says what they may do, not to which case: they must also be able to see this one.
    return complaint_visible_queryset(user).filter(pk=subpoena.complaint_id).exists()


def subpoena_available_moves(subpoena: Subpoena, user: Any) -> list[SubpoenaMove]:
    """The moves this user may make on this subpoena now: the buttons the subpoena page draws."""
    return [m for m in moves_from(subpoena.status) if may_move(user, subpoena, m)]


# --- Reads for the subpoena pages (the case itself is already scoped by ``case_get_for_user``) ---


def subpoena_list_for_case(complaint: Complaint) -> QuerySet[Subpoena]:
    return Subpoena.objects.filter(complaint=complaint).order_by("number")


def subpoena_get_for_case(*, complaint: Complaint, number: int) -> Subpoena:
    """The case's subpoena S-``number``, or 404."""
    subpoena = (
        Subpoena.objects.filter(complaint=complaint, number=number)
        .select_related("authorized_by", "created_by", "authorizing_vote__meeting")
        .first()
    )
    if subpoena is None:
        raise Http404
    subpoena.complaint = complaint
    return subpoena


def subpoena_evidence_choices(complaint: Complaint) -> QuerySet[EvidenceItem]:
    """The evidence items a subpoena's returns may link to: this case's only."""
    return EvidenceItem.objects.filter(complaint=complaint).order_by("number")


def subpoena_votes(subpoena: Subpoena) -> QuerySet[SubpoenaVote]:
    """The board votes recorded on this subpoena, oldest first."""
    return (
        SubpoenaVote.objects.filter(subpoena=subpoena)
        .select_related("meeting", "recorded_by")
        .order_by("created_at", "id")
    )


def subpoena_passed_votes(subpoena: Subpoena) -> QuerySet[SubpoenaVote]:
    """The votes on this subpoena that passed (more in favour than against): what may authorize it."""
    return subpoena_votes(subpoena).filter(votes_for__gt=F("votes_against"))
