"""The management measures: caseload, the age of open cases, the statutory deadline clock, time in
each stage of the lifecycle, the times from intake to assignment and to close, subpoena
compliance and the department's responses to recommended discipline.

Everything is counted with grouped queries over the case tables (``COUNT ... GROUP BY``, and the
percentiles of ``expressions.spreads``): no case is read into Python one by one, and the number of
queries does not grow with the number of cases. The one exception is the deadline clock of the few
investigations with tolling periods, which is worked out here from their periods (read in one
query) with ``investigations.deadlines.compute_deadline``, exactly as the case page does.

Two kinds of measures (docs/measures.md gives every definition):

- **now**: caseload, open cases by age, the deadline clock, cases in each stage: the records as
  they stand at ``now``; the period does not apply;
- **in the period**: what happened between the first and the last day (both included, in the
  office's time zone): stays in a stage that ended, first assignments, closings, subpoenas issued,
  board decisions recommending discipline.

District and category filters apply to both: a case counts when its complaint is in that district,
and when one of its allegations is in that category or one of its sub-categories.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from complaints.models import Allegation, AllegationCategory, Complaint
from investigations.board.models import BoardDecision, DecisionFinding
from investigations.deadlines import DUE_SOON, OVERDUE, compute_deadline, due_soon_days, period_days
from investigations.models import InvestigatorAssignment, StatusChange, Subpoena, SubpoenaEvent, TollingPeriod
from investigations.models.case import Investigation
from investigations.selectors import eligible_investigators
from oversight.models import District
from oversight.templatetags.people import person_name

from .expressions import Spread, days_between, interpolate, local_date, local_zone, spreads, spreads_with_total
from .tables import COUNT, DAYS, Column, MeasureTable, Row, display, format_days

S = Complaint.Status
SS = Subpoena.Status

CLOSED_STATUSES = (S.CLOSED, S.MEDIATED, S.REFERRED, S.ADMINISTRATIVELY_CLOSED)
# The lifecycle's open stages, in the order a case passes them.
STAGES = (
    S.RECEIVED,
    S.IN_TRIAGE,
    S.IN_MEDIATION,
    S.UNDER_INVESTIGATION,
    S.FINDINGS_PROPOSED,
    S.BOARD_REVIEW,
    S.DECIDED,
)
# An investigator's open cases, and the investigations whose statutory clock is running: from
# acceptance until the board decides (``deadlines.CLOCK_STOPPED_STATUSES`` stops it after).
CASELOAD_STATUSES = (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, S.BOARD_REVIEW)
STAGE_GROUPS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("intake", gettext_lazy("In intake or mediation"), (S.RECEIVED, S.IN_TRIAGE, S.IN_MEDIATION)),
    ("investigation", gettext_lazy("Under investigation"), (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED)),
    ("board", gettext_lazy("With the board or decided"), (S.BOARD_REVIEW, S.DECIDED)),
)
# Age of an open case in whole days since the day it was received: (key, first day, last day, label).
AGE_BANDS: tuple[tuple[str, int, int | None, Any], ...] = (
    ("under-30", 0, 29, gettext_lazy("Under 30 days")),
    ("30-89", 30, 89, gettext_lazy("30 to 89 days")),
    ("90-179", 90, 179, gettext_lazy("90 to 179 days")),
    ("180-364", 180, 364, gettext_lazy("180 to 364 days")),
    ("365-plus", 365, None, gettext_lazy("A year or more")),
)
ANSWERED = (SS.COMPLIED, SS.PARTIALLY_COMPLIED, SS.NOT_COMPLIED)
AWAITED = (SS.ISSUED, SS.SERVED)
CLOSING_ROWS: tuple[tuple[str, str, Any], ...] = (
    ("close-closed", S.CLOSED, gettext_lazy("Intake to close: investigated and closed")),
    ("close-mediated", S.MEDIATED, gettext_lazy("Intake to close: resolved through mediation")),
    ("close-referred", S.REFERRED, gettext_lazy("Intake to close: referred to another agency")),
    ("close-administrative", S.ADMINISTRATIVELY_CLOSED, gettext_lazy("Intake to close: closed at intake")),
)
RESPONSE_ROWS: tuple[tuple[str, Any], ...] = (
    ("accepted", gettext_lazy("Accepted")),
    ("modified", gettext_lazy("Modified")),
    ("rejected", gettext_lazy("Rejected")),
    ("awaiting", gettext_lazy("Awaiting the response, not yet due")),
    ("overdue", gettext_lazy("Response overdue")),
)

TABLE_KEYS = ("caseload", "open-by-age", "deadlines", "stages", "times", "subpoenas", "department-responses")


# --- What is counted -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureFilters:
    """The period (both days included) and the optional district and category."""

    start: date
    end: date
    district: District | None = None
    category: AllegationCategory | None = None
    # The category and every category under it.
    category_ids: tuple[int, ...] = ()

    def as_data(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "district": self.district.pk if self.district else None,
            "category": self.category.pk if self.category else None,
        }


def category_with_descendants(category: AllegationCategory) -> tuple[int, ...]:
    """The ids of ``category`` and of every category under it (one query: the taxonomy is small)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in AllegationCategory.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.append(pk)
            todo.extend(children.get(pk, []))
    return tuple(sorted(found))


