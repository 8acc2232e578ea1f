"""Reads for the board pages, scoped to the user asking: the member's visible cases and queue,
votes, recusals, quorum, decisions and department responses. Views call these (and
``investigations.selectors.case_get_for_user``), never the models."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Allegation, Complaint
from investigations.models import GeneratedDocument, StatusChange, TollingPeriod
from investigations.selectors import can_work, case_get_for_user
from investigations.selectors.dashboard import CASE_ROW_FIELDS
from oversight import audit, context, permissions

from .membership import current_memberships, is_current_member, is_recused
from .models import (
    BoardDecision,
    BoardMeeting,
    DecisionFinding,
    DepartmentResponse,
    Recusal,
    SubpoenaVote,
    Vote,
    VoteProposal,
)
from .quorum import QuorumStatus, quorum_status

S = Complaint.Status
VIEW = "complaints.view_complaint"
BOARD_STATUSES = (S.BOARD_REVIEW, S.DECIDED)


# --- Cases ----------------------------------------------------------------------------------------


def board_member_visible_cases(user: Any) -> QuerySet[Complaint]:
    """Cases in board review or decided on which ``user`` holds view and is not recused."""
    base = Complaint.objects.filter(status__in=BOARD_STATUSES).exclude(recusals__member=user)
    return permissions.visible_for(user, VIEW, base).order_by("received_at", "id")


def board_case_get_for_user(*, user: Any, tracking_number: str) -> tuple[Complaint, bool]:
    """The case for the board pages, and whether ``user`` sits on the board for it.

    404 for anyone who may not see the case. Current members not recused see the board page;
    supervisors see it read-only; anyone else, and any recused member whatever else they hold,
    gets 404.
    """
    complaint = case_get_for_user(user=user, tracking_number=tracking_number)
    if is_recused(user, complaint):
        raise Http404
    member = is_current_member(user)
    if not member and not user.has_perm("complaints.view_all_complaints"):
        raise Http404
    return complaint, member


def board_members_to_recuse(complaint: Complaint, *, excluding: Any = None) -> QuerySet[Any]:
    """Current, active members not yet recused on the case (the chair's recusal form)."""
    members = (
        get_user_model()
        .objects.filter(pk__in=current_memberships().values("member_id"), is_active=True)
        .exclude(recusals__complaint=complaint)
        .order_by("last_name", "username")
    )
    return members.exclude(pk=excluding.pk) if excluding is not None else members


def board_case_allegations(complaint: Complaint) -> list[Allegation]:
    """The case's allegations with category, officer and proposed finding, in one query."""
    return list(
        Allegation.objects.filter(complaint=complaint)
        .select_related("category__parent", "subject_officer__officer", "finding")
        .order_by("id")
    )


def recusals_for(complaint: Complaint) -> QuerySet[Recusal]:
    return Recusal.objects.filter(complaint=complaint).select_related("member", "recorded_by")


def referral_started_at(complaint: Complaint) -> Any:
    """When the case last moved to board review: votes and decisions before it belong to an
    earlier referral (the board saw it before a remand)."""
    return (
        StatusChange.objects.filter(complaint=complaint, to_status=S.BOARD_REVIEW)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )


def current_votes() -> QuerySet[Vote]:
    """The votes that stand on each case's current referral: not corrected by a later vote, and cast
    since the case last moved to board review (a remanded case comes back to a board that votes
    again)."""
    referred_at = Subquery(
        StatusChange.objects.filter(complaint=OuterRef("complaint_id"), to_status=S.BOARD_REVIEW)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return (
        Vote.objects.filter(corrected_by__isnull=True)
        .annotate(referred_at=referred_at)
        .filter(Q(referred_at__isnull=True) | Q(created_at__gte=F("referred_at")))
    )


def live_votes(complaint: Complaint) -> QuerySet[Vote]:
    """The votes that stand on the current referral (see ``current_votes``)."""
    return (
        current_votes()
        .filter(complaint=complaint)
        .select_related("member")
        .prefetch_related(
            Prefetch(
                "proposals",
                queryset=VoteProposal.objects.select_related("allegation__category__parent").order_by("allegation_id"),
            )
        )
    )


def live_vote_of(complaint: Complaint, member: Any) -> Vote | None:
    return current_votes().filter(complaint=complaint, member=member).first()


def may_vote(member: Any, complaint: Complaint) -> bool:
    """Whether ``member`` may vote on the case now (the service's own checks, for the pages)."""
    try:
        check_voter(member, complaint)
    except (PermissionDenied, ValidationError):
        return False
    return True


def board_quorum_statuses(complaints: Sequence[Complaint]) -> dict[int, QuorumStatus]:
    """Quorum status for many cases in three queries (for the queue).

    Counts only current members: a recusal or a live vote of someone whose term ended does not
    count. Abstentions count toward quorum (see ``investigations.quorum``).
    """
    configured = int(getattr(settings, "BOARD_QUORUM", 0) or 0)
    members = set(current_memberships().values_list("member_id", flat=True).distinct())
    ids = [c.pk for c in complaints]
    recused: dict[int, set[int]] = {pk: set() for pk in ids}
    for complaint_id, member_id in Recusal.objects.filter(complaint_id__in=ids).values_list(
        "complaint_id", "member_id"
    ):
        if member_id in members:
            recused[complaint_id].add(member_id)
    voted: dict[int, set[int]] = {pk: set() for pk in ids}
    live = current_votes().filter(complaint_id__in=ids).values_list("complaint_id", "member_id")
    for complaint_id, member_id in live:
        if member_id in members and member_id not in recused[complaint_id]:
            voted[complaint_id].add(member_id)
    return {pk: quorum_status(len(voted[pk]), len(members), len(recused[pk]), configured) for pk in ids}


def board_quorum_status(complaint: Complaint) -> QuorumStatus:
    """One case's quorum, worked out once per request (the page, the decision service and the
    ``board.quorum`` guard all ask; a vote, recusal or any other write in between makes it
    recomputed, see ``oversight.context.remembered``)."""
    return context.remembered(("board-quorum", complaint.pk), lambda: board_quorum_statuses([complaint])[complaint.pk])


# The queue's order, oldest referral first; keyset pages walk it from a (received_at, id) cursor.
BOARD_QUEUE_ORDER = ("received_at", "id")


def board_queue_queryset(user: Any) -> QuerySet[Complaint]:
    """Cases in board review referred to ``user`` (not recused) that await their vote, loading only
    what the queue shows and the deadline needs. Empty for anyone not on the board now."""
    if not is_current_member(user):
        return Complaint.objects.none()
    voted = current_votes().filter(member=user).values("complaint_id")
    return (
        board_member_visible_cases(user)
        .filter(status=S.BOARD_REVIEW)
        .exclude(pk__in=voted)
        .select_related("district", "investigation")
        .only(*CASE_ROW_FIELDS)
        .prefetch_related(
            Prefetch("investigation__tolling_periods", queryset=TollingPeriod.objects.order_by("start", "id"))
        )
        .order_by(*BOARD_QUEUE_ORDER)
    )


def with_queue_facts(cases: Sequence[Complaint]) -> list[Complaint]:
    """``cases`` (a page of the queue), each with ``deadline`` and ``quorum`` attached: three
    queries for the quorum of the whole page, whatever its size."""
    from ..deadlines import deadline_for

    cases = list(cases)
    statuses = board_quorum_statuses(cases)
    for case in cases:
        investigation = getattr(case, "investigation", None)
        case.deadline = deadline_for(investigation) if investigation is not None else None
        case.quorum = statuses[case.pk]
    return cases


def board_queue_for(user: Any, limit: int | None = None) -> list[Complaint]:
    """The first ``limit`` cases of the member's queue (all when None), oldest first, each with
    ``deadline`` and ``quorum``."""
    queryset = board_queue_queryset(user)
    return with_queue_facts(queryset[:limit] if limit is not None else queryset)


def check_voter(member: Any, complaint: Complaint) -> None:
    """Raise why ``member`` may not vote on the case now (the vote service's own checks)."""
    if not (getattr(member, "is_authenticated", False) and member.is_active):
        raise PermissionDenied
    if not member.has_perm("investigations.vote_on_case") or not is_current_member(member):
        raise PermissionDenied(_("Only current board members can vote."))
    if is_recused(member, complaint):
        raise PermissionDenied(_("You are recused on this case and cannot vote."))
    if not permissions.user_can(member, VIEW, complaint):
        raise PermissionDenied(_("This case has not been referred to you."))
    if complaint.status != S.BOARD_REVIEW:
        raise ValidationError(
            _("Votes can only be recorded while the case is in board review; it is now “%(status)s”.")
            % {"status": complaint.get_status_display()},
            code="not_in_board_review",
        )


# --- Decisions and department responses ------------------------------------------------------------


def decision_quorum(complaint: Complaint) -> dict[str, Any]:
    """``{"reached": bool, "required": int, "voted": int, "members": int}`` (members = eligible),
    from the shared ``investigations.quorum.board_quorum_status``."""
    status = board_quorum_status(complaint)
    return {
        "reached": bool(status.reached),
        "required": status.needed,
        "voted": status.votes_cast,
        "members": status.eligible,
    }


def votes_counted(complaint: Complaint) -> dict[str, Any]:
    counts = dict(current_votes().filter(complaint=complaint).values_list("choice").annotate(n=Count("id")).order_by())
    return {choice: counts.get(choice, 0) for choice in Vote.Choice.values}


def department_responses_overdue(today: date | None = None) -> QuerySet[DepartmentResponse]:
    """Responses still awaited after their due date, oldest due first."""
    today = today or timezone.localdate()
    return (
        DepartmentResponse.objects.filter(response="", due_date__lt=today)
        .select_related("finding__allegation__complaint")
        .order_by("due_date", "id")
    )


def decisions_for_case(complaint: Complaint) -> list[BoardDecision]:
    """The case's decisions, oldest first, with their finals and who recorded them (three queries)."""
    return list(
        BoardDecision.objects.filter(complaint=complaint)
        .select_related("recorded_by", "corrects")
        .prefetch_related(
            Prefetch(
                "findings",
                queryset=DecisionFinding.objects.select_related(
                    "finding__allegation__category", "finding__allegation__subject_officer__officer"
                ).order_by("finding__allegation__subject_officer_id", "finding__allegation_id"),
            )
        )
        .order_by("created_at", "id")
    )


def decision_current(complaint: Complaint) -> BoardDecision | None:
    """The latest decision not itself corrected."""
    return (
        BoardDecision.objects.filter(complaint=complaint, corrected_by__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


def decision_allegations(complaint: Complaint) -> list[Allegation]:
    """The case's allegations with their finding and department response loaded, in one query."""
    return list(
        Allegation.objects.filter(complaint=complaint)
        .select_related("category__parent", "subject_officer__officer", "finding", "finding__department_response")
        .order_by("subject_officer_id", "id")
    )


def department_response_get(*, complaint: Complaint, response_id: int) -> DepartmentResponse:
    """One department response on this case's findings, or 404."""
    response = (
        DepartmentResponse.objects.filter(pk=response_id, finding__allegation__complaint=complaint)
        .select_related("finding__allegation")
        .first()
    )
    if response is None:
        raise Http404
    return response


# --- The board packet ----------------------------------------------------------------------------------


def may_download_packet(user: Any, complaint: Complaint) -> bool:
    """Supervisors and assigned investigators (``can_work``), and current board members who are not
    recused. The caller has already checked that ``user`` may see the case."""
    if can_work(user, complaint):
        return True
    return is_current_member(user) and not is_recused(user, complaint)


def packet_size(complaint: Complaint) -> int:
    """How many items the packet lists: what decides between building it now or in the background."""
    return complaint.evidence.count() + complaint.interviews.count() + complaint.allegations.count()


def packet_case_get_for_user(*, user: Any, tracking_number: str) -> Complaint:
    """The case whose packet ``user`` asks for: 404 unless they may see it and download its packet
    (the refusal is audited)."""
    complaint = case_get_for_user(user=user, tracking_number=tracking_number)
    if not may_download_packet(user, complaint):
        audit.record(
            "complaint.access_denied",
            target=complaint,
            outcome=audit.Outcome.DENIED,
            data={"perm": "board_packet"},
            actor=user,
        )
        raise Http404("No complaint found")
    return complaint


def packet_recent_request(*, complaint: Complaint, user: Any, hours: int = 1) -> GeneratedDocument | None:
    """The user's packet for this case requested in the last ``hours`` that has not failed."""
    from datetime import timedelta

    return (
        GeneratedDocument.objects.filter(
            kind=GeneratedDocument.Kind.BOARD_PACKET,
            complaint=complaint,
            requested_by=user,
            failed=False,
            requested_at__gte=timezone.now() - timedelta(hours=hours),
        )
        .order_by("-requested_at")
        .first()
    )


def packet_document_get(*, complaint: Complaint, user: Any, document_id: int, ready: bool = False) -> GeneratedDocument:
    """The user's own generated packet for this case, or 404 (and 404 until it is ready, if ``ready``)."""
    documents = GeneratedDocument.objects.filter(pk=document_id, complaint=complaint, requested_by=user)
    if ready:
        documents = documents.filter(ready_at__isnull=False)
    document = documents.first()
    if document is None:
        raise Http404
    return document


# --- Subpoena votes ------------------------------------------------------------------------------------


def subpoena_votes(subpoena: Any) -> QuerySet[SubpoenaVote]:
    """The board votes recorded on this subpoena, oldest first."""
    return (
        SubpoenaVote.objects.filter(subpoena=subpoena)
        .select_related("meeting", "recorded_by", "authorization")
        .order_by("created_at", "id")
    )


def subpoena_passed_votes(subpoena: Any) -> QuerySet[SubpoenaVote]:
    """The votes on this subpoena that passed (more in favour than against): what may authorize it."""
    return subpoena_votes(subpoena).filter(votes_for__gt=F("votes_against"))


def board_meetings() -> QuerySet[BoardMeeting]:
    return BoardMeeting.objects.order_by("-date")
