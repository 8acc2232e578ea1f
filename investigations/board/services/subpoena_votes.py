"""Board votes on subpoenas (``SUBPOENA_AUTHORIZATION`` is "board_vote"): the chair records the
board's vote; a vote that passed authorizes the subpoena through the subpoena lifecycle, whose
``authorize`` move board review guards (``board.registry``)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from investigations import subpoena_workflow as workflow
from investigations.models import Subpoena, SubpoenaEvent
from investigations.services.subpoenas import subpoena_transition
from oversight import audit

from .. import quorum
from ..membership import current_memberships, is_acting_chair
from ..models import BoardMeeting, Recusal, SubpoenaVote

_label = workflow._label


def subpoena_vote_record(
    *,
    subpoena: Subpoena,
    actor: Any,
    votes_for: int,
    votes_against: int,
    abstentions: int = 0,
    motion: str = "",
    meeting: BoardMeeting | None = None,
) -> SubpoenaVote:
    """Record the board's vote on authorizing a drafted subpoena (``SUBPOENA_AUTHORIZATION`` is
    ``"board_vote"``).

    Only the board's current chair, not recused on the case, records it. The counts may not be
    negative; together they may not exceed the current members who are not recused on the case
    (a recused member cannot vote), and must reach quorum (``investigations.quorum``, abstentions
    included). The vote is immutable; a vote that passed can then authorize the subpoena.
    """
    if not is_acting_chair(actor, subpoena.complaint):
        audit.record_refusal(
            "board.voted",
            target=subpoena,
            target_label=_label(subpoena),
            actor=actor,
            data={"subpoena": subpoena.number},
        )
        raise PermissionDenied(_("Only the board chair, not recused on this case, records the board's vote."))
    counts = {"votes_for": votes_for, "votes_against": votes_against, "abstentions": abstentions}
    errors: dict[str, list[str]] = {}
    for field, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[field] = [_("Give a whole number, zero or more.")]
    if errors:
        raise ValidationError(errors)
    with audit.service_atomic():
        locked = Subpoena.objects.select_for_update().select_related("complaint").get(pk=subpoena.pk)
        if not workflow.by_board_vote():
            raise ValidationError(_("Subpoenas here are not authorized by board vote."))
        if locked.status != Subpoena.Status.DRAFTED:
            raise ValidationError(_("The board votes on a subpoena only while it is drafted."))
        member_ids = current_memberships().values("member_id")
        members = current_memberships().count()
        recused = Recusal.objects.filter(complaint=locked.complaint, member_id__in=member_ids).count()
        eligible = quorum.eligible_members(members, recused)
        needed = quorum.quorum_needed(members, recused, settings.BOARD_QUORUM)
        cast = votes_for + votes_against + abstentions
        if cast > eligible:
            raise ValidationError(
                _("%(cast)d votes were recorded, but only %(eligible)d current board members may vote on this case.")
                % {"cast": cast, "eligible": eligible}
            )
        if cast < needed:
            raise ValidationError(
                _("%(cast)d votes do not make quorum: at least %(needed)d members must vote.")
                % {"cast": cast, "needed": needed}
            )
        vote = SubpoenaVote.objects.create(
            subpoena=locked,
            meeting=meeting,
            motion=(motion or "").strip(),
            recorded_by=actor,
            **counts,
        )
        audit.record(
            "board.voted",
            target=locked,
            target_label=_label(locked),
            actor=actor,
            data={"subpoena": locked.number, "for": votes_for, "against": votes_against, "abstain": abstentions},
        )
    return vote


def subpoena_authorize_by_vote(*, subpoena: Subpoena, actor: Any, vote: SubpoenaVote | int | None) -> SubpoenaEvent:
    """Authorize a drafted subpoena with a recorded board vote on it that passed: the acting chair,
    or someone holding ``investigations.authorize_subpoena`` on the chair's behalf. The checks are
    the ``authorize`` move's own (who may, and board review's guard on the vote)."""
    return subpoena_transition(
        subpoena=subpoena, to_status=Subpoena.Status.AUTHORIZED, actor=actor, params={"authorizing_vote": vote}
    )