def _cases(filters: MeasureFilters, prefix: str) -> list[Any]:
    """Conditions keeping the rows whose complaint (at ``prefix``, "" for complaints) passes the
    district and category filters."""
    conditions: list[Any] = []
    if filters.district is not None:
        conditions.append(Q(**{f"{prefix}district_id": filters.district.pk}))
    if filters.category_ids:
        complaint = OuterRef(f"{prefix}pk" if prefix else "pk")
        conditions.append(
            Exists(Allegation.objects.filter(complaint_id=complaint, category_id__in=filters.category_ids))
        )
    return conditions


@dataclass(frozen=True)
class Moment:
    """``now`` and what follows from it: today in the office's time zone, and the period's bounds."""

    now: datetime
    today: date
    start: datetime
    end: datetime  # exclusive: midnight after the last day

    @classmethod
    def of(cls, filters: MeasureFilters, now: datetime | None) -> Moment:
        now = now or timezone.now()
        return cls(
            now=now,
            today=now.astimezone(local_zone()).date(),
            start=midnight(filters.start),
            end=midnight(filters.end + timedelta(days=1)),
        )


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def _in_period(field: str, moment: Moment) -> Q:
    return Q(**{f"{field}__gte": moment.start, f"{field}__lt": moment.end})


# --- The deadline clock ------------------------------------------------------------------------------------


@dataclass
class DeadlineCounts:
    """Investigations on the clock by state; ``tolled`` counts those with tolling periods, and
    ``tolled_late`` maps each tolled one that is overdue or due soon to its state."""

    overdue: int = 0
    due_soon: int = 0
    on_track: int = 0
    tolled: dict[str, int] = field(default_factory=lambda: {OVERDUE: 0, DUE_SOON: 0, "on_track": 0})
    tolled_late: dict[int, str] = field(default_factory=dict)
    # The days from ``today`` that decide an untolled clock's state.
    overdue_before: date | None = None
    due_soon_until: date | None = None


