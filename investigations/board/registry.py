"""What board review adds to the lifecycles and pages below it, registered from
``BoardConfig.ready``. Case work never imports board review; this is how the board's rules reach
the moves that need them:

- complaint lifecycle: the ``board_chair`` rule (the current chair, not recused); referral grants
  on ``approve``; quorum and a recorded decision for this referral on ``decide`` and ``remand``;
  the decision page as the owner of both;
- subpoena lifecycle, under ``SUBPOENA_AUTHORIZATION = "board_vote"``: the chair may authorize,
  and authorizing needs a recorded board vote on the subpoena that passed, which it then links;
- hooks: the board and decision tabs, the chair's access to a case whose subpoena the board votes
  on, the board's panel on the subpoena page, dashboard panels, and ``workflow_check``'s checks.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Complaint
from investigations import subpoena_workflow
from investigations.workflow import BOARD_DECISION, COMPLAINT_LIFECYCLE
from oversight import hooks, permissions
from oversight.lifecycle import MoveContext

from . import checks
from .membership import current_memberships, is_acting_chair, is_current_member, is_recused
from .models import BoardDecision, SubpoenaAuthorization, SubpoenaVote

S = Complaint.Status
K = BoardDecision.Kind


# --- The complaint lifecycle ------------------------------------------------------------------------


def decision_for_referral(complaint: Complaint) -> BoardDecision | None:
    """The board's decision on the current referral (corrections aside), if one is recorded."""
    from .selectors import referral_started_at

    started = referral_started_at(complaint)
    decisions = BoardDecision.objects.filter(complaint=complaint, corrects__isnull=True)
    if started is not None:
        decisions = decisions.filter(created_at__gte=started)
    return decisions.order_by("-created_at", "-id").first()


def _quorum_reached(ctx: MoveContext) -> str | None:
    from .selectors import decision_quorum

    quorum = decision_quorum(ctx.obj)
    if quorum["reached"]:
        return None
    return _(
        "The board has not reached quorum on this case: %(voted)d of the %(required)d votes needed "
        "have been cast by current members who are not recused."
    ) % {"voted": quorum["voted"], "required": quorum["required"]}


def _decision_recorded(ctx: MoveContext) -> str | None:
    decision = decision_for_referral(ctx.obj)
    if decision is None or decision.kind not in {K.ADOPT, K.MODIFY}:
        return _("Record the board's decision (adopt or modify the findings) on the decision page first.")
    return None


def _remand_recorded(ctx: MoveContext) -> str | None:
    decision = decision_for_referral(ctx.obj)
    if decision is None or decision.kind != K.REMAND or not decision.instructions.strip():
        return _("Record the board's remand, with instructions for the investigator, on the decision page first.")
    return None


def _refer_to_board(ctx: MoveContext) -> None:
    from .services.review import board_referral_grant

    granted = board_referral_grant(complaint=ctx.obj, actor=ctx.actor)
    ctx.data["board_members_granted"] = len(granted)


# --- The subpoena lifecycle --------------------------------------------------------------------------


def _chair_authorizes(user: Any, subpoena: Any) -> bool:
    return subpoena_workflow.by_board_vote() and is_acting_chair(user, subpoena.complaint)


def _vote_error(message: str) -> ValidationError:
    return ValidationError({"authorizing_vote": [message]})


def _authorizing_vote(ctx: MoveContext) -> str | None:
    given = ctx.params.get("authorizing_vote")
    if not subpoena_workflow.by_board_vote():
        if given not in (None, ""):
            raise _vote_error(_("A board vote is linked only when authorizing by board vote."))
        return None
    if given in (None, ""):
        raise _vote_error(_("Choose the board vote that authorized this subpoena."))
    try:
        pk = given.pk if isinstance(given, SubpoenaVote) else int(given)
    except (TypeError, ValueError):
        raise _vote_error(_("Choose a board vote recorded on this subpoena.")) from None
    vote = SubpoenaVote.objects.filter(pk=pk, subpoena_id=ctx.obj.pk).first()
    if vote is None:
        raise _vote_error(_("Choose a board vote recorded on this subpoena."))
    if not vote.passed:
        raise _vote_error(_("That board vote did not pass; it cannot authorize."))
    ctx.params["vote"] = vote
    return None


def _link_vote(ctx: MoveContext) -> None:
    vote = ctx.params.get("vote")
    if vote is not None:
        SubpoenaAuthorization.objects.create(subpoena=ctx.obj, vote=vote, recorded_by=ctx.actor)
        ctx.data["vote"] = vote.pk


