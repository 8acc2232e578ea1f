"""Reads for the case workspace, scoped to the user asking."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from complaints.models import Complaint
from complaints.selectors import complaint_get_for_user
from oversight import audit

from .models import Investigation
from .workflow import COMPLAINT_LIFECYCLE, Transition, can_work

__all__ = ["can_work"]


def case_get_for_user(*, user: Any, tracking_number: str, work: bool = False) -> Complaint:
    """The case, 404 if the user may not see it, 403 if ``work`` is asked and they may only look."""
    complaint = complaint_get_for_user(user=user, tracking_number=tracking_number)
    if work and not can_work(user, complaint):
        audit.record("complaint.access_denied", target=complaint, outcome=audit.Outcome.DENIED, data={"perm": "work"})
        raise PermissionDenied
    return complaint


def cases_assigned_to(user: Any) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(
            investigation__assignments__investigator=user, investigation__assignments__ended_at__isnull=True
        )
        .select_related("investigation", "district")
        .distinct()
        .order_by("received_at")
    )


def may_transition(user: Any, complaint: Complaint, transition: Transition) -> bool:
    return COMPLAINT_LIFECYCLE.may(user, complaint, transition)


def complaint_available_transitions(complaint: Complaint, user: Any) -> list[Transition]:
    """The moves this user may make on this case now: the buttons the case page draws."""
    return COMPLAINT_LIFECYCLE.available(complaint, user)


def case_investigation(complaint: Complaint) -> Investigation | None:
    """The case's investigation, or None before it is accepted."""
    return Investigation.objects.filter(complaint=complaint).first()