def deadline_counts(filters: MeasureFilters, moment: Moment) -> DeadlineCounts:
    """The clock of every investigation accepted and not yet decided: two queries.

    An investigation without tolling periods is due ``DEADLINE_DAYS`` after its discovery date, so
    its state follows from that date alone and the database counts it. One with tolling periods
    (the exception) gets its due date worked out from its periods."""
    today, days, soon = moment.today, period_days(), due_soon_days()
    counts = DeadlineCounts(
        overdue_before=today - timedelta(days=days), due_soon_until=today + timedelta(days=soon - days)
    )
    tolled = Exists(TollingPeriod.objects.filter(investigation_id=OuterRef("pk")))
    untolled = (
        Investigation.objects.filter(*_cases(filters, "complaint__"), complaint__status__in=CASELOAD_STATUSES)
        .filter(~tolled)
        .aggregate(
            overdue=Count("pk", filter=Q(discovery_date__lt=counts.overdue_before)),
            due_soon=Count(
                "pk", filter=Q(discovery_date__gte=counts.overdue_before, discovery_date__lte=counts.due_soon_until)
            ),
            on_track=Count("pk", filter=Q(discovery_date__gt=counts.due_soon_until)),
        )
    )
    periods: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    discovered: dict[int, date] = {}
    for pk, discovery, start, end in (
        TollingPeriod.objects.filter(
            *_cases(filters, "investigation__complaint__"), investigation__complaint__status__in=CASELOAD_STATUSES
        )
        .order_by("investigation_id", "start", "id")
        .values_list("investigation_id", "investigation__discovery_date", "start", "end")
    ):
        periods[pk].append((start, end))
        discovered[pk] = discovery
    counts.overdue, counts.due_soon, counts.on_track = untolled["overdue"], untolled["due_soon"], untolled["on_track"]
    for pk, spans in periods.items():
        state = compute_deadline(discovery_date=discovered[pk], tolling=spans, today=today, days=days, soon=soon).state
        if state == OVERDUE:
            counts.overdue += 1
        elif state == DUE_SOON:
            counts.due_soon += 1
        else:
            counts.on_track += 1
            state = "on_track"
        counts.tolled[state] += 1
        if state in (OVERDUE, DUE_SOON):
            counts.tolled_late[pk] = state
    return counts


def deadlines_table(counts: DeadlineCounts) -> MeasureTable:
    soon = due_soon_days()
    rows = (
        Row("overdue", _("Past the deadline"), (counts.overdue, counts.tolled[OVERDUE])),
        Row(
            "due-soon",
            ngettext("Due within %(days)s day", "Due within %(days)s days", soon) % {"days": soon},
            (counts.due_soon, counts.tolled[DUE_SOON]),
        ),
        Row("on-track", _("On track"), (counts.on_track, counts.tolled["on_track"])),
    )
    total = Row(
        "total",
        _("On the clock"),
        (counts.overdue + counts.due_soon + counts.on_track, sum(counts.tolled.values())),
    )
    return MeasureTable(
        key="deadlines",
        title=_("The statutory deadline clock"),
        description=_(
            "Investigations accepted and not yet decided, by where their deadline stands today: "
            "%(days)s days from the discovery date, extended by tolling periods."
        )
        % {"days": period_days()},
        row_heading=_("Deadline"),
        columns=(Column("investigations", _("Investigations")), Column("tolled", _("Of which tolled"))),
        rows=rows,
        totals=total,
        scope="now",
        empty=_("No investigation is on the clock now."),
    )


# --- Caseload --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caseload:
    table: MeasureTable
    # Over the investigators who carry at least one open case (as the public statistics count it).
    median: float | None
    most: int | None
    carrying: int


