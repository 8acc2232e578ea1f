"""Board review: referral grants, recusals, votes, and the reads the board pages make.

Writes (``board_referral_grant``, ``recusal_declare``, ``vote_record``) run in a transaction, check
who acts and record an audit event. Reads (``board_member_visible_cases``, ``live_votes``,
``board_quorum_status``, ``board_queue_for``, ...) are the board's selectors: the board pages use
only these and ``investigations.selectors.case_get_for_user``.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from complaints.models import Allegation, Complaint
from oversight import audit, permissions

from ..board import current_memberships, is_current_chair, is_current_member, is_recused
from ..models import Disposition, Recusal, TollingPeriod, Vote, VoteProposal
from ..quorum import QuorumStatus, quorum_status

S = Complaint.Status
VIEW = "complaints.view_complaint"
BOARD_STATUSES = (S.BOARD_REVIEW, S.DECIDED)


# --- Referral ------------------------------------------------------------------------------------


def board_referral_grant(*, complaint: Complaint, actor: Any) -> list[Any]:
    """Give every current, active board member without a recusal on ``complaint`` view on it.

    Called by the move to board review (the actor is whoever approved the findings: they need
    ``investigations.approve_findings``). Members who already hold view are left alone, so calling
    it again (after a remand, or when a new member joins) only adds who is missing. Returns the
    members newly granted.
    """
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm("investigations.approve_findings")):
        raise PermissionDenied
    with transaction.atomic():
        recused = set(Recusal.objects.filter(complaint=complaint).values_list("member_id", flat=True))
        members = [
            m.member
            for m in current_memberships().select_related("member").order_by("member_id")
            if m.member.is_active and m.member_id not in recused
        ]
        holders = {u.pk for u in permissions.users_with_access(complaint, VIEW)}
        granted = []
        for member in {m.pk: m for m in members}.values():
            if member.pk in holders:
                continue
            permissions.grant(member, VIEW, complaint)
            granted.append(member)
        audit.record(
            "board.referred",
            target=complaint,
            actor=actor,
            data={"members": [m.pk for m in granted], "recused": sorted(recused)},
        )
    return granted


def board_member_visible_cases(user: Any) -> QuerySet[Complaint]:
    """Cases in board review or decided on which ``user`` holds view and is not recused."""
    base = Complaint.objects.filter(status__in=BOARD_STATUSES).exclude(recusals__member=user)
    return permissions.visible_for(user, VIEW, base).order_by("received_at", "id")


# --- Recusal -------------------------------------------------------------------------------------


def recusal_declare(*, complaint: Complaint, member: Any, actor: Any, reason: str) -> Recusal:
    """Record ``member``'s conflict on ``complaint`` and take their access away at once.

    The member declares it themself, or the current chair (not recused on the case) records it.
    A reason is required. A recusal is final: there is no service to undo it, and recusing the same
    member twice is refused ("already recused").
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    by_self = actor.pk == member.pk
    if not by_self and not (is_current_chair(actor) and not is_recused(actor, complaint)):
        audit.record(
            "board.recused",
            target=complaint,
            actor=actor,
            outcome=audit.Outcome.DENIED,
            data={"member": member.pk},
        )
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the recusal.")]})
    if not is_current_member(member):
        raise ValidationError(_("Only a current board member can be recused."), code="not_member")
    with transaction.atomic():
        Complaint.objects.select_for_update().filter(pk=complaint.pk).first()
        if Recusal.objects.filter(complaint=complaint, member=member).exists():
            raise ValidationError(_("This member is already recused on this case."), code="already_recused")
        recusal = Recusal.objects.create(complaint=complaint, member=member, reason=reason, recorded_by=actor)
        if permissions.user_can(member, VIEW, complaint) and not member.is_superuser:
            permissions.revoke(member, VIEW, complaint)
        # The reason may name people: it stays on the Recusal row, not in the audit trail.
        audit.record("board.recused", target=complaint, actor=actor, data={"member": member.pk, "by_self": by_self})
    return recusal


def recusals_for(complaint: Complaint) -> QuerySet[Recusal]:
    return Recusal.objects.filter(complaint=complaint).select_related("member", "recorded_by")


# --- Votes ---------------------------------------------------------------------------------------


def live_votes(complaint: Complaint) -> QuerySet[Vote]:
    """The votes that stand: every vote on the case not corrected by a later one."""
    return (
        Vote.objects.filter(complaint=complaint, corrected_by__isnull=True)
        .select_related("member")
        .prefetch_related(
            Prefetch("proposals", queryset=VoteProposal.objects.select_related("allegation").order_by("allegation_id"))
        )
    )


def live_vote_of(complaint: Complaint, member: Any) -> Vote | None:
    return Vote.objects.filter(complaint=complaint, member=member, corrected_by__isnull=True).first()


