"""Reads for the evidence pages. The case itself is already scoped by ``case_get_for_user``."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from complaints.models import Complaint

from ..models import CustodyEvent, EvidenceItem
from ._lookup import get_or_404


def _destroyed_subquery() -> Exists:
    return Exists(CustodyEvent.objects.filter(evidence=OuterRef("pk"), action=CustodyEvent.Action.DESTROYED))


def evidence_list_for_case(*, complaint: Complaint) -> QuerySet[EvidenceItem]:
    """A case's evidence in number order, with custody count and destroyed flag, in one query."""
    return (
        EvidenceItem.objects.filter(complaint=complaint)
        .select_related("received_by")
        .annotate(custody_count=Count("custody_events"), destroyed=_destroyed_subquery())
        .order_by("number")
    )


def evidence_get_for_case(*, complaint: Complaint, number: Any) -> EvidenceItem:
    """One item of a case by its number (E-003 → 3), with its destroyed flag; ``Http404`` if the
    case has no such item."""
    item = get_or_404(
        EvidenceItem.objects.select_related("received_by", "from_attachment").annotate(destroyed=_destroyed_subquery()),
        complaint=complaint,
        number=number,
    )
    item.complaint = complaint
    return item


def evidence_choices_for_case(*, complaint: Complaint) -> QuerySet[EvidenceItem]:
    """The items a form may link to (an interview's recordings, a subpoena's returns): this case's
    only, in number order."""
    return EvidenceItem.objects.filter(complaint=complaint).order_by("number")


def custody_chain(*, item: EvidenceItem) -> QuerySet[CustodyEvent]:
    """An item's chain of custody, oldest first, with who recorded each event."""
    return CustodyEvent.objects.filter(evidence=item).select_related("actor").order_by("occurred_at", "id")