def caseload(filters: MeasureFilters, moment: Moment, deadlines: DeadlineCounts) -> Caseload:
    """Open cases per investigator: active assignments on cases under investigation, with findings
    proposed or with the board. Three queries: the counts, the tolled cases' assignments, the names
    (every active investigator is listed, with none if they carry none)."""
    tolled = Exists(TollingPeriod.objects.filter(investigation_id=OuterRef("investigation_id")))
    discovery = "investigation__discovery_date"
    assignments = InvestigatorAssignment.objects.filter(
        *_cases(filters, "investigation__complaint__"),
        ended_at__isnull=True,
        investigation__complaint__status__in=CASELOAD_STATUSES,
    )
    counts = {
        row["investigator_id"]: row
        for row in assignments.order_by()
        .values("investigator_id")
        .annotate(
            open=Count("investigation_id", distinct=True),
            lead=Count("investigation_id", distinct=True, filter=Q(is_lead=True)),
            overdue=Count(
                "investigation_id", distinct=True, filter=Q(~tolled, **{f"{discovery}__lt": deadlines.overdue_before})
            ),
            due_soon=Count(
                "investigation_id",
                distinct=True,
                filter=Q(
                    ~tolled,
                    **{f"{discovery}__gte": deadlines.overdue_before, f"{discovery}__lte": deadlines.due_soon_until},
                ),
            ),
        )
    }
    late: dict[int, dict[str, int]] = defaultdict(lambda: {OVERDUE: 0, DUE_SOON: 0})
    if deadlines.tolled_late:
        for investigator_id, investigation_id in (
            InvestigatorAssignment.objects.filter(ended_at__isnull=True, investigation_id__in=deadlines.tolled_late)
            .order_by()
            .values_list("investigator_id", "investigation_id")
            .distinct()
        ):
            late[investigator_id][deadlines.tolled_late[investigation_id]] += 1
    people = get_user_model().objects.filter(Q(pk__in=list(counts)) | Q(pk__in=eligible_investigators().values("pk")))
    rows = []
    for user in people.only("pk", "username", "first_name", "last_name"):
        found = counts.get(user.pk, {})
        rows.append(
            Row(
                str(user.pk),
                person_name(user),
                (
                    found.get("open", 0),
                    found.get("lead", 0),
                    found.get("overdue", 0) + late[user.pk][OVERDUE],
                    found.get("due_soon", 0) + late[user.pk][DUE_SOON],
                ),
            )
        )
    rows.sort(key=lambda row: (-row.values[0], row.label.lower(), row.key))
    carried = sorted(row.values[0] for row in rows if row.values[0])
    table = MeasureTable(
        key="caseload",
        title=_("Caseload per investigator"),
        description=_(
            "Open cases each investigator is assigned to now (under investigation, findings proposed or with "
            "the board), how many of them they lead, and how many are past or near the statutory deadline."
        ),
        row_heading=_("Investigator"),
        columns=(
            Column("open", _("Open cases")),
            Column("lead", _("As lead")),
            Column("overdue", _("Past the deadline")),
            Column("due-soon", _("Due soon")),
        ),
        rows=tuple(rows),
        scope="now",
        empty=_("No investigator is assigned to an open case now."),
    )
    return Caseload(
        table=table,
        median=interpolate(carried, 0.5),
        most=carried[-1] if carried else None,
        carrying=len(carried),
    )


# --- Open cases by age, and by stage ---------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCases:
    table: MeasureTable
    by_stage: dict[str, int]
    total: int


def open_cases(filters: MeasureFilters, moment: Moment) -> OpenCases:
    """Complaints not closed, by age band and stage: one grouped query. A complaint's age is the
    whole days from the day it was received to today."""
    bands = [
        When(received_at__gte=midnight(moment.today - timedelta(days=last)), then=Value(key))
        for key, _first, last, _label in AGE_BANDS
        if last is not None
    ]
    band = Case(*bands, default=Value(AGE_BANDS[-1][0]), output_field=CharField())
    counts: dict[tuple[str, str], int] = {
        (row["band"], row["status"]): row["n"]
        for row in Complaint.objects.filter(*_cases(filters, ""), status__in=STAGES)
        .order_by()
        .annotate(band=band)
        .values("band", "status")
        .annotate(n=Count("pk"))
    }
    by_stage = {status: sum(n for (_band, s), n in counts.items() if s == status) for status in STAGES}
    rows = []
    for key, _first, _last, label in AGE_BANDS:
        groups = [sum(counts.get((key, status), 0) for status in statuses) for _g, _l, statuses in STAGE_GROUPS]
        rows.append(Row(key, str(label), (*groups, sum(groups))))
    totals = Row("total", _("All open cases"), tuple(sum(row.values[i] for row in rows) for i in range(4)))
    table = MeasureTable(
        key="open-by-age",
        title=_("Open cases by age"),
        description=_(
            "Complaints not yet closed, by how long ago they were received (in whole days) and where they are now."
        ),
        row_heading=_("Age"),
        columns=(
            *(Column(key, str(label)) for key, label, _statuses in STAGE_GROUPS),
            Column("total", _("All open")),
        ),
        rows=tuple(rows),
        totals=totals,
        scope="now",
        chart="grouped_bar",
        chart_columns=(0, 1, 2),
        empty=_("No complaint is open now."),
    )
    return OpenCases(table=table, by_stage=by_stage, total=totals.values[3])