def may_vote(member: Any, complaint: Complaint) -> bool:
    """Whether ``member`` may vote on the case now (the service's own checks, for the pages)."""
    try:
        _check_voter(member, complaint)
    except (PermissionDenied, ValidationError):
        return False
    return True


def _check_voter(member: Any, complaint: Complaint) -> None:
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


def _clean_proposals(complaint: Complaint, proposals: Iterable[Sequence[Any]]) -> list[tuple[Allegation, str, str]]:
    cleaned: list[tuple[Allegation, str, str]] = []
    seen: set[int] = set()
    allowed = set(Allegation.objects.filter(complaint=complaint).values_list("pk", flat=True))
    errors: list[str] = []
    for allegation, disposition, rationale in proposals:
        if allegation.pk not in allowed:
            errors.append(_("A proposal names an allegation that is not on this case."))
            continue
        if allegation.pk in seen:
            errors.append(_("Propose at most one disposition per allegation."))
            continue
        seen.add(allegation.pk)
        if disposition not in Disposition.values:
            errors.append(_("Choose a disposition for each proposal."))
            continue
        rationale = (rationale or "").strip()
        if not rationale:
            errors.append(_("Give a rationale for each proposed disposition."))
            continue
        cleaned.append((allegation, disposition, rationale))
    if errors:
        raise ValidationError({"proposals": errors})
    return cleaned


def vote_record(
    *,
    complaint: Complaint,
    member: Any,
    choice: str,
    comment: str = "",
    proposals: Iterable[Sequence[Any]] = (),
    corrects: Vote | None = None,
) -> Vote:
    """Record ``member``'s vote (concur / do not concur / abstain) with an optional comment and
    per-allegation proposals ``(allegation, disposition, rationale)``.

    Only a current board member, not recused, holding view on the case, while it is in board review.
    One live vote per member: to change it, pass ``corrects=`` their live vote; a new vote is
    recorded referencing it (votes are never edited).
    """
    _check_voter(member, complaint)
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": [_("Choose concur, do not concur or abstain.")]})
    cleaned = _clean_proposals(complaint, proposals)
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        _check_voter(member, locked)  # again under the lock: a recusal or decision may have landed
        current = live_vote_of(locked, member)
        if corrects is None and current is not None:
            raise ValidationError(
                _("You have already voted on this case; record a correction instead."), code="already_voted"
            )
        if corrects is not None and (current is None or corrects.pk != current.pk):
            raise ValidationError(_("You can only correct your own current vote."), code="not_live_vote")
        vote = Vote.objects.create(
            complaint=locked, member=member, choice=choice, comment=(comment or "").strip(), corrects=corrects
        )
        VoteProposal.objects.bulk_create(
            VoteProposal(vote=vote, allegation=a, disposition=d, rationale=r) for a, d, r in cleaned
        )
        audit.record(
            "board.voted",
            target=locked,
            actor=member,
            data={
                "vote": vote.pk,
                "choice": choice,
                "corrects": corrects.pk if corrects else None,
                "proposals": {str(a.pk): d for a, d, _r in cleaned},
            },
        )
    return vote


# --- Quorum --------------------------------------------------------------------------------------


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
    live = Vote.objects.filter(complaint_id__in=ids, corrected_by__isnull=True).values_list("complaint_id", "member_id")
    for complaint_id, member_id in live:
        if member_id in members and member_id not in recused[complaint_id]:
            voted[complaint_id].add(member_id)
    return {pk: quorum_status(len(voted[pk]), len(members), len(recused[pk]), configured) for pk in ids}


def board_quorum_status(complaint: Complaint) -> QuorumStatus:
    return board_quorum_statuses([complaint])[complaint.pk]


def board_queue_for(user: Any) -> list[Complaint]:
    """Cases in board review referred to ``user`` (not recused) that await their vote, oldest
    first, each with ``deadline`` and ``quorum`` attached. Empty for anyone not on the board now."""
    if not is_current_member(user):
        return []
    from ..deadlines import deadline_for

    voted = Vote.objects.filter(member=user, corrected_by__isnull=True).values("complaint_id")
    cases = list(
        board_member_visible_cases(user)
        .filter(status=S.BOARD_REVIEW)
        .exclude(pk__in=voted)
        .select_related("district", "investigation")
        .prefetch_related(
            Prefetch("investigation__tolling_periods", queryset=TollingPeriod.objects.order_by("start", "id"))
        )
    )
    statuses = board_quorum_statuses(cases)
    for case in cases:
        investigation = getattr(case, "investigation", None)
        case.deadline = deadline_for(investigation) if investigation is not None else None
        case.quorum = statuses[case.pk]
    return cases
