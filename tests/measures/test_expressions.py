"""The percentile definition (PostgreSQL's percentile_cont) and the whole days between two local
dates, the same on SQLite and PostgreSQL."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from complaints.models import Complaint
from investigations.measures.expressions import days_between, interpolate, local_date, spreads, spreads_with_total

from ..factories import ComplaintFactory

S = Complaint.Status


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([7], 0.5, 7.0),
        ([7], 0.9, 7.0),
        ([2, 4, 9, 10], 0.5, 6.5),  # halfway between 4 and 9
        ([2, 4, 9, 10], 0.9, 9.7),  # position 2.7: 9 + 0.7 × (10 − 9)
        ([1, 2, 3, 4, 5], 0.5, 3.0),
        ([1, 2, 3, 4, 5], 0.9, 4.6),  # position 3.6
        ([0, 100], 0.9, 90.0),
    ],
)
def test_the_percentile_is_linear_between_the_two_nearest_values(values, fraction, expected):
    found = interpolate(values, fraction)
    assert found == expected if expected is None else round(found, 9) == expected


def _closed(received: datetime, closed: datetime, status: str = S.CLOSED) -> None:
    complaint = ComplaintFactory(received_at=received)
    Complaint.objects.filter(pk=complaint.pk).update(status=status, status_changed_at=closed)


@pytest.mark.django_db
def test_days_count_local_calendar_days_and_both_databases_agree():
    zone = ZoneInfo(settings.TIME_ZONE)
    base = datetime(2026, 3, 1, tzinfo=zone)
    # 23:30 to 00:30 the next day, local time: one day, though only an hour passed.
    _closed(base.replace(hour=23, minute=30), base + timedelta(days=1, minutes=30))
    # Received at 21:00 local (the next day in UTC), closed at 09:00 local two days later: 2 days.
    _closed(base.replace(hour=21), datetime.combine(base.date() + timedelta(days=2), time(9), tzinfo=zone))
    # Across the change to summer time (8 March 2026 in New York): 10 days.
    _closed(base.replace(hour=12), base.replace(day=11, hour=12), S.MEDIATED)
    # Same day: 0.
    _closed(base.replace(hour=8), base.replace(hour=17), S.MEDIATED)
    queryset = Complaint.objects.all()
    days = days_between(local_date("status_changed_at"), local_date("received_at"))
    assert sorted(queryset.annotate(d=days).values_list("d", flat=True)) == [0, 1, 2, 10]
    whole = spreads(queryset, days)[None]
    assert (whole.count, whole.median, whole.p90) == (4, 1.5, 7.6)
    grouped, total = spreads_with_total(queryset, days, group="status")
    assert {status: (s.count, s.median, s.p90) for status, s in grouped.items()} == {
        S.CLOSED: (2, 1.5, 1.9),
        S.MEDIATED: (2, 5.0, 9.0),
    }
    assert (total.count, total.median, total.p90) == (4, 1.5, 7.6)
    assert spreads(Complaint.objects.none(), days) == {}