def _chair_sees_subpoenaed_case(*, subpoena: Any, actor: Any) -> None:
    # The chair records the board's vote on the subpoena page, so the chair must see the case.
    if not subpoena_workflow.by_board_vote():
        return
    for seat in current_memberships().filter(is_chair=True).select_related("member"):
        if not is_recused(seat.member, subpoena.complaint):
            permissions.grant(seat.member, "complaints.view_complaint", subpoena.complaint)


# --- Pages -----------------------------------------------------------------------------------------


def _case_tabs(complaint: Complaint, user: Any) -> list[tuple[str, Any, str]]:
    tabs = []
    if (
        complaint.status in {S.BOARD_REVIEW, S.DECIDED, S.CLOSED}
        or BoardDecision.objects.filter(complaint=complaint).exists()
    ):
        if is_current_member(user) or user.has_perm("complaints.view_all_complaints"):
            tabs.append(
                ("board", gettext_lazy("Board review"), reverse("board:case", args=[complaint.tracking_number]))
            )
        tabs.append(("decision", gettext_lazy("Decision"), reverse("board:decision", args=[complaint.tracking_number])))
    return tabs


def _action_pages(complaint: Complaint, user: Any) -> dict[str, str]:
    url = reverse("board:decision", args=[complaint.tracking_number])
    return {"decide": url, "remand": url}


def _header_links(complaint: Complaint, user: Any) -> list[tuple[Any, str]] | None:
    from .selectors import may_download_packet

    if not may_download_packet(user, complaint):
        return None
    return [(gettext_lazy("Board packet (PDF)"), reverse("board:packet", args=[complaint.tracking_number]))]


def _subpoena_panel(request: Any, subpoena: Any) -> str | None:
    from .views.subpoenas import subpoena_panel

    return subpoena_panel(request, subpoena)


def _dashboard_panel(request: Any) -> str | None:
    from .selectors import board_queue_for, department_responses_overdue

    user = request.user
    context: dict[str, Any] = {"request": request}
    if is_current_member(user):
        context["queue"] = board_queue_for(user, limit=10)
        context["is_member"] = True
    if user.has_perm("investigations.approve_findings"):
        context["overdue_responses"] = list(department_responses_overdue()[:50])
        context["may_respond"] = True
    if len(context) == 1:
        return None
    return render_to_string("board/dashboard_panel.html", context, request=request)


def _entry_decision(ids: list[int]) -> dict[int, str]:
    """An imported decided or closed case carries the decision that made its findings final."""
    decided = BoardDecision.objects.filter(
        complaint_id__in=ids, kind__in=[BoardDecision.Kind.ADOPT, BoardDecision.Kind.MODIFY]
    ).values_list("complaint_id", flat=True)
    return dict.fromkeys(set(ids) - set(decided), _("no decision adopting or modifying its findings is recorded"))


def register() -> None:
    COMPLAINT_LIFECYCLE.add_rule("board_chair", is_acting_chair)
    COMPLAINT_LIFECYCLE.add_effect("approve", name="board.referral", effect=_refer_to_board)
    COMPLAINT_LIFECYCLE.add_guard("decide", "remand", name="board.quorum", check=_quorum_reached)
    COMPLAINT_LIFECYCLE.add_guard("decide", name="board.decision_recorded", check=_decision_recorded)
    COMPLAINT_LIFECYCLE.add_guard("remand", name="board.remand_recorded", check=_remand_recorded)
    COMPLAINT_LIFECYCLE.set_owner_page(BOARD_DECISION, "board:decision")
    COMPLAINT_LIFECYCLE.add_entry_check(
        Complaint.Status.DECIDED, Complaint.Status.CLOSED, name="board.decision", check=_entry_decision
    )

    lifecycle = subpoena_workflow.SUBPOENA_LIFECYCLE
    lifecycle.add_permit("authorize", name="board.chair", check=_chair_authorizes)
    lifecycle.add_guard("authorize", name="board.vote", check=_authorizing_vote)
    lifecycle.add_effect("authorize", name="board.link_vote", effect=_link_vote)

    hooks.register("case.tabs", "board", _case_tabs)
    hooks.register("case.action_pages", "board", _action_pages)
    hooks.register("case.header_links", "board.packet", _header_links)
    hooks.register("subpoena.drafted", "board.chair_access", _chair_sees_subpoenaed_case)
    hooks.register("subpoena.panels", "board.votes", _subpoena_panel)
    hooks.register("dashboard.panels", "board", _dashboard_panel)
    hooks.register("staff_home.panels", "board", _dashboard_panel)
    hooks.register("workflow.checks", "board", checks.contradictions)
