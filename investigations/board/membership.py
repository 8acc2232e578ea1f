"""Who sits on the board now: membership reads shared by board review's rules and pages."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from complaints.models import Complaint
from oversight import context

from .models import BoardMembership, Recusal


def current_memberships(on=None) -> QuerySet[BoardMembership]:
    on = on or timezone.localdate()
    return BoardMembership.objects.filter(term_start__lte=on).filter(Q(term_end__isnull=True) | Q(term_end__gte=on))


# Each answer is remembered for the request (``context.remembered``): the board's rules, guards,
# tabs and templates ask them of the same user and case several times per page.


def is_current_member(user: Any, on=None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return context.remembered(
        ("board-member", user.pk, on), lambda: current_memberships(on).filter(member=user).exists()
    )


def is_current_chair(user: Any, on=None) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return context.remembered(
        ("board-chair", user.pk, on), lambda: current_memberships(on).filter(member=user, is_chair=True).exists()
    )


def is_recused(user: Any, complaint: Complaint) -> bool:
    return context.remembered(
        ("recused", user.pk, complaint.pk),
        lambda: Recusal.objects.filter(member=user, complaint=complaint).exists(),
    )


def is_acting_chair(user: Any, complaint: Complaint) -> bool:
    """The board's current chair, not recused on the case."""
    return is_current_chair(user) and not is_recused(user, complaint)
