"""Board review's writes: referral grants and the referral emails, recusals and votes. Each runs in
a transaction, checks who acts and records an audit event; the reads are in ``board.selectors``."""

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.models import Allegation, Complaint
from investigations.deadlines import deadline_for
from investigations.models import Disposition, StatusChange
from oversight import audit, context, permissions
from oversight.notifications import notify_once
from oversight.staff_accounts.selectors import preferred_language
from oversight.tasks import enqueue

from ..membership import current_memberships, is_current_chair, is_current_member, is_recused
from ..models import Recusal, Vote, VoteProposal
from ..selectors import check_voter, live_vote_of

S = Complaint.Status
VIEW = "complaints.view_complaint"

logger = logging.getLogger(__name__)


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
    with audit.service_atomic():
        recused, members = _eligible_members(complaint)
        holders = {u.pk for u in permissions.users_with_access(complaint, VIEW)}
        granted = []
        for member in members:
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
        from ..tasks import send_referral_notifications

        # Every member it applies to, not only those granted now: after a remand they all hold view
        # already, and the case is referred to them again. Each member's email goes once per referral.
        enqueue(send_referral_notifications, complaint.pk, _base_url())
    return granted


def _eligible_members(complaint: Complaint) -> tuple[set[int], list[Any]]:
    """The ids of the members recused on ``complaint``, and the current, active members who are not,
    in id order, each once."""
    recused = set(Recusal.objects.filter(complaint=complaint).values_list("member_id", flat=True))
    members = [
        m.member
        for m in current_memberships().select_related("member__staff_preference").order_by("member_id")
        if m.member.is_active and m.member_id not in recused
    ]
    return recused, list({m.pk: m for m in members}.values())


def _base_url() -> str:
    """The address the staff reached the workspace at, for the links in emails ("" outside a request)."""
    request = context.current().request
    if request is None:
        return ""
    return f"{request.scheme}://{request.get_host()}"


class ReferralNoticeFailed(OSError):
    """Some referral emails could not be sent; running the task again sends just those."""


def board_referral_notify(*, complaint_id: int, base_url: str = "") -> int:
    """Email each board member the case was referred to that it awaits their review: one email per
    current, active, non-recused member holding view on the case, per referral (the move to board
    review it belongs to), in the member's preferred language. Sends nothing unless the case is in
    board review now. Returns the number sent now; a second run sends nothing twice.

    The email names the case by tracking number, its allegation categories and the statutory due
    date, with a link to its board page; never a complainant's or witness's name or contact details,
    officer names, the narrative or anything else written into the case (docs/notifications.md)."""
    complaint = (
        Complaint.objects.select_related("investigation")
        .prefetch_related("allegations__category")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None or complaint.status != S.BOARD_REVIEW:
        return 0
    referral = (
        StatusChange.objects.filter(complaint=complaint, to_status=S.BOARD_REVIEW)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    _recused, members = _eligible_members(complaint)
    holders = {u.pk for u in permissions.users_with_access(complaint, VIEW)}
    investigation = getattr(complaint, "investigation", None)
    deadline = deadline_for(investigation) if investigation is not None else None
    due_date = deadline.due_date if deadline is not None and not deadline.is_provisional else None
    categories = [a.category for a in complaint.allegations.all() if a.category_id]
    link = base_url + reverse("board:case", args=[complaint.tracking_number])
    sent: list[int] = []
    failures = 0
    with context.acting_as(None):
        for member in members:
            if member.pk not in holders or not member.email:
                continue
            language = preferred_language(member)
            try:
                if notify_once(
                    key=f"board-referral:{complaint.pk}:{referral or 0}:{member.pk}",
                    to=member.email,
                    template="board/email/member_referred",
                    context={
                        "name": member.first_name or member.get_username(),
                        "tracking_number": complaint.tracking_number,
                        "categories": sorted({c.localized_name(language) for c in categories}),
                        "due_date": due_date,
                        "link": link,
                    },
                    language=language,
                ):
                    sent.append(member.pk)
            except Exception:
                failures += 1
                logger.exception("Referral email for complaint %s to user %s failed", complaint.pk, member.pk)
        if sent:
            audit.record(
                "board.referral_notified",
                target=complaint,
                data={"members": sent, "referral": referral},
            )
    if failures:
        raise ReferralNoticeFailed(f"{failures} referral email(s) could not be sent")
    return len(sent)


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
        audit.record_refusal("board.recused", target=complaint, actor=actor, data={"member": member.pk})
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the recusal.")]})
    if not is_current_member(member):
        raise ValidationError(_("Only a current board member can be recused."), code="not_member")
    with audit.service_atomic():
        Complaint.objects.select_for_update().filter(pk=complaint.pk).first()
        if Recusal.objects.filter(complaint=complaint, member=member).exists():
            raise ValidationError(_("This member is already recused on this case."), code="already_recused")
        recusal = Recusal.objects.create(complaint=complaint, member=member, reason=reason, recorded_by=actor)
        if permissions.user_can(member, VIEW, complaint) and not member.is_superuser:
            permissions.revoke(member, VIEW, complaint)
        # The reason may name people: it stays on the Recusal row, not in the audit trail.
        audit.record("board.recused", target=complaint, actor=actor, data={"member": member.pk, "by_self": by_self})
    return recusal


# --- Votes ---------------------------------------------------------------------------------------


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
    check_voter(member, complaint)
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": [_("Choose concur, do not concur or abstain.")]})
    cleaned = _clean_proposals(complaint, proposals)
    with audit.service_atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        check_voter(member, locked)  # again under the lock: a recusal or decision may have landed
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
