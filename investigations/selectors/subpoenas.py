"""Reads for the subpoena pages. The case itself is already scoped by ``case_get_for_user``."""

from typing import Any

from django.db.models import QuerySet

from complaints.models import Complaint

from ..models import EvidenceItem, Subpoena, SubpoenaEvent
from ._lookup import get_or_404
from .evidence import evidence_choices_for_case


def subpoena_list_for_case(*, complaint: Complaint) -> QuerySet[Subpoena]:
    """The case's subpoenas in number order (the list shows no related rows)."""
    return Subpoena.objects.filter(complaint=complaint).order_by("number")


def subpoena_get_for_case(*, complaint: Complaint, number: Any) -> Subpoena:
    """The case's subpoena S-``number``, with who authorized and drafted it; ``Http404`` if the
    case has no such subpoena."""
    subpoena = get_or_404(
        Subpoena.objects.select_related("authorized_by", "created_by"), complaint=complaint, number=number
    )
    subpoena.complaint = complaint
    return subpoena


def subpoena_events(*, subpoena: Subpoena) -> QuerySet[SubpoenaEvent]:
    """A subpoena's history of moves, oldest first, with who made each."""
    return SubpoenaEvent.objects.filter(subpoena=subpoena).select_related("actor").order_by("occurred_at", "id")


def subpoena_returns(*, subpoena: Subpoena) -> QuerySet[EvidenceItem]:
    """The evidence items received in answer to a subpoena, in number order."""
    return subpoena.returns.order_by("number")


def subpoena_evidence_choices(*, complaint: Complaint) -> QuerySet[EvidenceItem]:
    """The evidence items a subpoena's returns may link to: this case's only."""
    return evidence_choices_for_case(complaint=complaint)
