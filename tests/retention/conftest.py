"""Closed cases for the retention tests.

``closed_case(closed_on=..., dispositions=[...])`` makes a complaint in a closed status whose last
closing is recorded the way the lifecycle records it (a ``StatusChange`` into the closed status at
noon local time on ``closed_on``), with one allegation per disposition and its final finding.
``status_changed_at`` is set to the same moment, and ``updated_at`` is left at now on purpose: the
schedule must count from the closing, not from the last edit. The closing date is stored on the
case's retention record as the lifecycle's closing effect stores it.
"""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from complaints.models import AllegationCategory, Complaint
from investigations.models import Disposition, Finding, Investigation, StatusChange
from investigations.retention.closings import store_closing
from tests.factories import AllegationFactory, ComplaintFactory, SubjectOfficerFactory

S = Complaint.Status


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)), timezone.get_current_timezone())


def record_closing(complaint: Complaint, closed_on: date, *, status: str = S.CLOSED, source: str = S.DECIDED) -> None:
    moment = noon(closed_on)
    StatusChange.objects.create(
        complaint=complaint, action="close_case", from_status=source, to_status=status, created_at=moment
    )
    Complaint.objects.filter(pk=complaint.pk).update(status=status, status_changed_at=moment)
    complaint.refresh_from_db()
    # What the lifecycle's closing effect stores for the due list (closings.py).
    store_closing(complaint, closed_on=closed_on)


@pytest.fixture
def closed_case(db):
    def make(
        *,
        closed_on: date,
        dispositions: tuple[str, ...] = (Disposition.NOT_SUSTAINED,),
        status: str = S.CLOSED,
        received_on: date | None = None,
        categories: tuple[str, ...] = (),
        **fields,
    ) -> Complaint:
        complaint = ComplaintFactory(received_at=noon(received_on or date(closed_on.year - 1, 1, 15)), **fields)
        Investigation.objects.create(complaint=complaint, discovery_date=complaint.received_at.date())
        subject = SubjectOfficerFactory(complaint=complaint)
        for index, disposition in enumerate(dispositions):
            code = categories[index] if index < len(categories) else "force-physical"
            allegation = AllegationFactory(
                complaint=complaint, subject_officer=subject, category=AllegationCategory.objects.get(code=code)
            )
            Finding.objects.create(
                allegation=allegation,
                proposed_disposition=disposition,
                rationale="The evidence as weighed.",
                final_disposition=disposition,
            )
        record_closing(complaint, closed_on, status=status)
        return complaint

    return make
