"""The public statistics: every complaint counted (published or not), suppressed, for the dashboard,
the downloads, the API and the reports.

``compute_statistics`` counts straight from the case tables with a handful of ``GROUP BY`` queries
(no row is read into Python one by one) and suppresses every count with
:mod:`public_portal.transparency.suppression`; ``refresh_snapshot`` stores the result for all years
and for each year in ``StatisticsSnapshot``; ``published_statistics`` rebuilds it from there, so a
public request reads one row of that table and nothing else.

Which date puts a complaint in a period:

- the date it was received: complaints by district, channel and screening outcome, the open
  backlog, allegations, complainants and officers named, and the "received" column by month;
- the date it closed (closed, mediated, referred or administratively closed; the last status
  change): the "closed" column by month, time to close;
- the date of the board's decision: board decisions, and the discipline they recommended with the
  department's response.

Tables that count the same things (complaints received by district and by month; allegations by
category and by disposition; complainants by race and by gender; closed complaints by month and
by time to close; officers by race and by gender) share their totals, and so does each year with
all years. They are suppressed together (see ``_protect``), so that no hidden count can be worked
out from another table or from the difference between all years and the other years.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import ceil
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, Count, DateField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import ExtractYear, TruncDate, TruncMonth
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from complaints.models import Allegation, AllegationCategory, Complaint, Party, SubjectOfficer
from investigations.board.models import BoardDecision, DecisionFinding
from investigations.models import Disposition, InvestigatorAssignment
from oversight import audit
from oversight.models import Demographic, District

from .models import ALL_YEARS, StatisticsSnapshot
from .suppression import Cell, Status, SuppressionError, suppress_linked, suppress_table

S = Complaint.Status

# --- What the public sees -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicRow:
    key: str
    label: str
    cells: tuple[Cell, ...]
    total: Cell | None


@dataclass(frozen=True)
class PublicTable:
    key: str
    title: str
    description: str
    row_heading: str
    column_keys: tuple[str, ...]
    column_headings: tuple[str, ...]
    rows: tuple[PublicRow, ...]
    column_totals: tuple[Cell, ...] | None
    grand_total: Cell | None
    chart: str
    # Why the table has no rows, when it is withheld as a whole ("" otherwise).
    note: str = ""


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    value: str
    raw: float | None
    note: str


@dataclass(frozen=True)
class Statistics:
    as_of: datetime
    period_label: str
    start: date | None
    end: date | None
    summary: tuple[Measure, ...]
    tables: tuple[PublicTable, ...]
    threshold: int | None = None

    def table(self, key: str) -> PublicTable:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


# --- The tables ----------------------------------------------------------------------------------------

NOT_RECORDED = "not_recorded"
UNCLASSIFIED = "unclassified"
PENDING = "pending"
NO_DISTRICT = "none"

CLOSED_STATUSES = (S.CLOSED, S.MEDIATED, S.REFERRED, S.ADMINISTRATIVELY_CLOSED)
# Open cases an investigator carries (caseload).
INVESTIGATION_STATUSES = (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, S.BOARD_REVIEW)

# Screening outcome and, for complaints still open, the stage they are at: one row per complaint.
SCREENING_ROWS: dict[str, Any] = {
    "awaiting_screening": _("Awaiting screening"),
    "in_mediation": _("Sent to mediation: still in mediation"),
    "mediated": _("Sent to mediation: resolved"),
    "referred": _("Referred to another agency"),
    "closed_no_jurisdiction": _("Closed at intake: no jurisdiction"),
    "closed_duplicate": _("Closed at intake: duplicate"),
    "closed_withdrawn": _("Closed at intake: withdrawn by the complainant"),
    "closed_insufficient_information": _("Closed at intake: not enough information"),
    "closed_other": _("Closed at intake: other reason"),
    "under_investigation": _("Accepted: under investigation"),
    "with_the_board": _("Accepted: with the board"),
    "decided": _("Accepted: decided, waiting to be closed"),
    "closed_after_investigation": _("Accepted: investigated and closed"),
}
_SCREENING_FOR_STATUS = {
    S.RECEIVED: "awaiting_screening",
    S.IN_TRIAGE: "awaiting_screening",
    S.IN_MEDIATION: "in_mediation",
    S.MEDIATED: "mediated",
    S.REFERRED: "referred",
    S.UNDER_INVESTIGATION: "under_investigation",
    S.FINDINGS_PROPOSED: "under_investigation",
    S.BOARD_REVIEW: "with_the_board",
    S.DECIDED: "decided",
    S.CLOSED: "closed_after_investigation",
}
_CLOSED_FOR_REASON = {
    Complaint.ClosureReason.NO_JURISDICTION: "closed_no_jurisdiction",
    Complaint.ClosureReason.DUPLICATE: "closed_duplicate",
    Complaint.ClosureReason.WITHDRAWN: "closed_withdrawn",
    Complaint.ClosureReason.INSUFFICIENT_INFORMATION: "closed_insufficient_information",
}
BACKLOG_ROWS: dict[str, Any] = {
    "awaiting_screening": _("Awaiting screening"),
    "in_mediation": _("In mediation"),
    "under_investigation": _("Under investigation"),
    "with_the_board": _("With the board"),
    "decided": _("Decided, waiting to be closed"),
}

# Days from the received date to the closing date.
TIME_BANDS: list[tuple[str, int | None, Any]] = [
    ("0-30", 30, _("30 days or less")),
    ("31-90", 90, _("31 to 90 days")),
    ("91-180", 180, _("91 to 180 days")),
    ("181-365", 365, _("181 days to a year")),
    ("over-365", None, _("More than a year")),
]

DECISION_ROWS: dict[str, Any] = {
    BoardDecision.Kind.ADOPT: _("Adopted the findings"),
    BoardDecision.Kind.MODIFY: _("Modified the findings"),
    BoardDecision.Kind.REMAND: _("Sent back for more investigation"),
}
RESPONSE_ROWS: dict[str, Any] = {
    "accepted": _("Accepted"),
    "modified": _("Modified"),
    "rejected": _("Rejected"),
    "awaiting": _("Awaiting the response"),
    "overdue": _("Response overdue"),
}


def _with_not_recorded(choices) -> dict[str, Any]:
    return {**dict(choices), NOT_RECORDED: _("Not recorded")}


@dataclass(frozen=True)
class _Spec:
    title: Any
    description: Any
    row_heading: Any
    columns: tuple[tuple[str, Any], ...]
    chart: str
    labels: Mapping[str, Any] | None = None


_COMPLAINTS = (("complaints", _("Complaints")),)
_TABLES: dict[str, _Spec] = {
    "received-closed-by-month": _Spec(
        _("Complaints received and closed, by month"),
        _("How many complaints came in each month, and how many were closed that month, whenever received."),
        _("Month"),
        (("received", _("Received")), ("closed", _("Closed"))),
        "line",
    ),
    "by-district": _Spec(
        _("Complaints by district"),
        _("Complaints received, by the police district where the incident happened."),
        _("District"),
        _COMPLAINTS,
        "bar",
    ),
    "by-category": _Spec(
        _("Allegations by type"),
        _("Each complaint can hold several allegations (one accusation against one officer), counted here by type."),
        _("Type of allegation"),
        (("allegations", _("Allegations")),),
        "bar",
    ),
    "by-disposition": _Spec(
        _("Allegations by finding"),
        _("The final finding on each allegation of the complaints received, or none yet."),
        _("Finding"),
        (("allegations", _("Allegations")),),
        "bar",
        {**dict(Disposition.choices), PENDING: _("No final finding yet")},
    ),
    "complainants-by-race": _Spec(
        _("Complainants by race or ethnicity"),
        _("People who filed complaints, as they described themselves. Anonymous complaints count as not recorded."),
        _("Race or ethnicity"),
        (("complainants", _("Complainants")),),
        "bar",
        _with_not_recorded(Demographic.Race.choices),
    ),
    "complainants-by-gender": _Spec(
        _("Complainants by gender"),
        _("People who filed complaints, as they described themselves. Anonymous complaints count as not recorded."),
        _("Gender"),
        (("complainants", _("Complainants")),),
        "bar",
        _with_not_recorded(Demographic.Gender.choices),
    ),
    "complainants-by-age": _Spec(
        _("Complainants by age"),
        _("People who filed complaints, by the age range they gave. Anonymous complaints count as not recorded."),
        _("Age"),
        (("complainants", _("Complainants")),),
        "bar",
        _with_not_recorded(Demographic.AgeRange.choices),
    ),
    "officers-by-race": _Spec(
        _("Officers named in complaints, by race or ethnicity"),
        _("Each identified officer is counted once, however many complaints name them; from the department's roster."),
        _("Race or ethnicity"),
        (("officers", _("Officers")),),
        "bar",
        dict(Demographic.Race.choices),
    ),
    "officers-by-gender": _Spec(
        _("Officers named in complaints, by gender"),
        _("Each identified officer is counted once, however many complaints name them; from the department's roster."),
        _("Gender"),
        (("officers", _("Officers")),),
        "bar",
        dict(Demographic.Gender.choices),
    ),
    "time-to-close": _Spec(
        _("Time to close"),
        _("Complaints closed, by how long it took from the day they were received to the day they were closed."),
        _("Time to close"),
        _COMPLAINTS,
        "bar",
        {key: label for key, _limit, label in TIME_BANDS},
    ),
    "board-decisions": _Spec(
        _("Board decisions"),
        _("The board's latest decision on each case it decided, counted in the period of that decision."),
        _("Decision"),
        (("cases", _("Cases")),),
        "bar",
        DECISION_ROWS,
    ),
    "department-responses": _Spec(
        _("Department responses to recommended discipline"),
        _(
            "Sustained findings for which the board recommended discipline, by the police department's response, "
            "counted in the period of the board's decision."
        ),
        _("Response"),
        (("findings", _("Findings")),),
        "bar",
        RESPONSE_ROWS,
    ),
    "by-channel": _Spec(
        _("Complaints by how they were filed"),
        _("Complaints received, by the way they reached us."),
        _("Filed by"),
        _COMPLAINTS,
        "bar",
        dict(Complaint.Channel.choices),
    ),
    "screening-outcomes": _Spec(
        _("Screening outcomes"),
        _("What happened to each complaint at intake and, for those accepted, where they stand now."),
        _("Outcome"),
        _COMPLAINTS,
        "bar",
        SCREENING_ROWS,
    ),
    "open-backlog-by-stage": _Spec(
        _("Open complaints by stage"),
        _("Complaints not yet closed, by the stage they have reached."),
        _("Stage"),
        _COMPLAINTS,
        "bar",
        BACKLOG_ROWS,
    ),
}
TABLE_KEYS: tuple[str, ...] = tuple(_TABLES)

_MEASURES: dict[str, Any] = {
    "received": _("Complaints received"),
    "closed": _("Complaints closed"),
    "open_backlog": _("Complaints still open"),
    "allegations": _("Allegations"),
    "median_days_to_close": _("Median time to close"),
    "p90_days_to_close": _("Nine in ten complaints closed within"),
    "caseload_per_investigator": _("Open cases per investigator (median)"),
    "caseload_max_per_investigator": _("Most open cases carried by one investigator"),
}
MEASURE_KEYS: tuple[str, ...] = tuple(_MEASURES)

_TOO_FEW_NOTE = _("Not shown: there are too few complaints in this period to show this table safely.")
_TOO_FEW_MEASURE = _("Not shown: there are too few complaints in this period to show it safely.")


# --- Counting ------------------------------------------------------------------------------------------


@dataclass
class _Frame:
    """What is counted: every year of the history (``years``), or one period from ``start`` to ``end``."""

    as_of: datetime
    years: list[int] | None
    start: date | None
    end: date | None
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    @property
    def by_year(self) -> bool:
        return self.years is not None

    @property
    def today(self) -> date:
        return self.as_of.astimezone(self.tz).date()

    def moment(self, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=self.tz)

    def within(self, queryset, field: str, *, is_date: bool = False):
        """Rows whose ``field`` falls in the period (every row when counting by year)."""
        if self.by_year:
            return queryset
        if self.start is not None:
            queryset = queryset.filter(**{f"{field}__gte": self.start if is_date else self.moment(self.start)})
        if self.end is not None:
            last = self.end if is_date else self.moment(self.end + timedelta(days=1))
            queryset = queryset.filter(**{f"{field}__{'lte' if is_date else 'lt'}": last})
        return queryset

    def year(self, field: str):
        return ExtractYear(field, tzinfo=self.tz)

    def column(self, year: int | None) -> Any:
        return year if self.by_year else PERIOD


PERIOD = "period"


def _is_latest_decision(prefix: str = "") -> tuple[Exists, Exists]:
    """Conditions (to negate) that make a decision (``prefix`` the path to it) its case's latest one
    that no other decision corrects: no later decision on the same case, and no correction of it.
    Written as two ``NOT EXISTS`` so that the planner can hash them, at any number of decisions."""
    later = BoardDecision.objects.filter(complaint_id=OuterRef(f"{prefix}complaint_id")).filter(
        Q(created_at__gt=OuterRef(f"{prefix}created_at"))
        | Q(created_at=OuterRef(f"{prefix}created_at"), id__gt=OuterRef(f"{prefix}id"))
    )
    corrected = BoardDecision.objects.filter(corrects_id=OuterRef(f"{prefix}id"))
    return Exists(later), Exists(corrected)


def _gather(frame: _Frame) -> dict[str, Any]:
    """Every count the tables need, each from one grouped query over a case table.

    The queries read one snapshot of the tables (on PostgreSQL a repeatable-read transaction, when
    this is the outermost one), so that tables counting the same complaints agree on their totals
    even while complaints come in."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _counts(frame)