# --- Time in each stage ----------------------------------------------------------------------------------


def stage_stays(filters: MeasureFilters, moment: Moment) -> dict[str, Spread]:
    """The stays in each stage that ended in the period, and their days: one query.

    Each status change ends a stay in the status it left. The stay began with the change before it
    on the same complaint, or, for the first, when the complaint was received. A change that brought
    an imported record in (``import``) ends no stay: what came before it happened elsewhere. Time
    spent closed before a reopening is not a stage."""
    previous = (
        StatusChange.objects.filter(complaint_id=OuterRef("complaint_id"))
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id")))
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    began = Coalesce(Subquery(previous), F("complaint__received_at"))
    stays = StatusChange.objects.filter(
        _in_period("created_at", moment), *_cases(filters, "complaint__"), from_status__in=STAGES
    ).exclude(action="import")
    return spreads(stays, days_between(local_date("created_at"), local_date(began)), group="from_status")


def stages_table(stays: dict[str, Spread], now_in: dict[str, int]) -> MeasureTable:
    rows = []
    for status in STAGES:
        spread = stays.get(status, Spread())
        rows.append(Row(status, str(S(status).label), (spread.count, spread.median, spread.p90, now_in.get(status, 0))))
    return MeasureTable(
        key="stages",
        title=_("Time in each stage"),
        description=_(
            "Stays in each stage of the lifecycle that ended in the period: how many, and the days they took "
            "(median and 90th percentile). The last column counts the complaints in the stage now."
        ),
        row_heading=_("Stage"),
        columns=(
            Column("stays", _("Stays ended")),
            Column("median", _("Median days"), DAYS),
            Column("p90", _("90th percentile, days"), DAYS),
            Column("now", _("In this stage now")),
        ),
        rows=tuple(rows),
        scope="period",
        chart="grouped_bar",
        chart_columns=(1, 2),
        empty=_("No case left a stage in this period, and none is open now."),
    )


# --- Times from intake -----------------------------------------------------------------------------------


def days_to_assignment(filters: MeasureFilters, moment: Moment) -> Spread:
    """Complaints whose first investigator was assigned in the period: days from the day received to
    the day of that first assignment. One query."""
    earlier = InvestigatorAssignment.objects.filter(investigation_id=OuterRef("investigation_id")).filter(
        Q(assigned_at__lt=OuterRef("assigned_at")) | Q(assigned_at=OuterRef("assigned_at"), id__lt=OuterRef("id"))
    )
    firsts = InvestigatorAssignment.objects.filter(
        _in_period("assigned_at", moment), *_cases(filters, "investigation__complaint__")
    ).filter(~Exists(earlier))
    days = days_between(local_date("assigned_at"), local_date("investigation__complaint__received_at"))
    return spreads(firsts, days).get(None, Spread())


def days_to_close(filters: MeasureFilters, moment: Moment) -> tuple[dict[str, Spread], Spread]:
    """Complaints closed in the period (closed, mediated, referred or closed at intake, the date of
    that last status change in the period): days from the day received to the day closed, by how
    they closed and all together. The public statistics count "closed" and "time to close" the same
    way."""
    closed = Complaint.objects.filter(
        _in_period("status_changed_at", moment), *_cases(filters, ""), status__in=CLOSED_STATUSES
    )
    return spreads_with_total(
        closed, days_between(local_date("status_changed_at"), local_date("received_at")), group="status"
    )


def _current_decision(prefix: str = "") -> Q:
    """The decision (at ``prefix``) is its case's latest, and no other decision corrects it: the board's
    word on the case now (as the public statistics read it)."""
    later = BoardDecision.objects.filter(complaint_id=OuterRef(f"{prefix}complaint_id")).filter(
        Q(created_at__gt=OuterRef(f"{prefix}created_at"))
        | Q(created_at=OuterRef(f"{prefix}created_at"), id__gt=OuterRef(f"{prefix}id"))
    )
    corrected = BoardDecision.objects.filter(corrects_id=OuterRef(f"{prefix}id"))
    return Q(~Exists(later), ~Exists(corrected))


def recommended_discipline(filters: MeasureFilters, moment: Moment) -> QuerySet[DecisionFinding]:
    """Final findings of the board's current decisions made in the period that recommend discipline."""
    return DecisionFinding.objects.filter(
        _current_decision("decision__"),
        _in_period("decision__created_at", moment),
        *_cases(filters, "decision__complaint__"),
    ).exclude(recommended_discipline="")


def days_to_department_response(filters: MeasureFilters, moment: Moment) -> Spread:
    """Recommended discipline (decided in the period) the department has answered: days from the day
    of the board's decision to the date of the response. One query."""
    response = "finding__department_response__"
    answered = recommended_discipline(filters, moment).filter(**{f"{response}responded_on__isnull": False})
    days = days_between(F(f"{response}responded_on"), local_date("decision__created_at"))
    return spreads(answered, days).get(None, Spread())


def _answered_at() -> Subquery:
    return Subquery(
        SubpoenaEvent.objects.filter(subpoena_id=OuterRef("pk"), to_status__in=ANSWERED)
        .order_by("-occurred_at", "-id")
        .values("occurred_at")[:1]
    )


def subpoenas_issued(filters: MeasureFilters, moment: Moment) -> QuerySet[Subpoena]:
    return Subpoena.objects.filter(_in_period("issued_at", moment), *_cases(filters, "complaint__")).annotate(
        answered_on=local_date(_answered_at())
    )


def days_to_subpoena_answer(filters: MeasureFilters, moment: Moment) -> Spread:
    """Subpoenas issued in the period and answered (complied, partly or not): days from the day issued
    to the day the answer was recorded. One query."""
    answered = subpoenas_issued(filters, moment).filter(answered_on__isnull=False)
    return spreads(answered, days_between(F("answered_on"), local_date("issued_at"))).get(None, Spread())


def times_table(
    assignment: Spread, closings: dict[str, Spread], closed: Spread, response: Spread, subpoena: Spread
) -> MeasureTable:
    def row(key: str, label: Any, spread: Spread) -> Row:
        return Row(key, str(label), (spread.count, spread.median, spread.p90))

    rows = [
        row("assignment", _("Intake to first assignment"), assignment),
        row("close-all", _("Intake to close: every closing"), closed),
        *(row(key, label, closings.get(status, Spread())) for key, status, label in CLOSING_ROWS),
        row("department-response", _("Board decision to the department's response"), response),
        row("subpoena-answer", _("Subpoena issued to its answer"), subpoena),
    ]
    return MeasureTable(
        key="times",
        title=_("How long the work takes"),
        description=_(
            "Days from one step to the next for cases that reached the later step in the period: the first "
            "assignment, the closing, the department's response to recommended discipline, a subpoena's answer."
        ),
        row_heading=_("From and to"),
        columns=(
            Column("cases", _("Cases")),
            Column("median", _("Median days"), DAYS),
            Column("p90", _("90th percentile, days"), DAYS),
        ),
        rows=tuple(rows),
        scope="period",
        chart="grouped_bar",
        chart_columns=(1, 2),
        empty=_("Nothing reached these steps in this period."),
    )


# --- Subpoenas -------------------------------------------------------------------------------------------


def subpoenas_table(filters: MeasureFilters, moment: Moment) -> MeasureTable:
    """Subpoenas issued in the period, by where they stand now: one grouped query. Answered late: the
    answer (full, partial or none) was recorded after the due date."""
    found = {
        row["status"]: row
        for row in subpoenas_issued(filters, moment)
        .order_by()
        .values("status")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(answered_on__gt=F("due_date"))),
            past_due=Count("pk", filter=Q(due_date__lt=moment.today)),
        )
    }

    def total(statuses, name: str = "n") -> int:
        return sum(found.get(status, {}).get(name, 0) for status in statuses)

    awaited = total(AWAITED)
    past_due = total(AWAITED, "past_due")
    rows = (
        Row("complied", _("Complied in full"), (total([SS.COMPLIED]), total([SS.COMPLIED], "late"))),
        Row("partly", _("Partly complied"), (total([SS.PARTIALLY_COMPLIED]), total([SS.PARTIALLY_COMPLIED], "late"))),
        Row(
            "not-complied",
            _("Did not comply (including referred for enforcement)"),
            (
                total([SS.NOT_COMPLIED, SS.ENFORCEMENT_REFERRED]),
                total([SS.NOT_COMPLIED, SS.ENFORCEMENT_REFERRED], "late"),
            ),
        ),
        Row("ended", _("Quashed or withdrawn"), (total([SS.QUASHED, SS.WITHDRAWN]), 0)),
        Row("awaited", _("Awaiting an answer, not yet due"), (awaited - past_due, 0)),
        Row("past-due", _("Awaiting an answer, past the due date"), (past_due, 0)),
    )
    totals = Row("total", _("Issued in the period"), (sum(r.values[0] for r in rows), sum(r.values[1] for r in rows)))
    return MeasureTable(
        key="subpoenas",
        title=_("Subpoena compliance"),
        description=_(
            "Subpoenas issued in the period, by where they stand now, and how many were answered after their due date."
        ),
        row_heading=_("Outcome"),
        columns=(Column("subpoenas", _("Subpoenas")), Column("late", _("Answered after the due date"))),
        rows=rows,
        totals=totals,
        scope="period",
        empty=_("No subpoena was issued in this period."),
    )


