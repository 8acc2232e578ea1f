"""The public statistics: counts worked out by hand on a small city, suppression on every cell, the
snapshot, and a property test that tables sharing their totals never let a hidden count be worked
out (with the independent solver of the suppression tests).

The city (``city``) has 16 complaints: 7 received on 10 March 2025 and 9 in 2026 (5 on 10 February,
4 on 14 April), counted as of 15 June 2026 with a minimum cell size of 2, so that a small city
still shows numbers; each count expected below is worked out from the list in ``city``.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.models import AllegationCategory, Complaint, Party
from investigations.board.models import BoardDecision, DecisionFinding, DepartmentResponse
from investigations.models import Finding, Investigation, InvestigatorAssignment
from oversight.models import AuditEvent
from public_portal.transparency import statistics as stats
from public_portal.transparency.models import StatisticsSnapshot
from public_portal.transparency.suppression import Cell, Status

from ...factories import (
    AgencyFactory,
    AllegationFactory,
    ComplaintFactory,
    DistrictFactory,
    OfficerFactory,
    PartyFactory,
    SubjectOfficerFactory,
    UserFactory,
)
from .test_suppression import Reader

pytestmark = pytest.mark.django_db

S = Complaint.Status
NOW = datetime(2026, 6, 15, 16, 0, tzinfo=UTC)  # noon in the city's time zone (America/New_York)
MARCH_2025 = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)
FEBRUARY_2026 = datetime(2026, 2, 10, 15, 0, tzinfo=UTC)
APRIL_2026 = datetime(2026, 4, 14, 14, 0, tzinfo=UTC)


def _case(received, district, status, *, changed=None, anonymity="named", **fields):
    return ComplaintFactory(
        received_at=received,
        district=district,
        status=status,
        status_changed_at=changed or received,
        anonymity=anonymity,
        **fields,
    )


def _named(complaint, officer, category, *, race, gender, age):
    PartyFactory(complaint=complaint, role=Party.Role.COMPLAINANT, race_ethnicity=race, gender=gender, age_range=age)
    subject = SubjectOfficerFactory(complaint=complaint, officer=officer)
    return AllegationFactory(subject_officer=subject, category=AllegationCategory.objects.get(code=category))


@pytest.fixture
def city(settings):
    """Sixteen complaints, with everything the tables count (see the module's docstring).

    2025, received 10 March: four in North, closed on 10 May (61 days) after the board adopted
    sustained findings (three accepted by the department, one rejected), each with a Black woman
    aged 25-34 complaining of force by one of three Black male officers; three in South, referred on
    20 March (10 days), each with a White man aged 35-44 complaining of a stop by one of three White
    female officers (one also has a witness, who is not a complainant).

    2026: on 10 February five under investigation (three in North, two in South), each with a
    Hispanic man aged 18-24 complaining of force by one of three Hispanic male officers;
    investigator A works three of them, investigator B two. On 14 April four awaiting screening
    (three in South, anonymous; one with no district, filed by someone on another's behalf), each
    about discourtesy by an officer nobody identified.
    """
    settings.PUBLIC_MIN_CELL = 2
    agency = AgencyFactory(name="Metro Police", short_name="MPD")
    north = DistrictFactory(agency=agency, code="01", name="North")
    south = DistrictFactory(agency=agency, code="02", name="South")
    black = [OfficerFactory(agency=agency, race_ethnicity="black", gender="male") for _ in range(3)]
    white = [OfficerFactory(agency=agency, race_ethnicity="white", gender="female") for _ in range(3)]
    hispanic = [OfficerFactory(agency=agency, race_ethnicity="hispanic", gender="male") for _ in range(3)]

    closed_on = datetime(2025, 5, 10, 14, 0, tzinfo=UTC)
    for n, officer in enumerate([black[0], black[1], black[2], black[0]]):
        complaint = _case(MARCH_2025, north, S.CLOSED, changed=closed_on)
        allegation = _named(complaint, officer, "force-physical", race="black", gender="female", age="25_34")
        finding = Finding.objects.create(
            allegation=allegation, proposed_disposition="sustained", rationale="Video.", final_disposition="sustained"
        )
        decided = closed_on - timedelta(days=1)
        decision = BoardDecision.objects.create(complaint=complaint, kind="adopt", created_at=decided)
        if n == 0:
            # A modification, corrected the same day by an adoption: only the adoption counts.
            wrong = BoardDecision.objects.create(
                complaint=complaint, kind="modify", created_at=decided - timedelta(hours=2)
            )
            BoardDecision.objects.filter(pk=decision.pk).update(corrects=wrong)
            DecisionFinding.objects.create(
                decision=wrong, finding=finding, final_disposition="sustained", recommended_discipline="suspension"
            )
        DecisionFinding.objects.create(
            decision=decision, finding=finding, final_disposition="sustained", recommended_discipline="reprimand"
        )
        DepartmentResponse.objects.create(
            finding=finding,
            due_date=date(2025, 6, 8),
            response="rejected" if n == 3 else "accepted",
            responded_on=date(2025, 6, 1),
        )
    for n, officer in enumerate(white):
        complaint = _case(
            MARCH_2025, south, S.REFERRED, changed=datetime(2025, 3, 20, 14, 0, tzinfo=UTC), referred_to="County"
        )
        _named(complaint, officer, "aoa-stop", race="white", gender="male", age="35_44")
        if n == 0:
            PartyFactory(complaint=complaint, role=Party.Role.WITNESS, race_ethnicity="asian", gender="female")

    investigators = [UserFactory(username="investigator_a"), UserFactory(username="investigator_b")]
    feb = [(north, hispanic[0]), (north, hispanic[1]), (north, hispanic[2]), (south, hispanic[0]), (south, hispanic[1])]
    for n, (district, officer) in enumerate(feb):
        complaint = _case(FEBRUARY_2026, district, S.UNDER_INVESTIGATION)
        _named(complaint, officer, "force-physical", race="hispanic", gender="male", age="18_24")
        investigation = Investigation.objects.create(complaint=complaint, discovery_date=date(2026, 2, 10))
        InvestigatorAssignment.objects.create(investigation=investigation, investigator=investigators[n // 3])
    for district, anonymity in [(south, "anonymous")] * 3 + [(None, "named")]:
        complaint = _case(APRIL_2026, district, S.IN_TRIAGE, anonymity=anonymity)
        if anonymity == "named":
            PartyFactory(complaint=complaint, role=Party.Role.THIRD_PARTY, race_ethnicity="white", gender="female")
        subject = SubjectOfficerFactory(complaint=complaint, officer=None, appearance="Tall, short hair")
        AllegationFactory(subject_officer=subject, category=AllegationCategory.objects.get(code="disc-words"))
    return {"north": north, "south": south}


def csv_of(table):
    """{row key: [cells as in the CSV]}, and the totals row."""
    rows = {row.key: [cell.as_csv() for cell in row.cells] for row in table.rows}
    totals = [cell.as_csv() for cell in table.column_totals] if table.column_totals is not None else None
    return rows, totals


def series(table):
    """A one-column table as {row key: CSV value} (zeros left out) and its total."""
    rows, totals = csv_of(table)
    return {key: cells[0] for key, cells in rows.items() if cells[0] != "0"}, totals[0] if totals else None


def measures(statistics):
    return {m.key: m.value for m in statistics.summary}


@pytest.fixture
def snapshot(city):
    stats.refresh_snapshot(now=NOW)
    return city


# --- Numbers worked out by hand --------------------------------------------------------------------


def test_complaints_by_district_hide_the_one_without_a_district_and_a_neighbour(snapshot):
    north, south = snapshot["north"], snapshot["south"]
    by_year = {year: stats.published_statistics(year=year).table("by-district") for year in (2025, 2026)}
    overall = stats.published_statistics().table("by-district")

    # 2026: North 3, South 5, none 1. The 1 is hidden, and so is South's 5 (North's 3 would pin it:
    # a withheld count is at least 3) with South's all-years total 8; the 2026 total 9 stays.
    assert series(by_year[2025]) == ({f"district-{north.pk}": "4", f"district-{south.pk}": "3"}, "7")
    assert series(by_year[2026]) == (
        {f"district-{north.pk}": "3", f"district-{south.pk}": "withheld", "none": "<3"},
        "9",
    )
    assert series(overall) == ({f"district-{north.pk}": "7", f"district-{south.pk}": "withheld", "none": "<3"}, "16")
    assert [row.label for row in overall.rows] == ["North", "South", "Not recorded"]


def test_received_and_closed_by_month(snapshot):
    year_2025 = stats.published_statistics(year=2025).table("received-closed-by-month")
    year_2026 = stats.published_statistics(year=2026).table("received-closed-by-month")
    overall = stats.published_statistics().table("received-closed-by-month")

    rows, totals = csv_of(year_2025)
    assert list(rows) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert {k: v for k, v in rows.items() if v != ["0", "0"]} == {"2025-03": ["7", "3"], "2025-05": ["0", "4"]}
    assert totals == ["7", "7"]
    rows, totals = csv_of(year_2026)
    assert list(rows) == [f"2026-{m:02d}" for m in range(1, 7)]  # up to June, the month of the count
    assert {k: v for k, v in rows.items() if v != ["0", "0"]} == {"2026-02": ["5", "0"], "2026-04": ["4", "0"]}
    assert totals == ["9", "0"]
    rows, totals = csv_of(overall)
    assert list(rows)[0] == "2024-07" and list(rows)[-1] == "2026-06" and len(rows) == 24
    assert {k: v for k, v in rows.items() if v != ["0", "0"]} == {
        "2025-03": ["7", "3"],
        "2025-05": ["0", "4"],
        "2026-02": ["5", "0"],
        "2026-04": ["4", "0"],
    }
    assert totals is None  # 24 months are not all years
    assert overall.rows[8].label == "March 2025"


def test_allegations_by_type_and_finding(snapshot):
    assert series(stats.published_statistics(year=2025).table("by-category")) == (
        {"force": "4", "abuse-of-authority": "3"},
        "7",
    )
    assert series(stats.published_statistics(year=2026).table("by-category")) == (
        {"force": "5", "discourtesy": "4"},
        "9",
    )
    assert series(stats.published_statistics().table("by-category")) == (
        {"force": "9", "abuse-of-authority": "3", "discourtesy": "4"},
        "16",
    )
    assert series(stats.published_statistics(year=2025).table("by-disposition")) == (
        {"sustained": "4", "pending": "3"},
        "7",
    )
    assert series(stats.published_statistics().table("by-disposition")) == ({"sustained": "4", "pending": "12"}, "16")


def test_complainants_count_anonymous_complaints_as_not_recorded_and_never_witnesses(snapshot):
    overall = stats.published_statistics()
    assert series(overall.table("complainants-by-race")) == (
        {"black": "4", "white": "3", "hispanic": "5", "not_recorded": "3"},
        "15",
    )
    assert series(overall.table("complainants-by-gender")) == ({"female": "4", "male": "8", "not_recorded": "3"}, "15")
    assert series(overall.table("complainants-by-age")) == (
        {"25_34": "4", "35_44": "3", "18_24": "5", "not_recorded": "3"},
        "15",
    )
    assert series(stats.published_statistics(year=2026).table("complainants-by-race")) == (
        {"hispanic": "5", "not_recorded": "3"},
        "8",
    )


def test_officers_are_counted_once_per_period_from_the_roster(snapshot):
    overall = stats.published_statistics()
    assert series(overall.table("officers-by-race")) == ({"black": "3", "white": "3", "hispanic": "3"}, "9")
    assert series(overall.table("officers-by-gender")) == ({"female": "3", "male": "6"}, "9")
    assert series(stats.published_statistics(year=2025).table("officers-by-race")) == (
        {"black": "3", "white": "3"},
        "6",
    )
    assert series(stats.published_statistics(year=2026).table("officers-by-gender")) == ({"male": "3"}, "3")


def test_time_to_close_board_decisions_and_department_responses(snapshot):
    year_2025 = stats.published_statistics(year=2025)
    overall = stats.published_statistics()

    assert series(year_2025.table("time-to-close")) == ({"0-30": "3", "31-90": "4"}, "7")
    assert series(stats.published_statistics(year=2026).table("time-to-close")) == ({}, "0")
    # The corrected modification does not count: one adoption per case.
    assert series(overall.table("board-decisions")) == ({"adopt": "4"}, "4")
    # Rejected 1 is hidden; accepted 3 cannot be withheld to protect it (a withheld count is at
    # least 3, which would pin the 1), so the year's total and the all-years total go instead.
    assert series(year_2025.table("department-responses")) == ({"accepted": "3", "rejected": "<3"}, "withheld")
    assert series(overall.table("department-responses")) == ({"accepted": "3", "rejected": "<3"}, "withheld")


def test_channel_screening_and_backlog(snapshot):
    overall = stats.published_statistics()
    assert series(overall.table("by-channel")) == ({"web": "16"}, "16")
    assert series(overall.table("screening-outcomes")) == (
        {"awaiting_screening": "4", "referred": "3", "under_investigation": "5", "closed_after_investigation": "4"},
        "16",
    )
    backlog = overall.table("open-backlog-by-stage")
    assert [row.key for row in backlog.rows] == [
        "awaiting_screening",
        "in_mediation",
        "under_investigation",
        "with_the_board",
        "decided",
    ]
    assert series(backlog) == ({"awaiting_screening": "4", "under_investigation": "5"}, None)


def test_headline_measures(snapshot):
    assert measures(stats.published_statistics()) == {
        "received": "16",
        "closed": "7",
        "open_backlog": "9",
        "allegations": "16",
        "median_days_to_close": "61 days",
        "p90_days_to_close": "61 days",
        "caseload_per_investigator": "2.5",
        "caseload_max_per_investigator": "3",
    }
    year_2026 = stats.published_statistics(year=2026)
    assert measures(year_2026)["received"] == "9"
    # No complaint closed in 2026: no median of nothing, and it says why.
    median = next(m for m in year_2026.summary if m.key == "median_days_to_close")
    assert (median.value, median.raw, median.note) == ("", None, "Not shown when 2 or fewer complaints were closed.")


def test_a_quarter_is_suppressed_on_its_own(city):
    quarter = stats.compute_statistics(start=date(2026, 1, 1), end=date(2026, 3, 31), label="Q1 2026", now=NOW)

    assert (quarter.period_label, quarter.start, quarter.end) == ("Q1 2026", date(2026, 1, 1), date(2026, 3, 31))
    # North 3, South 2: the 2 is hidden and North goes with it (South's 2 can then be 1 or 2).
    assert series(quarter.table("by-district")) == (
        {f"district-{city['north'].pk}": "withheld", f"district-{city['south'].pk}": "<3"},
        "5",
    )
    rows, totals = csv_of(quarter.table("received-closed-by-month"))
    assert rows == {"2026-01": ["0", "0"], "2026-02": ["5", "0"], "2026-03": ["0", "0"]}
    assert totals == ["5", "0"]
    assert series(quarter.table("officers-by-race")) == ({"hispanic": "3"}, "3")


def test_a_whole_year_and_all_years_computed_for_a_report_match_the_snapshot(snapshot):
    for start, end, year in [(date(2025, 1, 1), date(2025, 12, 31), 2025), (None, None, None)]:
        computed = stats.compute_statistics(start=start, end=end, label="report", now=NOW)
        published = stats.published_statistics(year=year)
        assert [csv_of(t) for t in computed.tables] == [csv_of(t) for t in published.tables]
        assert measures(computed) == measures(published)


# --- The snapshot -----------------------------------------------------------------------------------


def test_nothing_is_published_before_the_first_refresh(city):
    assert stats.published_statistics() is None
    assert stats.available_years() == []


def test_refresh_replaces_the_snapshot_and_is_audited_with_counts_only(snapshot):
    first = set(StatisticsSnapshot.objects.values_list("pk", flat=True))
    result = stats.refresh_snapshot(now=NOW + timedelta(hours=1))

    assert (result.periods, result.years) == (3, (2025, 2026))
    assert stats.available_years() == [2026, 2025]
    assert not first & set(StatisticsSnapshot.objects.values_list("pk", flat=True))
    assert stats.published_statistics().as_of == NOW + timedelta(hours=1)
    event = AuditEvent.objects.filter(action="statistics.refreshed").latest("id")
    assert set(event.data) == {"periods", "first_year", "last_year", "seconds"}
    assert (event.data["periods"], event.data["first_year"], event.data["last_year"]) == (3, 2025, 2026)


def test_stored_snapshot_holds_no_hidden_count(snapshot):
    # A hidden count is stored as a word: the row the public pages read cannot leak it.
    stored = StatisticsSnapshot.objects.get(period="2026").data
    district = next(t for t in stored["tables"] if t["key"] == "by-district")
    assert [row["cells"] for row in district["rows"]] == [[3], ["withheld"], ["small"]]


def test_command_and_task_refresh(city, capsys):
    from public_portal.transparency.tasks import refresh_statistics

    call_command("refresh_statistics")
    assert "Statistics recomputed" in capsys.readouterr().out
    assert refresh_statistics()["periods"] == StatisticsSnapshot.objects.count()
    assert AuditEvent.objects.filter(action="statistics.refreshed").count() == 2


def test_the_refresh_runs_every_hour(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["public_portal.transparency.tasks.refresh_statistics"] == 3600.0


def test_published_statistics_reads_one_row_of_the_snapshot_only(snapshot):
    with CaptureQueriesContext(connection) as queries:
        stats.published_statistics(year=2026)
        stats.available_years()
    assert len(queries) == 2
    assert all('"transparency_statisticssnapshot"' in q["sql"] for q in queries.captured_queries)


def test_computing_takes_a_handful_of_grouped_queries(city):
    with CaptureQueriesContext(connection) as queries:
        stats.compute_statistics(start=None, end=None, label="All", now=NOW)
    # One query per kind of count, however many complaints there are.
    assert len(queries) <= 15


def test_every_count_is_suppressed_with_the_default_threshold(city, settings):
    settings.PUBLIC_MIN_CELL = 10
    stats.refresh_snapshot(now=NOW)

    for year in (None, 2025, 2026):
        statistics = stats.published_statistics(year=year)
        for table in statistics.tables:
            cells = [cell for row in table.rows for cell in (*row.cells, row.total) if cell is not None]
            cells += [*(table.column_totals or ()), *([table.grand_total] if table.grand_total else [])]
            assert not [c for c in cells if c.status is Status.PUBLISHED and 1 <= c.count <= 10], table.key
        for measure in statistics.summary:
            if measure.raw is not None and measure.key in {"received", "closed", "open_backlog", "allegations"}:
                assert measure.raw == 0 or measure.raw > 10


# --- Families of tables: no hidden count can be worked out ----------------------------------------------


def _read_family(reader, cubes, results, columns):
    """What a reader of every period's tables of one family knows: per-year tables (those shown), the
    all-years table, and that all of them count the same things."""
    margins = dict.fromkeys(columns)
    grand = None
    for cube, result in zip(cubes, results, strict=True):
        if result is None:
            # Withheld as a whole: the reader knows its rows add up to the shared totals, no more.
            result = None
        cell_vars = {}
        for row, counts in cube.items():
            for column in columns:
                cell = result.cells[row][column] if result and column in result.shown else None
                cell_vars[row, column] = reader.var(cell, counts.get(column, 0))
        for column in columns:
            true = sum(counts.get(column, 0) for counts in cube.values())
            shown = result is not None and column in result.shown
            var = reader.var(result.col_totals[column] if shown else None, true)
            if margins[column] is None:
                margins[column] = var
            else:
                reader.total([var], margins[column])
            reader.total([cell_vars[row, column] for row in cube], var)
        row_vars = []
        for row, counts in cube.items():
            var = reader.var(result.overall[row] if result else None, sum(counts.values()))
            reader.total([cell_vars[row, column] for column in columns], var)
            row_vars.append(var)
        whole = reader.var(result.grand if result else None, sum(sum(c.values()) for c in cube.values()))
        reader.total(row_vars, whole)
        if grand is None:
            grand = whole
        else:
            reader.total([whole], grand)
    reader.total(list(margins.values()), grand)


counts = st.one_of(st.sampled_from([0, 0, 1, 2, 3, 4, 6]), st.integers(0, 12))


@st.composite
def families(draw):
    """Three tables counting the same things by different rows, over one to three years."""
    columns = list(range(draw(st.integers(1, 3))))
    first = draw(
        st.dictionaries(
            st.sampled_from("abc"), st.fixed_dictionaries(dict.fromkeys(columns, counts)), min_size=1, max_size=3
        )
    )
    cubes = [first]
    for rows in ("pq", "xyz"):
        cube = {row: dict.fromkeys(columns, 0) for row in rows}
        for column in columns:
            for _unit in range(sum(c[column] for c in first.values())):
                cube[draw(st.sampled_from(rows))][column] += 1
        cubes.append(cube)
    return cubes, columns


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(family=families(), threshold=st.sampled_from([2, 3]))
def test_property_a_family_of_three_tables_never_gives_a_hidden_count_away(family, threshold):
    cubes, columns = family
    results = stats._protect(cubes, columns, threshold)

    for result in results:
        if result is None:
            continue
        cells = [cell for row in result.cells.values() for c, cell in row.items() if c in result.shown]
        cells += [*result.overall.values(), result.grand, *(result.col_totals[c] for c in result.shown)]
        assert not [c for c in cells if c.status is Status.PUBLISHED and 1 <= c.count <= threshold]
    total = sum(sum(c.values()) for c in cubes[0].values())
    reader = Reader(threshold, cap=total + threshold + 2)
    _read_family(reader, cubes, results, columns)
    assert reader.recoverable() == []


def test_a_third_table_shows_no_year_whose_total_the_first_two_hide():
    # 2025 has one complaint (threshold 3): its total is hidden, and to protect it the first two
    # tables hide the 2026 total too (the cheapest way, with (p, 2026) and (a, 2026)). The third
    # table then shows no year on its own, only all years, which a reader can check against the
    # published grand total, and nothing else.
    first = {"a": {2025: 1, 2026: 20}, "b": {2025: 0, 2026: 15}}
    second = {"p": {2025: 1, 2026: 17}, "q": {2025: 0, 2026: 18}}
    third = {"x": {2025: 1, 2026: 30}, "y": {2025: 0, 2026: 5}}

    one, two, three = stats._protect([first, second, third], [2025, 2026], 3)

    assert [one.col_totals[year].as_csv() for year in (2025, 2026)] == ["<4", "withheld"]
    assert {row: cells[2026].as_csv() for row, cells in two.cells.items()} == {"p": "withheld", "q": "18"}
    assert three.shown == frozenset() and three.column(2025) is None and three.column(2026) is None
    cells, total = three.column(None)
    assert ({row: cell.as_csv() for row, cell in cells.items()}, total.as_csv()) == ({"x": "31", "y": "5"}, "36")


def test_a_third_table_merges_more_years_when_the_hidden_ones_add_up_to_a_small_count():
    # The first two tables hid the 2024 and 2025 totals, 1 each (the published 2026 total and the
    # grand total tell a reader they add up to 2). Merged alone they would make a column whose known
    # total of 2 reads "fewer than 3", so 2026 is merged too: the third table shows all years only.
    margins = {2024: Cell(Status.SMALL, 2), 2025: Cell(Status.SMALL, 2), 2026: Cell.published(60, 2)}
    third = {"x": {2024: 1, 2025: 0, 2026: 40}, "y": {2024: 0, 2025: 1, 2026: 20}}

    result = stats._protect_further(
        third, [2024, 2025, 2026], margins, Cell.published(62, 2), {2024: 1, 2025: 1, 2026: 60}, 2
    )

    assert result.shown == frozenset()
    cells, total = result.column(None)
    assert ({row: cell.as_csv() for row, cell in cells.items()}, total.as_csv()) == ({"x": "41", "y": "21"}, "62")


# --- Speed on PostgreSQL ----------------------------------------------------------------------------


@pytest.mark.postgres
def test_computing_is_quick_with_many_complaints(city, settings):
    settings.PUBLIC_MIN_CELL = 10
    template = Complaint.objects.filter(status=S.UNDER_INVESTIGATION).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_complaint (tracking_number, channel, received_at, incident_date_precision, "
            "incident_time_precision, location_text, district_id, narrative, language, anonymity, status, "
            "status_changed_at, status_code_hash, closure_reason, referred_to, created_at, updated_at, "
            "incident_date, employee_relationship, employee_unit, retaliation_concern, retaliation_detail) "
            "SELECT 'BULK-' || g, 'web', %s - g * interval '1 hour', 'exact', 'unknown', '', "
            "%s, '', 'en', 'named', 'closed', %s - g * interval '1 hour' + interval '20 days', '', '', '', "
            "now(), now(), NULL, '', '', false, '' FROM generate_series(1, 20000) g",
            [NOW, template.district_id, NOW],
        )
    # How long it takes is measured in bench/; here, that it counts in SQL: a handful of grouped
    # queries per period, never one per complaint.
    with CaptureQueriesContext(connection) as queries:
        stats.refresh_snapshot(now=NOW)
    assert len(queries) < 200
    assert stats.published_statistics().summary[0].raw == 20016