def _counts(frame: _Frame) -> dict[str, Any]:
    tz = frame.tz
    received = frame.within(Complaint.objects.all(), "received_at")
    by_year = frame.by_year
    data: dict[str, Any] = {}
    data["by_month_district"] = list(
        received.order_by()
        .annotate(month=TruncMonth("received_at", output_field=DateField(), tzinfo=tz))
        .values("month", "district_id")
        .annotate(n=Count("pk"))
    )
    year = {"year": frame.year("received_at")} if by_year else {}
    data["by_outcome"] = list(
        received.order_by()
        .annotate(**year)
        .values(*year, "channel", "status", "closure_reason", "anonymity")
        .annotate(n=Count("pk"))
    )
    closed = frame.within(Complaint.objects.filter(status__in=CLOSED_STATUSES), "status_changed_at")
    days = TruncDate("status_changed_at", tzinfo=tz) - TruncDate("received_at", tzinfo=tz)
    closing_year = {"year": frame.year("status_changed_at")} if by_year else {}
    data["closed_days"] = list(
        closed.order_by().annotate(**closing_year, days=days).values(*closing_year, "days").annotate(n=Count("pk"))
    )
    data["closed_by_month"] = list(
        closed.order_by()
        .annotate(month=TruncMonth("status_changed_at", output_field=DateField(), tzinfo=tz))
        .values("month")
        .annotate(n=Count("pk"))
    )
    allegations = frame.within(Allegation.objects.all(), "complaint__received_at")
    year = {"year": frame.year("complaint__received_at")} if by_year else {}
    data["allegations"] = list(
        allegations.order_by()
        .annotate(**year, disposition=F("finding__final_disposition"))
        .values(*year, "category_id", "disposition")
        .annotate(n=Count("pk"))
    )
    complainants = frame.within(Party.objects.filter(role=Party.Role.COMPLAINANT), "complaint__received_at")
    data["complainants"] = list(
        complainants.order_by()
        .annotate(**year)
        .values(*year, "race_ethnicity", "gender", "age_range")
        .annotate(n=Count("pk"))
    )
    named = frame.within(SubjectOfficer.objects.filter(officer__isnull=False), "complaint__received_at")
    demographics = ("officer__race_ethnicity", "officer__gender")
    data["officers"] = list(
        named.order_by().annotate(**year).values(*year, *demographics).annotate(n=Count("officer_id", distinct=True))
    )
    if by_year:
        # An officer named in two years counts once in each year and once in all years.
        data["officers_overall"] = list(
            named.order_by().values(*demographics).annotate(n=Count("officer_id", distinct=True))
        )
    later, corrected = _is_latest_decision()
    decisions = frame.within(BoardDecision.objects.filter(~later, ~corrected), "created_at")
    decision_year = {"year": frame.year("created_at")} if by_year else {}
    data["decisions"] = list(
        decisions.order_by().annotate(**decision_year).values(*decision_year, "kind").annotate(n=Count("pk"))
    )
    response = "finding__department_response"
    state = Case(
        When(**{f"{response}__isnull": True}, then=Value("awaiting")),
        When(**{f"{response}__response": "", f"{response}__due_date__lt": frame.today}, then=Value("overdue")),
        When(**{f"{response}__response": ""}, then=Value("awaiting")),
        default=F(f"{response}__response"),
        output_field=CharField(),
    )
    later, corrected = _is_latest_decision("decision__")
    recommended = frame.within(
        DecisionFinding.objects.filter(~later, ~corrected).exclude(recommended_discipline=""), "decision__created_at"
    )
    decision_year = {"year": frame.year("decision__created_at")} if by_year else {}
    data["responses"] = list(
        recommended.order_by()
        .annotate(**decision_year, state=state)
        .values(*decision_year, "state")
        .annotate(n=Count("pk"))
    )
    data["caseloads"] = sorted(
        InvestigatorAssignment.objects.filter(
            ended_at__isnull=True, investigation__complaint__status__in=INVESTIGATION_STATUSES
        )
        .order_by()
        .values("investigator_id")
        .annotate(n=Count("investigation_id", distinct=True))
        .values_list("n", flat=True)
    )
    data["districts"] = list(District.objects.order_by("agency__name", "code", "pk").values("pk", "name"))
    data["categories"] = list(
        AllegationCategory.objects.order_by("sort_order", "name", "pk").values(
            "pk", "code", "name", "translations", "parent_id"
        )
    )
    return data


