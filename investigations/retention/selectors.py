"""Reads for the retention pages, the review command and the periodic job.

A case's closing date is the date of its last move into a closed status, read from the lifecycle's
record of moves (``StatusChange``); a case closed before moves were recorded (imported or demo
data) falls back to ``status_changed_at``, which the lifecycle stamps on the same move. A reopened
case has left the closed statuses, so it is never due; closed again, its last closing counts, and
the period starts over. "Sustained" means a final disposition of sustained on any allegation.

The lists (``closed_cases``, ``cases_due``) read the closing date and schedule the lifecycle stored
on each case's retention record when it closed (``closings.py``): one indexed range, whatever the
size of the archive. One case's standing (``case_standing``, which the destruction's guards check)
works them out from the records themselves, by the same rule.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from complaints.models import Complaint
from investigations.models import Disposition, Finding, StatusChange
from investigations.selectors import case_get_for_user
from investigations.selectors._lookup import get_or_404
from oversight import audit, context
from oversight.pagination import Total, capped_count

from .models import LegalHold, RetentionRecord, RetentionReview, Schedule
from .schedule import CLOSED_STATUSES, due_on, latest_closing_due, local_date, schedule_for, years_for

REVIEW_PERM = "retention.review_retention"
HOLD_PERM = "retention.manage_legal_holds"
DESTROY_PERM = "retention.destroy_case_records"
# The due list runs oldest complaint first, in the order of the (status, received) index.
DUE_ORDER = ("received_at", "id")


def _last_closing() -> Subquery:
    return Subquery(
        StatusChange.objects.filter(complaint=OuterRef("pk"), to_status__in=CLOSED_STATUSES)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )


def _sustained() -> Exists:
    return Exists(Finding.objects.filter(allegation__complaint=OuterRef("pk"), final_disposition=Disposition.SUSTAINED))


def _active_holds() -> Prefetch:
    return Prefetch(
        "legal_holds",
        queryset=LegalHold.objects.filter(status=LegalHold.Status.ACTIVE).order_by("placed_at", "id"),
        to_attr="active_holds",
    )


def closed_cases() -> QuerySet[Complaint]:
    """Complaints in a closed status and not destroyed, each with ``closed_on`` (the local date of
    its last closing), ``schedule`` and ``sustained`` (from its retention record) and ``held`` (a
    legal hold in force)."""
    return Complaint.objects.filter(
        status__in=CLOSED_STATUSES,
        retention_record__status=RetentionRecord.Status.KEPT,
        retention_record__closed_on__isnull=False,
    ).annotate(
        closed_on=F("retention_record__closed_on"),
        schedule=F("retention_record__schedule"),
        sustained=ExpressionWrapper(Q(retention_record__schedule=Schedule.SUSTAINED), output_field=BooleanField()),
        held=Exists(LegalHold.objects.filter(complaint=OuterRef("pk"), status=LegalHold.Status.ACTIVE)),
    )


def _due_on(today: date) -> Q:
    return Q(
        retention_record__schedule=Schedule.SUSTAINED,
        retention_record__closed_on__lte=latest_closing_due(today, Schedule.SUSTAINED),
    ) | Q(
        retention_record__schedule=Schedule.NOT_SUSTAINED,
        retention_record__closed_on__lte=latest_closing_due(today, Schedule.NOT_SUSTAINED),
    )


def cases_due(*, today: date | None = None) -> QuerySet[Complaint]:
    """Closed cases whose retention period has run out on ``today`` (default: the local date),
    held ones included (the hold is shown beside them), oldest complaint first."""
    today = today or timezone.localdate()
    return closed_cases().filter(_due_on(today)).order_by(*DUE_ORDER)


def cases_newly_due(*, today: date, since: date | None) -> QuerySet[Complaint]:
    """Cases due on ``today`` that were not due on ``since`` (every due case when ``since`` is None)."""
    due = cases_due(today=today)
    if since is None:
        return due
    return due.exclude(_due_on(since))


@dataclass(frozen=True)
class DueRow:
    """One line of the due list: what the command and the page show."""

    complaint: Complaint
    closed_on: date
    schedule: str
    years: int
    due_on: date
    holds: list[LegalHold] = field(default_factory=list)

    @property
    def tracking_number(self) -> str:
        return self.complaint.tracking_number

    @property
    def schedule_label(self) -> str:
        return str(Schedule(self.schedule).label)


def due_rows(complaints: Iterable[Complaint]) -> list[DueRow]:
    """Rows for complaints read from ``cases_due`` (with their holds prefetched, see ``due_page``)."""
    rows = []
    for complaint in complaints:
        schedule = complaint.schedule
        closed_on = complaint.closed_on
        rows.append(
            DueRow(
                complaint=complaint,
                closed_on=closed_on,
                schedule=schedule,
                years=years_for(schedule),
                due_on=due_on(closed_on, schedule),
                holds=list(getattr(complaint, "active_holds", [])),
            )
        )
    return rows


def due_with_holds(*, today: date | None = None) -> QuerySet[Complaint]:
    """``cases_due`` with each case's holds in force prefetched (one more query per page)."""
    return cases_due(today=today).select_related("district").prefetch_related(_active_holds())


