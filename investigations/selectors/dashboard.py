"""Reads for the "My work" dashboard: counts, the user's own cases and, for supervisors, the
investigations whose statutory deadline has passed or is close."""

import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from complaints.models import Complaint
from complaints.selectors import complaint_counts_by_status, complaint_visible_queryset

from ..deadlines import DUE_SOON, OVERDUE, Deadline, compute_deadline, deadline_for, due_soon_days, period_days
from ..models import Investigation, InvestigatorAssignment, StatusChange, TollingPeriod
from .case import cases_assigned_to

# The statuses in which the investigation is still being worked, so its deadline is still ahead of someone.
DEADLINE_WATCH_STATUSES = (Complaint.Status.UNDER_INVESTIGATION, Complaint.Status.FINDINGS_PROPOSED)
DEADLINE_WATCH_LIMIT = 50


def case_counts_by_status(*, user: Any) -> dict[str, int]:
    """How many cases ``user`` can see in each status (statuses with none are absent).

    No full ``GROUP BY`` of the complaints table: a supervisor's figures come from the status
    counts the database keeps, a scoped user's from counting their own cases
    (``complaints.selectors.complaint_counts_by_status``). One or two queries at any size.
    """
    return complaint_counts_by_status(user=user)


# The columns a case row of a staff table shows, and what its deadline needs: no narrative, report
# or hashes per row. For a queryset with ``select_related("district", "investigation")``.
CASE_ROW_FIELDS = (
    "tracking_number",
    "status",
    "received_at",
    "district__name",
    "investigation__id",
    "investigation__complaint_id",
    "investigation__discovery_date",
)


def cases_assigned_with_deadlines(*, user: Any, limit: int = 200, today: date | None = None) -> list[Complaint]:
    """The first ``limit`` cases assigned to ``user`` (oldest first), each with a ``deadline``
    (None before the case is accepted): two queries, however many cases."""
    today = today or timezone.localdate()
    cases = list(
        cases_assigned_to(user).only(*CASE_ROW_FIELDS).prefetch_related("investigation__tolling_periods")[:limit]
    )
    for case in cases:
        case.deadline = deadline_for(case.investigation, today) if case.investigation else None
    return cases


def cases_sent_back_count(*, cases: Sequence[Complaint]) -> int:
    """How many of ``cases`` are under investigation again after a supervisor sent the findings back."""
    if not cases:
        return 0
    sent_back = StatusChange.objects.filter(
        action="send_back",
        complaint__in=[case.pk for case in cases],
        complaint__status=Complaint.Status.UNDER_INVESTIGATION,
    ).values_list("complaint_id", flat=True)
    return len(set(sent_back))


def _open_pairs(queryset: QuerySet) -> list[tuple[int, date]]:
    """The rows of ``queryset``, a join of open complaints to their investigations.

    On PostgreSQL the join is asked for without hashing: the planner would otherwise hash the open
    complaints and read every investigation ever opened (the archive: 700,000 rows at a million
    complaints) to find the few thousand open ones, where looking up each open complaint's
    investigation through its unique index costs the same whatever the size of the archive.
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return list(queryset)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_hashjoin = off")
        return list(queryset)


@dataclass(frozen=True)
class DeadlineWatch:
    """Investigations overdue or due soon, soonest due first, capped; ``total`` counts them all."""

    investigations: list[Investigation] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.investigations)


def investigations_overdue_or_due_soon(
    *, user: Any, today: date | None = None, limit: int = DEADLINE_WATCH_LIMIT
) -> DeadlineWatch:
    """The open investigations (under investigation or findings proposed) ``user`` can see whose
    deadline is overdue or due within ``DEADLINE_DUE_SOON_DAYS``, soonest due first.

    Each investigation carries ``deadline`` and ``lead`` (the current lead's assignment, or None).
    Tolling only ever moves a due date later, so no case discovered after ``today + due soon -
    DEADLINE_DAYS`` can be due soon: only cases discovered on or before that day are candidates.

    * A candidate **never tolled** is due ``DEADLINE_DAYS`` after discovery, so it is overdue or
      due soon by being a candidate at all, and its due date orders like its discovery date: only
      (id, discovery date) pairs are read, and only the first ``limit`` get a deadline worked out.
    * A candidate **with tolling periods** (few: tolling is the exception) has its exact due date
      worked out here, from its periods.

    The cost follows the open cases past eleven months (the overdue backlog), never the archive of
    closed ones. Four queries whatever the number of cases or of tolled ones: the tolled
    candidates' periods with their discovery dates, every candidate's pair, the rows shown, their
    leads.
    """
    today = today or timezone.localdate()
    days, soon = period_days(), due_soon_days()
    candidates = complaint_visible_queryset(user).filter(
        status__in=DEADLINE_WATCH_STATUSES,
        investigation__discovery_date__lte=today + timedelta(days=soon - days),
    )
    # The tolled candidates, with their discovery dates, in one read of their periods.
    tolling: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    discovered: dict[int, date] = {}
    for investigation_id, discovery_date, start, end in TollingPeriod.objects.filter(
        investigation__complaint__in=candidates.values("pk")
    ).values_list("investigation_id", "investigation__discovery_date", "start", "end"):
        tolling[investigation_id].append((start, end))
        discovered[investigation_id] = discovery_date
    deadlines: dict[int, Deadline] = {}
    for pk, periods in tolling.items():
        deadline = compute_deadline(discovery_date=discovered[pk], tolling=periods, today=today, days=days, soon=soon)
        if deadline.state in (OVERDUE, DUE_SOON):
            deadlines[pk] = deadline
    tolled_total = len(deadlines)
    # Read as plain pairs and ordered here: asked to order and stop after ``limit`` rows, the
    # database walks investigations from the oldest discovery date, and the oldest are the closed
    # ones, a whole archive of them, before it meets an open case.
    pairs = [
        (pk, discovery_date)
        for pk, discovery_date in _open_pairs(
            candidates.order_by().values_list("investigation__pk", "investigation__discovery_date")
        )
        if pk not in tolling
    ]
    untolled_total = len(pairs)
    for pk, discovery_date in heapq.nsmallest(limit, pairs, key=lambda pair: (pair[1], pair[0])):
        deadlines[pk] = compute_deadline(discovery_date=discovery_date, tolling=(), today=today, days=days, soon=soon)
    if not deadlines:
        return DeadlineWatch()
    order = sorted(deadlines, key=lambda pk: (deadlines[pk].due_date, pk))
    shown = order[:limit]
    leads = InvestigatorAssignment.objects.filter(ended_at__isnull=True, is_lead=True).select_related("investigator")
    rows = {
        investigation.pk: investigation
        for investigation in Investigation.objects.filter(pk__in=shown)
        .select_related("complaint")
        .prefetch_related(Prefetch("assignments", queryset=leads, to_attr="lead_assignments"))
    }
    investigations = []
    for pk in shown:
        investigation = rows.get(pk)
        if investigation is None:  # gone between the two reads
            continue
        investigation.deadline = deadlines[pk]
        investigation.lead = investigation.lead_assignments[0] if investigation.lead_assignments else None
        investigations.append(investigation)
    return DeadlineWatch(investigations=investigations, total=tolled_total + untolled_total)