# --- Suppression across tables and periods ---------------------------------------------------------------

# The columns (years) a further table of a family does not show one by one, counted together.
REST = "rest"

Counts = dict[Any, dict[Any, int]]


@dataclass
class _Guarded:
    """One table of a family, suppressed: its cells and totals per column (year), and over all columns."""

    cells: dict[Any, dict[Any, Cell]]
    col_totals: dict[Any, Cell]
    overall: dict[Any, Cell]
    grand: Cell
    shown: frozenset

    def column(self, column: Any) -> tuple[dict[Any, Cell], Cell] | None:
        """The rows and total of one column, or of all of them (``column`` None); None when withheld."""
        if column is None:
            return self.overall, self.grand
        if column not in self.shown:
            return None
        return {row: cells[column] for row, cells in self.cells.items()}, self.col_totals[column]


def _filled(rows: Counts, columns: list) -> Counts:
    return {row: {column: counts.get(column, 0) for column in columns} for row, counts in rows.items()}


def _options(columns: int, threshold: int) -> dict[str, Any]:
    # With several columns (years) the row totals are the all-years counts; with one column they
    # are the cells themselves, and the column total is the grand total.
    several = columns > 1
    return {"row_totals": several, "col_totals": True, "grand_total": several, "threshold": threshold}