def due_total(*, today: date | None = None) -> Total:
    """How many cases are due, counted up to ``oversight.pagination.COUNT_CAP``."""
    return capped_count(cases_due(today=today))


def last_review() -> RetentionReview | None:
    return RetentionReview.objects.order_by("-ran_at", "-id").first()


# --- One case --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where one case stands under the schedule now."""

    complaint: Complaint
    closed_at: datetime | None
    sustained: bool
    holds: list[LegalHold]
    record: RetentionRecord | None

    @property
    def is_closed(self) -> bool:
        return self.complaint.status in CLOSED_STATUSES

    @property
    def is_destroyed(self) -> bool:
        return self.record is not None and self.record.is_destroyed

    @property
    def closed_on(self) -> date | None:
        if self.is_destroyed:
            return self.record.closed_on
        return local_date(self.closed_at) if self.closed_at and self.is_closed else None

    @property
    def schedule(self) -> str:
        if self.is_destroyed:
            return self.record.schedule
        return schedule_for(self.sustained)

    @property
    def schedule_label(self) -> str:
        return str(Schedule(self.schedule).label) if self.schedule else ""

    @property
    def years(self) -> int:
        return years_for(self.schedule)

    @property
    def due_on(self) -> date | None:
        if self.is_destroyed:
            return self.record.due_on
        return due_on(self.closed_on, self.schedule) if self.closed_on else None

    @property
    def is_held(self) -> bool:
        return bool(self.holds)

    def is_due(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_destroyed and self.due_on is not None and self.due_on <= today


def case_standing(complaint: Complaint) -> Standing:
    """The case's closing, schedule, holds in force and retention record, in three queries. Inside
    a service's transaction (the complaint row locked) it is the standing the destruction checks."""
    facts = (
        Complaint.objects.filter(pk=complaint.pk)
        .annotate(last_closing=_last_closing(), sustained=_sustained())
        .values("last_closing", "sustained", "status_changed_at")
        .first()
    ) or {"last_closing": None, "sustained": False, "status_changed_at": None}
    return Standing(
        complaint=complaint,
        closed_at=facts["last_closing"] or facts["status_changed_at"],
        sustained=bool(facts["sustained"]),
        holds=list(
            LegalHold.objects.filter(complaint=complaint, status=LegalHold.Status.ACTIVE)
            .select_related("placed_by")
            .order_by("placed_at", "id")
        ),
        record=RetentionRecord.objects.filter(complaint=complaint).select_related("destroyed_by").first(),
    )


def case_retention_flags(complaint: Complaint) -> dict[str, Any]:
    """What the case frame shows for retention (destroyed on, held), read once per request however
    many hooks ask: ``{"destroyed_at": datetime | None, "held": bool}``."""

    def compute() -> dict[str, Any]:
        # One query for both: every case page asks.
        destroyed = RetentionRecord.objects.filter(complaint=OuterRef("pk"), status=RetentionRecord.Status.DESTROYED)
        held = LegalHold.objects.filter(complaint=OuterRef("pk"), status=LegalHold.Status.ACTIVE)
        flags = (
            Complaint.objects.filter(pk=complaint.pk)
            .values(destroyed_at=Subquery(destroyed.values("destroyed_at")[:1]), held=Exists(held))
            .first()
        )
        return flags or {"destroyed_at": None, "held": False}

    return context.remembered(("retention-flags", complaint.pk), compute)


def case_holds(complaint: Complaint) -> QuerySet[LegalHold]:
    """Every hold ever placed on the case, newest first, with who placed and released it."""
    return (
        LegalHold.objects.filter(complaint=complaint)
        .select_related("placed_by", "released_by")
        .order_by("-placed_at", "-id")
    )


def hold_get_for_case(*, complaint: Complaint, hold_id: Any) -> LegalHold:
    """One hold of this case; ``Http404`` if missing or placed on another case."""
    hold = get_or_404(LegalHold.objects.select_related("placed_by"), pk=hold_id, complaint=complaint)
    hold.complaint = complaint
    return hold


def retention_case_get_for_user(*, user: Any, tracking_number: str, perm: str = "") -> Complaint:
    """The case, 404 if the user may not see it (audited by the case selector), 403 if ``perm`` is
    asked and they do not hold it (audited here)."""
    complaint = case_get_for_user(user=user, tracking_number=tracking_number)
    if perm and not user.has_perm(perm):
        audit.record("complaint.access_denied", target=complaint, outcome=audit.Outcome.DENIED, data={"perm": perm})
        raise PermissionDenied
    return complaint
