"""Reads for the case workspace, scoped to the user asking."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from complaints.models import Complaint
from complaints.selectors import complaint_get_for_user, complaint_visible_queryset
from oversight import audit, permissions

from .workflow import Transition, transitions_from


def can_work(user: Any, complaint: Complaint) -> bool:
    """Whether ``user`` may do case work (notes, evidence, interviews, subpoenas, findings) on it:
    a supervisor, or an investigator assigned to this case."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_perm("complaints.view_all_complaints") and user.has_perm("complaints.change_complaint"):
        return True
    return permissions.user_can(user, "complaints.change_complaint", complaint)


def case_get_for_user(*, user: Any, tracking_number: str, work: bool = False) -> Complaint:
    """The case, 404 if the user may not see it, 403 if ``work`` is asked and they may only look."""
    complaint = complaint_get_for_user(user=user, tracking_number=tracking_number)
    if work and not can_work(user, complaint):
        audit.record("complaint.access_denied", target=complaint, outcome=audit.Outcome.DENIED, data={"perm": "work"})
        raise PermissionDenied
    return complaint


def may_transition(user: Any, complaint: Complaint, transition: Transition) -> bool:
    if transition.rule == "triage":
        return (
            user.has_perm("complaints.triage_complaint")
            and complaint_visible_queryset(user).filter(pk=complaint.pk).exists()
        )
    if transition.rule == "work":
        return can_work(user, complaint)
    if transition.rule == "board_chair":
        from .board import is_current_chair, is_recused

        return is_current_chair(user) and not is_recused(user, complaint)
    return user.has_perm(transition.rule)


def complaint_available_transitions(complaint: Complaint, user: Any) -> list[Transition]:
    """The moves this user may make on this case now: the buttons the case page draws."""
    return [t for t in transitions_from(complaint.status) if may_transition(user, complaint, t)]


def cases_assigned_to(user: Any) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(
            investigation__assignments__investigator=user, investigation__assignments__ended_at__isnull=True
        )
        .select_related("investigation", "district")
        .distinct()
        .order_by("received_at")
    )