def _guarded(result, columns: list, shown: Iterable) -> _Guarded:
    if len(columns) > 1:
        overall, grand = result.row_totals, result.grand_total
    else:
        only = columns[0]
        overall = {row: cells[only] for row, cells in result.cells.items()}
        grand = result.col_totals[only]
    return _Guarded(result.cells, result.col_totals, overall, grand, frozenset(shown))


def _protect(cubes: list[Counts], columns: list, threshold: int) -> list[_Guarded | None]:
    """Suppress a family of tables that count the same things (their column totals are the same).

    Each table is a cube: rows by columns (years), whose row totals are the all-years counts. The
    first two are suppressed together (``suppress_linked``): exact, whatever they hide. A further
    table shares the same totals, and the suppression module covers two tables at a time; so it is
    suppressed on its own, with every total it shares published. Tables whose shared totals are all
    published can be read only one at a time: nothing one says narrows what another hides. Years
    whose total the first two hide are shown in the further table only as one merged column, which
    is never published: what a reader learns from it (its total) follows from the published all-years
    and other years' totals already (when that merged total is small, the year with the fewest is
    merged too, since a known small total would be read as "fewer than ..."). A further table
    withheld as a whole says so instead of showing its rows (None).
    """
    filled = [_filled(cube, columns) for cube in cubes]
    options = _options(len(columns), threshold)
    try:
        if len(filled) == 1:
            results = [suppress_table(filled[0], **options)]
        else:
            results = list(suppress_linked(filled[0], filled[1], **options))
    except SuppressionError:
        return [None] * len(cubes)
    out: list[_Guarded | None] = [_guarded(result, columns, columns) for result in results]
    margins = results[0].col_totals
    counts = {column: sum(row[column] for row in filled[0].values()) for column in columns}
    for extra in filled[2:]:
        out.append(_protect_further(extra, columns, margins, out[0].grand, counts, threshold))
    return out


def _protect_further(
    rows: Counts, columns: list, margins: dict[Any, Cell], grand: Cell, counts: dict[Any, int], threshold: int
) -> _Guarded | None:
    if grand.suppressed:
        return None
    shown = [column for column in columns if not margins[column].suppressed]
    while True:
        rest = [column for column in columns if column not in shown]
        if 1 <= sum(counts[column] for column in rest) <= threshold:
            # The merged total is known exactly (all years less the years shown), but would be read
            # as "fewer than ...": merge the year with the fewest too.
            if not shown:
                return None
            shown.remove(min(shown, key=lambda column: counts[column]))
            continue
        merged_columns = shown + ([REST] if rest else [])
        merged = {
            row: {
                **{column: values[column] for column in shown},
                **({REST: sum(values[c] for c in rest)} if rest else {}),
            }
            for row, values in rows.items()
        }
        try:
            result = suppress_table(merged, **_options(len(merged_columns), threshold))
        except SuppressionError:
            return None
        guarded = _guarded(result, merged_columns, shown)
        if guarded.grand.suppressed or (rest and result.col_totals[REST].suppressed):
            return None
        hidden = [column for column in shown if result.col_totals[column].suppressed]
        if not hidden:
            return guarded
        shown = [column for column in shown if column not in hidden]


