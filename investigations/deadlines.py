"""The statutory deadline clock.

The clock starts on the investigation's discovery date and runs for ``settings.DEADLINE_DAYS``
days (365 by default: California Gov. Code 3304(d)). Tolling periods stop it: every tolled day on
or after the discovery date and no later than the due date pushes the due date one day further.
Because the due date moves, a tolling period that starts after the first, un-tolled due date but
on or before the extended one counts as well; ``due_date_after_tolling`` sweeps the merged periods
in order until the next one starts after the due date reached so far (the least fixed point of
``due = discovery + period + tolled days in [discovery, due]``). Overlapping periods count once.

An open tolling period (no end yet) tolls through today, so while it lasts the due date moves one
day further every day: the deadline is then *provisional*, and reminders wait until it ends.

The first half of this module is plain date arithmetic (no database) so it can be tested with
generated inputs; ``deadline_for`` and ``investigations_with_deadlines`` apply it to models.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint

from .models import Investigation, TollingPeriod

# Once the board has decided (or the complaint left the process) the clock no longer runs: no
# reminders, and no changes to the clock, which would rewrite history.
CLOCK_STOPPED_STATUSES = frozenset(
    {
        Complaint.Status.DECIDED,
        Complaint.Status.CLOSED,
        Complaint.Status.REFERRED,
        Complaint.Status.MEDIATED,
        Complaint.Status.ADMINISTRATIVELY_CLOSED,
    }
)

ON_TRACK = "on_track"
DUE_SOON = "due_soon"
OVERDUE = "overdue"

STATE_LABELS = {
    ON_TRACK: _("On track"),
    DUE_SOON: _("Due soon"),
    OVERDUE: _("Overdue"),
}

Interval = tuple[date, date]


@dataclass(frozen=True)
class Deadline:
    discovery_date: date
    period_days: int
    due_date: date
    days_left: int  # negative once overdue
    state: str
    tolled_days: int
    is_tolled_now: bool
    # An open tolling period counts toward the due date: it moves one day further each day.
    is_provisional: bool = False

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def untolled_due_date(self) -> date:
        return self.discovery_date + timedelta(days=self.period_days)

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def period_days() -> int:
    return int(settings.DEADLINE_DAYS)


def due_soon_days() -> int:
    return int(settings.DEADLINE_DUE_SOON_DAYS)


def close_open_periods(periods: Iterable[tuple[date, date | None]], today: date) -> list[Interval]:
    """Periods as closed intervals of days: an open period ends today; one that has not started
    yet (open and starting after today) tolls nothing so far and is left out."""
    closed = []
    for start, end in periods:
        end = today if end is None else end
        if end >= start:
            closed.append((start, end))
    return closed


def merge_intervals(intervals: Iterable[Interval], *, not_before: date | None = None) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same days (both ends inclusive). Days
    before ``not_before`` are cut off. Adjacent intervals are joined (no day counts twice)."""
    clipped = []
    for start, end in intervals:
        if not_before is not None:
            if end < not_before:
                continue
            start = max(start, not_before)
        clipped.append((start, end))
    merged: list[Interval] = []
    for start, end in sorted(clipped):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def interval_days(interval: Interval) -> int:
    return (interval[1] - interval[0]).days + 1


def counted_tolling(discovery: date, days: int, intervals: Iterable[Interval]) -> tuple[date, list[Interval]]:
    """The due date and the tolled intervals that count toward it.

    Walks the merged periods in order: one that starts on or before the due date reached so far
    counts in full (the due date then lies after its end), and the walk stops at the first one
    that starts after it.
    """
    due = discovery + timedelta(days=days)
    counted = []
    for interval in merge_intervals(intervals, not_before=discovery):
        if interval[0] > due:
            break
        counted.append(interval)
        due += timedelta(days=interval_days(interval))
    return due, counted


def due_date_after_tolling(discovery: date, days: int, intervals: Iterable[Interval]) -> tuple[date, int]:
    """The due date and the number of tolled days that count toward it."""
    due, counted = counted_tolling(discovery, days, intervals)
    return due, sum(interval_days(i) for i in counted)


def compute_deadline(
    *,
    discovery_date: date,
    tolling: Iterable[tuple[date, date | None]] = (),
    today: date,
    days: int | None = None,
    soon: int | None = None,
) -> Deadline:
    """The deadline on ``today`` for a clock started on ``discovery_date`` with the given tolling
    periods (``(start, end)`` pairs, ``end`` None for an open period)."""
    days = period_days() if days is None else days
    soon = due_soon_days() if soon is None else soon
    tolling = list(tolling)
    intervals = close_open_periods(tolling, today)
    due, counted = counted_tolling(discovery_date, days, intervals)
    tolled = sum(interval_days(i) for i in counted)
    days_left = (due - today).days
    if days_left < 0:
        state = OVERDUE
    elif days_left <= soon:
        state = DUE_SOON
    else:
        state = ON_TRACK
    # Stopped today: a period that counts covers today (not one before discovery or after the due date).
    is_tolled_now = any(start <= today <= end for start, end in counted)
    # Due date moves while an open period still counts toward it (it started on or before the due
    # date computed without it).
    provisional = False
    open_starts = [start for start, end in tolling if end is None and start <= today]
    if open_starts:
        closed_only = close_open_periods([(s, e) for s, e in tolling if e is not None], today)
        due_without_open, _tolled = due_date_after_tolling(discovery_date, days, closed_only)
        provisional = due != due_without_open
    return Deadline(
        discovery_date=discovery_date,
        period_days=days,
        due_date=due,
        days_left=days_left,
        state=state,
        tolled_days=tolled,
        is_tolled_now=is_tolled_now,
        is_provisional=provisional,
    )


def _periods_of(investigation: Investigation) -> Sequence[tuple[date, date | None]]:
    # ``.all()`` uses the prefetch cache when the selector below filled it.
    return [(p.start, p.end) for p in investigation.tolling_periods.all()]


def deadline_for(investigation: Investigation, today: date | None = None) -> Deadline:
    """The deadline of one investigation on ``today`` (default: the local date)."""
    today = today or timezone.localdate()
    return compute_deadline(
        discovery_date=investigation.discovery_date, tolling=_periods_of(investigation), today=today
    )


def tolling_prefetch() -> Prefetch:
    return Prefetch("tolling_periods", queryset=TollingPeriod.objects.order_by("start", "id"))


def investigations_with_deadlines(
    investigations: QuerySet[Investigation] | None = None, *, today: date | None = None
) -> list[Any]:
    """The investigations, each with a ``deadline`` attribute, in two queries whatever their
    number (investigations with their complaints, then all their tolling periods)."""
    today = today or timezone.localdate()
    if investigations is None:
        investigations = Investigation.objects.all()
    rows = list(investigations.select_related("complaint").prefetch_related(tolling_prefetch()))
    for investigation in rows:
        investigation.deadline = deadline_for(investigation, today)
    return rows


def tolling_periods_with_deadline(
    investigation: Investigation, *, today: date | None = None
) -> tuple[list[TollingPeriod], Deadline]:
    """The investigation's tolling periods (oldest first, with who recorded them) and the deadline
    they give, from one query."""
    today = today or timezone.localdate()
    periods = list(investigation.tolling_periods.select_related("created_by").order_by("start", "id"))
    deadline = compute_deadline(
        discovery_date=investigation.discovery_date, tolling=[(p.start, p.end) for p in periods], today=today
    )
    return periods, deadline