# --- The department's responses ---------------------------------------------------------------------------


def department_responses_table(filters: MeasureFilters, moment: Moment) -> MeasureTable:
    """Recommended discipline decided in the period, by the department's response: one grouped query.
    Overdue: no response and the due date has passed."""
    response = "finding__department_response__"
    state = Case(
        When(**{f"{response}isnull": True}, then=Value("awaiting")),
        When(**{f"{response}response": "", f"{response}due_date__lt": moment.today}, then=Value("overdue")),
        When(**{f"{response}response": ""}, then=Value("awaiting")),
        default=F(f"{response}response"),
        output_field=CharField(),
    )
    found = {
        row["state"]: row
        for row in recommended_discipline(filters, moment)
        .order_by()
        .annotate(state=state)
        .values("state")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(**{f"{response}responded_on__gt": F(f"{response}due_date")})),
        )
    }
    rows = tuple(
        Row(key, str(label), (found.get(key, {}).get("n", 0), found.get(key, {}).get("late", 0)))
        for key, label in RESPONSE_ROWS
    )
    totals = Row(
        "total", _("Recommended in the period"), (sum(r.values[0] for r in rows), sum(r.values[1] for r in rows))
    )
    return MeasureTable(
        key="department-responses",
        title=_("The department's responses to recommended discipline"),
        description=_(
            "Sustained findings for which the board, in a decision made in the period, recommended discipline: "
            "the police department's response, and how many responses came after their due date."
        ),
        row_heading=_("Response"),
        columns=(Column("recommendations", _("Recommendations")), Column("late", _("Answered after the due date"))),
        rows=rows,
        totals=totals,
        scope="period",
        empty=_("The board recommended no discipline in this period."),
    )