# --- From counts to tables -------------------------------------------------------------------------------


def _add(cube: Counts, row: Any, column: Any, n: int) -> None:
    values = cube.setdefault(row, {})
    values[column] = values.get(column, 0) + n


def _cube(keys: Iterable[Any]) -> Counts:
    return {key: {} for key in keys}


def _years(frame: _Frame, data: dict[str, Any]) -> list[int]:
    seen = {frame.today.year}
    for row in data["by_month_district"] + data["closed_by_month"]:
        seen.add(row["month"].year)
    for name in ("by_outcome", "closed_days", "allegations", "complainants", "officers", "decisions", "responses"):
        seen.update(row["year"] for row in data[name] if row.get("year") is not None)
    return list(range(min(seen), max(seen) + 1))


def _months(frame: _Frame, data: dict[str, Any]) -> list[str]:
    """The months a period's table shows (one period only)."""
    seen = [row["month"] for row in data["by_month_district"] + data["closed_by_month"]]
    first = date(frame.start.year, frame.start.month, 1) if frame.start else min(seen, default=frame.today)
    last = frame.end or frame.today
    months, month = [], date(first.year, first.month, 1)
    while month <= last:
        months.append(f"{month:%Y-%m}")
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _top_categories(categories: list[dict[str, Any]]) -> tuple[dict[int, str], list[dict[str, Any]]]:
    """Each category's top-level class (by code), and the classes in order."""
    by_pk = {category["pk"]: category for category in categories}

    def top(category):
        seen = set()
        while category["parent_id"] and category["parent_id"] in by_pk and category["pk"] not in seen:
            seen.add(category["pk"])
            category = by_pk[category["parent_id"]]
        return category["code"]

    classes = [category for category in categories if not category["parent_id"]]
    return {pk: top(category) for pk, category in by_pk.items()}, classes


def _cubes(frame: _Frame, data: dict[str, Any], columns: list, months: list) -> dict[str, Any]:
    """The counts of every table as cubes (rows by columns), and what the measures need."""
    column = frame.column
    districts = _cube([f"district-{d['pk']}" for d in data["districts"]] + [NO_DISTRICT])
    by_month = _cube(months)
    for row in data["by_month_district"]:
        month = row["month"]
        district = f"district-{row['district_id']}" if row["district_id"] else NO_DISTRICT
        _add(districts, district, column(month.year), row["n"])
        _add(by_month, month.month if frame.by_year else f"{month:%Y-%m}", column(month.year), row["n"])

    channels = _cube(Complaint.Channel.values)
    screening = _cube(SCREENING_ROWS)
    races = _cube([*Demographic.Race.values, NOT_RECORDED])
    genders = _cube([*Demographic.Gender.values, NOT_RECORDED])
    ages = _cube([*Demographic.AgeRange.values, NOT_RECORDED])
    for row in data["by_outcome"]:
        where = column(row.get("year"))
        _add(channels, row["channel"], where, row["n"])
        if row["status"] == S.ADMINISTRATIVELY_CLOSED:
            outcome = _CLOSED_FOR_REASON.get(row["closure_reason"], "closed_other")
        else:
            outcome = _SCREENING_FOR_STATUS.get(row["status"], row["status"])
        _add(screening, outcome, where, row["n"])
        if row["anonymity"] == Complaint.Anonymity.ANONYMOUS:
            for cube in (races, genders, ages):
                _add(cube, NOT_RECORDED, where, row["n"])
    for row in data["complainants"]:
        where = column(row.get("year"))
        _add(races, row["race_ethnicity"] or NOT_RECORDED, where, row["n"])
        _add(genders, row["gender"] or NOT_RECORDED, where, row["n"])
        _add(ages, row["age_range"] or NOT_RECORDED, where, row["n"])

    top, classes = _top_categories(data["categories"])
    categories = _cube([category["code"] for category in classes] + [UNCLASSIFIED])
    dispositions = _cube([*Disposition.values, PENDING])
    for row in data["allegations"]:
        where = column(row.get("year"))
        _add(categories, top.get(row["category_id"], UNCLASSIFIED), where, row["n"])
        disposition = row["disposition"] if row["disposition"] in Disposition.values else PENDING
        _add(dispositions, disposition, where, row["n"])

    bands = _cube(key for key, _limit, _label in TIME_BANDS)
    days: dict[Any, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in data["closed_days"]:
        where = column(row.get("year"))
        n_days = max(0, row["days"].days) if row["days"] is not None else 0
        days[where][n_days] += row["n"]
        band = next(key for key, limit, _label in TIME_BANDS if limit is None or n_days <= limit)
        _add(bands, band, where, row["n"])
    closed_by_month = _cube(months)
    for row in data["closed_by_month"]:
        month = row["month"]
        _add(closed_by_month, month.month if frame.by_year else f"{month:%Y-%m}", column(month.year), row["n"])

    decisions = _cube(DECISION_ROWS)
    for row in data["decisions"]:
        _add(decisions, row["kind"], column(row.get("year")), row["n"])
    responses = _cube(RESPONSE_ROWS)
    for row in data["responses"]:
        _add(responses, row["state"], column(row.get("year")), row["n"])

    officers: dict[Any, tuple[Counts, Counts]] = {}
    overall = data.get("officers_overall", [])
    for where, rows in [*((column(r.get("year")), [r]) for r in data["officers"]), *((None, [r]) for r in overall)]:
        race, gender = officers.setdefault(where, (_cube(Demographic.Race.values), _cube(Demographic.Gender.values)))
        for row in rows:
            _add(race, row["officer__race_ethnicity"] or Demographic.Race.UNKNOWN, "officers", row["n"])
            _add(gender, row["officer__gender"] or Demographic.Gender.UNKNOWN, "officers", row["n"])
    return {
        "districts": districts,
        "by_month": by_month,
        "channels": channels,
        "screening": screening,
        "races": races,
        "genders": genders,
        "ages": ages,
        "categories": categories,
        "dispositions": dispositions,
        "bands": bands,
        "closed_by_month": closed_by_month,
        "days": days,
        "decisions": decisions,
        "responses": responses,
        "officers": officers,
        "classes": classes,
    }


def _enc(cell: Cell | None) -> int | str | None:
    if cell is None:
        return None
    if cell.status is Status.PUBLISHED:
        return cell.count
    return "small" if cell.status is Status.SMALL else "withheld"


def _dec(value: int | str | None, threshold: int) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, int):
        return Cell.published(value, threshold)
    return Cell(Status.SMALL if value == "small" else Status.WITHHELD, threshold)


def _series(key: str, found: tuple[dict[Any, Cell], Cell] | None, labels: Mapping[Any, Any] | None = None) -> dict:
    """A one-column table as stored."""
    if found is None:
        return {"key": key, "rows": [], "column_totals": None, "grand_total": None, "note": "too_few"}
    cells, total = found
    rows = []
    for row, cell in cells.items():
        stored = {"key": str(row), "cells": [_enc(cell)], "total": None}
        if labels and row in labels:
            stored.update(labels[row])
        rows.append(stored)
    return {"key": key, "rows": rows, "column_totals": [_enc(total)], "grand_total": _enc(total), "note": ""}


def _percentile(histogram: Mapping[int, int], share: float) -> int | None:
    """The nearest-rank percentile of a histogram of whole days."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, ceil(share * total)), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    return float(values[middle]) if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _period_doc(frame, cubes, guarded, column, months_shown, threshold) -> dict[str, Any]:
    """One period's tables and measures as stored: ``column`` is a year, PERIOD, or None (all years)."""
    g = guarded

    def found(name):
        return g[name].column(column) if g[name] is not None else None

    tables = []
    received, closed = g["by_month"], g["closed_by_month"]
    if received is None or closed is None:
        tables.append(
            {
                "key": "received-closed-by-month",
                "rows": [],
                "column_totals": None,
                "grand_total": None,
                "note": "too_few",
            }
        )
    else:
        rows = []
        for key, cube_row, cube_column in months_shown:
            cells = []
            for family in (received, closed):
                if cube_column in family.col_totals:
                    cells.append(_enc(family.cells[cube_row][cube_column]))
                else:
                    cells.append(0)  # a month before the first complaint
            rows.append({"key": key, "cells": cells, "total": None})
        totals = None
        if column is not None or not frame.by_year:
            where = column if column is not None else PERIOD
            totals = [_enc(received.col_totals[where]), _enc(closed.col_totals[where])]
        tables.append(
            {"key": "received-closed-by-month", "rows": rows, "column_totals": totals, "grand_total": None, "note": ""}
        )
    district_labels = {f"district-{d['pk']}": {"label": d["name"]} for d in cubes["district_rows"]}
    category_labels = {
        c["code"]: {"labels": {lang: c["translations"].get(lang) or c["name"] for lang, _n in settings.LANGUAGES}}
        for c in cubes["classes"]
    }
    tables.append(_series("by-district", found("districts"), district_labels))
    tables.append(_series("by-category", found("categories"), category_labels))
    tables.append(_series("by-disposition", found("dispositions")))
    tables.append(_series("complainants-by-race", found("races")))
    tables.append(_series("complainants-by-gender", found("genders")))
    tables.append(_series("complainants-by-age", found("ages")))
    officer_race, officer_gender = g["officers"].get(column, (None, None))
    tables.append(_series("officers-by-race", officer_race.column(None) if officer_race else None))
    tables.append(_series("officers-by-gender", officer_gender.column(None) if officer_gender else None))
    tables.append(_series("time-to-close", found("bands")))
    tables.append(_series("board-decisions", found("decisions")))
    tables.append(_series("department-responses", found("responses")))
    tables.append(_series("by-channel", found("channels")))
    screening = found("screening")
    tables.append(_series("screening-outcomes", screening))
    backlog = None
    if screening is not None:
        backlog = ({key: screening[0][key] for key in BACKLOG_ROWS}, None)
    stored = _series("open-backlog-by-stage", backlog)
    stored["column_totals"] = stored["grand_total"] = None  # the open total is a measure, when it can be shown
    tables.append(stored)

    def total(name):
        return _enc(found(name)[1]) if found(name) is not None else None

    open_total = None
    if backlog is not None and not any(cell.suppressed for cell in backlog[0].values()):
        open_total = sum(cell.count for cell in backlog[0].values())
    if column is None and frame.by_year:
        histogram: dict[int, int] = defaultdict(int)
        for per_year in cubes["days"].values():
            for days, n in per_year.items():
                histogram[days] += n
    else:
        histogram = cubes["days"].get(column if column is not None else PERIOD, {})
    closed_total = found("bands")
    enough = closed_total is not None and not closed_total[1].suppressed and closed_total[1].count > threshold
    caseloads = cubes["caseloads"]
    summary = [
        {"key": "received", "cell": total("districts")},
        {"key": "closed", "cell": total("bands")},
        {"key": "open_backlog", "cell": open_total},
        {"key": "allegations", "cell": total("categories")},
        {"key": "median_days_to_close", "days": _percentile(histogram, 0.5) if enough else None, "of": total("bands")},
        {"key": "p90_days_to_close", "days": _percentile(histogram, 0.9) if enough else None, "of": total("bands")},
        {"key": "caseload_per_investigator", "cases": _median(caseloads)},
        {"key": "caseload_max_per_investigator", "cases": float(max(caseloads)) if caseloads else None},
    ]
    return {"summary": summary, "tables": tables}