# --- Everything, for the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Measures:
    filters: MeasureFilters
    now: datetime
    tables: tuple[MeasureTable, ...]
    headlines: tuple[Headline, ...]
    caseload: Caseload
    open: OpenCases
    deadlines: DeadlineCounts

    def table(self, key: str) -> MeasureTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)

    @property
    def is_empty(self) -> bool:
        return all(table.is_empty for table in self.tables)


def measures_for(filters: MeasureFilters, *, now: datetime | None = None) -> Measures:
    """Every table of the measures page for ``filters``, as the records stand at ``now``."""
    moment = Moment.of(filters, now)
    deadlines = deadline_counts(filters, moment)
    load = caseload(filters, moment, deadlines)
    open_now = open_cases(filters, moment)
    closings, closed = days_to_close(filters, moment)
    assignment = days_to_assignment(filters, moment)
    times = times_table(
        assignment,
        closings,
        closed,
        days_to_department_response(filters, moment),
        days_to_subpoena_answer(filters, moment),
    )
    subpoenas = subpoenas_table(filters, moment)
    responses = department_responses_table(filters, moment)
    tables = (
        load.table,
        open_now.table,
        deadlines_table(deadlines),
        stages_table(stage_stays(filters, moment), open_now.by_stage),
        times,
        subpoenas,
        responses,
    )

    def days(value: float | None) -> str:
        return format_days(value) if value is not None else ""

    def count(value: int | None) -> str:
        return "" if value is None else display(value, COUNT)

    headlines = (
        Headline("open", _("Open cases now"), count(open_now.total)),
        Headline("overdue", _("Investigations past the deadline"), count(deadlines.overdue)),
        Headline(
            "due-soon",
            ngettext("Due within %(days)s day", "Due within %(days)s days", due_soon_days())
            % {"days": due_soon_days()},
            count(deadlines.due_soon),
        ),
        Headline(
            "caseload",
            _("Median open caseload"),
            display(load.median, DAYS) if load.median is not None else "",
            ngettext(
                "Of %(count)s investigator with open cases; most carried: %(most)s.",
                "Of %(count)s investigators with open cases; most carried: %(most)s.",
                load.carrying,
            )
            % {"count": load.carrying, "most": load.most}
            if load.carrying
            else "",
        ),
        Headline(
            "to-close",
            _("Median time from intake to close"),
            days(closed.median),
            ngettext(
                "Of %(count)s case closed in the period.", "Of %(count)s cases closed in the period.", closed.count
            )
            % {"count": closed.count},
        ),
        Headline(
            "to-assignment",
            _("Median time from intake to assignment"),
            days(assignment.median),
            ngettext(
                "Of %(count)s case first assigned in the period.",
                "Of %(count)s cases first assigned in the period.",
                assignment.count,
            )
            % {"count": assignment.count},
        ),
        Headline(
            "subpoenas-late",
            _("Subpoenas answered late or past due"),
            count(subpoenas.value("past-due", "subpoenas") + subpoenas.totals.values[1]),
            ngettext(
                "Of %(count)s subpoena issued in the period.",
                "Of %(count)s subpoenas issued in the period.",
                subpoenas.totals.values[0],
            )
            % {"count": subpoenas.totals.values[0]},
        ),
        Headline(
            "responses-overdue",
            _("Department responses overdue"),
            count(responses.value("overdue", "recommendations")),
            ngettext(
                "Of %(count)s recommendation of discipline in the period.",
                "Of %(count)s recommendations of discipline in the period.",
                responses.totals.values[0],
            )
            % {"count": responses.totals.values[0]},
        ),
    )
    return Measures(
        filters=filters,
        now=moment.now,
        tables=tables,
        headlines=headlines,
        caseload=load,
        open=open_now,
        deadlines=deadlines,
    )


def measure_table(key: str, filters: MeasureFilters, *, now: datetime | None = None) -> MeasureTable:
    """One table of the page (``TABLE_KEYS``), counted on its own for its download."""
    moment = Moment.of(filters, now)
    if key == "caseload":
        return caseload(filters, moment, deadline_counts(filters, moment)).table
    if key == "open-by-age":
        return open_cases(filters, moment).table
    if key == "deadlines":
        return deadlines_table(deadline_counts(filters, moment))
    if key == "stages":
        return stages_table(stage_stays(filters, moment), open_cases(filters, moment).by_stage)
    if key == "times":
        closings, closed = days_to_close(filters, moment)
        return times_table(
            days_to_assignment(filters, moment),
            closings,
            closed,
            days_to_department_response(filters, moment),
            days_to_subpoena_answer(filters, moment),
        )
    if key == "subpoenas":
        return subpoenas_table(filters, moment)
    if key == "department-responses":
        return department_responses_table(filters, moment)
    raise KeyError(key)


def may_view_measures(user: Any) -> bool:
    """Supervisors (who hold ``measures.view_measures``); anyone else gets the staff 404 page."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm("measures.view_measures")