def _compute(frame: _Frame, threshold: int) -> list[tuple[str, int | None, date | None, date | None, dict]]:
    """Count, suppress and lay out every period of ``frame``: (period, year, start, end, stored data)."""
    data = _gather(frame)
    today = frame.today
    if frame.by_year:
        columns = frame.years = _years(frame, data)
        month_rows = list(range(1, 13))
    else:
        columns = [PERIOD]
        month_rows = _months(frame, data)
    cubes = _cubes(frame, data, columns, month_rows)
    cubes["district_rows"] = data["districts"]
    cubes["caseloads"] = data["caseloads"]
    guarded: dict[str, Any] = {}
    families = [
        (("districts", "by_month", "channels", "screening")),
        (("categories", "dispositions")),
        (("races", "genders", "ages")),
        (("bands", "closed_by_month")),
        (("decisions",)),
        (("responses",)),
    ]
    for names in families:
        for name, result in zip(names, _protect([cubes[n] for n in names], columns, threshold), strict=True):
            guarded[name] = result
    guarded["officers"] = {}
    for where, (race, gender) in cubes["officers"].items():
        guarded["officers"][where] = tuple(_protect([race, gender], ["officers"], threshold))
    for where in [None, *columns] if frame.by_year else [PERIOD]:
        if where not in guarded["officers"]:
            nobody = [_cube(Demographic.Race.values), _cube(Demographic.Gender.values)]
            guarded["officers"][where] = tuple(_protect(nobody, ["officers"], threshold))

    periods = []
    if frame.by_year:
        window = []
        month = date(today.year, today.month, 1)
        for _step in range(24):
            window.append((f"{month:%Y-%m}", month.month, month.year))
            month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
        window.reverse()
        periods.append((ALL_YEARS, None, None, None, _period_doc(frame, cubes, guarded, None, window, threshold)))
        for year in columns:
            last = today.month if year == today.year else 12
            shown = [(f"{year}-{m:02d}", m, year) for m in range(1, last + 1)]
            doc = _period_doc(frame, cubes, guarded, year, shown, threshold)
            periods.append((str(year), year, date(year, 1, 1), date(year, 12, 31), doc))
    else:
        shown = [(key, key, PERIOD) for key in month_rows]
        periods.append(
            (PERIOD, None, frame.start, frame.end, _period_doc(frame, cubes, guarded, PERIOD, shown, threshold))
        )
    return periods


# --- From stored data to what people read ----------------------------------------------------------------


def _row_label(key: str, spec: _Spec, stored: dict[str, Any], language: str) -> str:
    labels = stored.get("labels")
    if labels:
        return labels.get(language) or labels.get(settings.LANGUAGE_CODE) or next(iter(labels.values()))
    if stored.get("label"):
        return stored["label"]
    if spec.labels and stored["key"] in spec.labels:
        return str(spec.labels[stored["key"]])
    if key == "received-closed-by-month":
        year, month = stored["key"].split("-")
        return formats.date_format(date(int(year), int(month), 1), "YEAR_MONTH_FORMAT")
    if key == "by-district" and stored["key"] == NO_DISTRICT:
        return gettext("Not recorded")
    if key == "by-category" and stored["key"] == UNCLASSIFIED:
        return gettext("Not yet classified")
    return stored["key"]


def _table(stored: dict[str, Any], threshold: int, language: str) -> PublicTable:
    key = stored["key"]
    spec = _TABLES[key]
    rows = tuple(
        PublicRow(
            key=row["key"],
            label=_row_label(key, spec, row, language),
            cells=tuple(_dec(value, threshold) for value in row["cells"]),
            total=_dec(row.get("total"), threshold),
        )
        for row in stored["rows"]
    )
    totals = stored.get("column_totals")
    return PublicTable(
        key=key,
        title=str(spec.title),
        description=str(spec.description),
        row_heading=str(spec.row_heading),
        column_keys=tuple(column for column, _heading in spec.columns),
        column_headings=tuple(str(heading) for _column, heading in spec.columns),
        rows=rows,
        column_totals=tuple(_dec(value, threshold) for value in totals) if totals is not None else None,
        grand_total=_dec(stored.get("grand_total"), threshold),
        chart=spec.chart,
        note=str(_TOO_FEW_NOTE) if stored.get("note") else "",
    )


def _days(days: int) -> str:
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": formats.number_format(days, force_grouping=True)}


def _measure(stored: dict[str, Any], threshold: int) -> Measure:
    key = stored["key"]
    label = str(_MEASURES[key])
    if "cell" in stored:
        cell = _dec(stored["cell"], threshold)
        if cell is None:
            if key == "open_backlog":
                return Measure(key, label, "", None, gettext("Not shown: some stages have too few complaints to show."))
            return Measure(key, label, "", None, str(_TOO_FEW_MEASURE))
        return Measure(key, label, cell.display(), float(cell.count) if not cell.suppressed else None, "")
    if "days" in stored:
        of = _dec(stored.get("of"), threshold)
        if stored["days"] is None:
            note = gettext("Not shown when %(limit)s or fewer complaints were closed.") % {"limit": threshold}
            return Measure(key, label, "", None, note)
        note = gettext("Of %(count)s complaints closed.") % {"count": of.display()} if of is not None else ""
        return Measure(key, label, _days(stored["days"]), float(stored["days"]), note)
    cases = stored.get("cases")
    if cases is None:
        return Measure(key, label, "", None, gettext("No investigator carries an open case now."))
    value = formats.number_format(cases, decimal_pos=0 if cases == int(cases) else 1, force_grouping=True)
    return Measure(key, label, value, cases, gettext("Open investigations each investigator carries now."))


def _statistics(
    data: dict[str, Any], *, as_of: datetime, threshold: int, label: str, start: date | None, end: date | None
) -> Statistics:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return Statistics(
        as_of=as_of,
        period_label=label,
        start=start,
        end=end,
        summary=tuple(_measure(item, threshold) for item in data["summary"]),
        tables=tuple(_table(item, threshold, language) for item in data["tables"]),
        threshold=threshold,
    )


def _label(year: int | None) -> str:
    return str(year) if year is not None else gettext("All years")


# --- The public interface --------------------------------------------------------------------------------


def published_statistics(*, year: int | None = None) -> Statistics | None:
    """The statistics the public sees for all years (``year`` None) or one year, read from the snapshot
    only; None when nothing has been computed yet (or that year is not in the snapshot)."""
    row = StatisticsSnapshot.objects.filter(period=ALL_YEARS if year is None else str(year)).first()
    if row is None:
        return None
    return _statistics(
        row.data, as_of=row.computed_at, threshold=row.threshold, label=_label(row.year), start=row.start, end=row.end
    )


def available_years() -> list[int]:
    """The years the snapshot holds, newest first."""
    return list(StatisticsSnapshot.objects.exclude(year=None).order_by("-year").values_list("year", flat=True))


def snapshot_as_of() -> datetime | None:
    """When the snapshot was computed (None before the first time)."""
    return StatisticsSnapshot.objects.order_by().values_list("computed_at", flat=True).first()


def compute_statistics(*, start: date | None, end: date | None, label: str, now: datetime | None = None) -> Statistics:
    """The statistics of any period, counted now (or as if at ``now``) from the case tables; never
    in a public request.

    All years (no ``start`` nor ``end``) and whole calendar years are counted with every year of the
    history, exactly as the snapshot is, so they give the dashboard's numbers. Any other period (a
    quarter) is counted and suppressed on its own.
    """
    as_of = now or timezone.now()
    threshold = settings.PUBLIC_MIN_CELL
    whole_year = (
        start is not None and end is not None and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    )
    if (start is None and end is None) or (whole_year and start.year == end.year):
        wanted = ALL_YEARS if start is None else str(start.year)
        periods = _compute(_Frame(as_of=as_of, years=[], start=None, end=None), threshold)
        found = [data for period, _year, _start, _end, data in periods if period == wanted]
        data = found[0] if found else _compute(_Frame(as_of=as_of, years=None, start=start, end=end), threshold)[0][4]
    else:
        data = _compute(_Frame(as_of=as_of, years=None, start=start, end=end), threshold)[0][4]
    return _statistics(data, as_of=as_of, threshold=threshold, label=label, start=start, end=end)


@dataclass(frozen=True)
class Refreshed:
    periods: int
    years: tuple[int, ...]
    seconds: float


def refresh_snapshot(*, now: datetime | None = None) -> Refreshed:
    """Count everything again (as of ``now``, by default the present) and replace the snapshot in one
    transaction, audited as ``statistics.refreshed`` (how many periods, which years and how long: no
    count, no case)."""
    started = time.perf_counter()
    as_of = now or timezone.now()
    threshold = settings.PUBLIC_MIN_CELL
    periods = _compute(_Frame(as_of=as_of, years=[], start=None, end=None), threshold)
    rows = [
        StatisticsSnapshot(
            period=period, year=year, start=start, end=end, computed_at=as_of, threshold=threshold, data=data
        )
        for period, year, start, end, data in periods
    ]
    years = tuple(row.year for row in rows if row.year is not None)
    seconds = round(time.perf_counter() - started, 3)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                StatisticsSnapshot.objects.all().delete()
                StatisticsSnapshot.objects.bulk_create(rows)
                audit.record(
                    "statistics.refreshed",
                    data={"periods": len(rows), "first_year": min(years), "last_year": max(years), "seconds": seconds},
                )
            break
        except IntegrityError:
            # Another refresh stored its rows between our delete and insert: store ours over them.
            if attempt == 2:
                raise
    return Refreshed(periods=len(rows), years=years, seconds=seconds)


def table_as_json(statistics: Statistics, table: PublicTable, year: int | None) -> dict[str, Any]:
    """One table with ``Cell.as_json()`` values: the dashboard's JSON download and the API's table."""
    columns = table.column_keys
    return {
        "table": table.key,
        "title": table.title,
        "description": table.description,
        "period": statistics.period_label,
        "year": year,
        "as_of": statistics.as_of.isoformat(),
        "threshold": statistics.threshold,
        "row_heading": table.row_heading,
        "columns": [{"key": k, "heading": h} for k, h in zip(columns, table.column_headings, strict=True)],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "cells": {k: cell.as_json() for k, cell in zip(columns, row.cells, strict=True)},
                "total": row.total.as_json() if row.total is not None else None,
            }
            for row in table.rows
        ],
        "column_totals": (
            {k: cell.as_json() for k, cell in zip(columns, table.column_totals, strict=True)}
            if table.column_totals is not None
            else None
        ),
        "grand_total": table.grand_total.as_json() if table.grand_total is not None else None,
        "note": table.note,
    }
