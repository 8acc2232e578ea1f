"""The management measures of the office in ``conftest.office``, every number worked out by hand
from the table in that module's docstring.

The period is the last 100 days (99 days ago to today) unless a test says otherwise. A median or
90th percentile is PostgreSQL's percentile_cont: sorted values, position p × (n − 1), linear
interpolation between the two values around it.
"""

import pytest

from complaints.models import AllegationCategory
from investigations.measures.selectors import MeasureFilters, category_with_descendants, measures_for

from .conftest import date_ago

pytestmark = pytest.mark.django_db


def period(first: int = 99, last: int = 0, **filters) -> MeasureFilters:
    return MeasureFilters(start=date_ago(first), end=date_ago(last), **filters)


def rows(table) -> dict[str, tuple]:
    return {row.label: row.values for row in table.rows}


def by_key(table) -> dict[str, tuple]:
    return {row.key: row.values for row in table.rows}


def test_caseload_per_investigator(office):
    measures = measures_for(period())
    table = measures.table("caseload")
    # Open cases (C1 C2 C12 for Ana; C2 C3 C4 for Ben), as lead, past the deadline (C1 for Ana;
    # C4, tolled, for Ben), due soon (C3). Cy carries none. C7 and C10 are closed.
    assert [(row.label, row.values) for row in table.rows] == [
        ("Ana Alvarez", (3, 2, 1, 0)),
        ("Ben Brooks", (3, 2, 1, 1)),
        ("Cy Chen", (0, 0, 0, 0)),
    ]
    assert (measures.caseload.median, measures.caseload.most, measures.caseload.carrying) == (3.0, 3, 2)


def test_open_cases_by_age_band_and_stage(office):
    table = measures_for(period()).table("open-by-age")
    # Columns: intake or mediation, under investigation, with the board or decided, all.
    assert rows(table) == {
        "Under 30 days": (1, 0, 0, 1),  # C5 (20 days)
        "30 to 89 days": (1, 1, 0, 2),  # C6 (45), C12 (50)
        "90 to 179 days": (0, 0, 0, 0),
        "180 to 364 days": (0, 1, 1, 2),  # C2 (200), C3 (340)
        "A year or more": (0, 2, 0, 2),  # C1 (400), C4 (380)
    }
    assert table.totals.values == (2, 4, 1, 7)


def test_the_deadline_clock_counts_tolling(office):
    table = measures_for(period()).table("deadlines")
    # On the clock: C1 (overdue), C2 (on track), C3 (due in 25 days), C4 (overdue once its 10 tolled
    # days are added), C12 (on track). Columns: investigations, of which tolled.
    assert by_key(table) == {"overdue": (2, 1), "due-soon": (1, 0), "on-track": (2, 0)}
    assert table.totals.values == (5, 1)
    assert table.row("due-soon").label == "Due within 30 days"


def test_time_in_each_stage_median_and_90th_percentile(office):
    table = measures_for(period()).table("stages")
    # (stays ended in the period, median days, 90th percentile days, in the stage now)
    assert rows(table) == {
        # C6 5, C7 2, C8 2, C9 1, C11 1, C12 2 (C13's import ends no stay): 1 1 2 2 2 5.
        "Received": (6, 2.0, 3.5, 1),
        # C7 3, C8 8, C9 1, C11 9, C12 3: 1 3 3 8 9.
        "In triage": (5, 3.0, 8.6, 1),
        "In mediation": (1, 30.0, 30.0, 0),  # C8
        # C7 45, C2 145, C3 255 (their stays began before the period, and ended in it).
        "Under investigation": (3, 145.0, 233.0, 3),
        "Findings proposed": (2, 10.0, 10.0, 1),  # C3 10, C7 10
        "Board review": (2, 25.0, 37.0, 1),  # C7 10, C10 40
        "Decided": (2, 10.0, 10.0, 0),  # C7 10, C10 10
    }


def test_times_from_intake_to_assignment_and_to_close_and_the_others(office):
    table = measures_for(period()).table("times")
    # (cases, median days, 90th percentile days)
    assert by_key(table) == {
        # C7 first assigned 5 days after it came in, C12 6 days (Ben joined C2 later: not a first).
        "assignment": (2, 5.5, 5.9),
        # C9 2, C11 10, C8 40, C7 80, C10 100, C13 270.
        "close-all": (6, 60.0, 185.0),
        "close-closed": (3, 100.0, 236.0),  # C7 80, C10 100, C13 270
        "close-mediated": (1, 40.0, 40.0),
        "close-referred": (1, 10.0, 10.0),
        "close-administrative": (1, 2.0, 2.0),
        # Decision to response: C7's suspension 15 days (the corrected decision does not count),
        # C10's rejected suspension 40 days.
        "department-response": (2, 27.5, 37.5),
        # Issued to answered: C4 25, C2 28, C7 35 (C2's older subpoena was issued before the period).
        "subpoena-answer": (3, 28.0, 33.6),
    }


def test_subpoena_compliance(office):
    table = measures_for(period()).table("subpoenas")
    # (subpoenas issued in the period, answered after the due date)
    assert by_key(table) == {
        "complied": (1, 1),  # C7: due 30 days ago, complied 25 days ago
        "partly": (1, 0),  # C2: answered 2 days before it was due
        "not-complied": (1, 0),  # C4: refused in time, referred for enforcement
        "ended": (1, 0),  # C1: withdrawn
        "awaited": (1, 0),  # C12: due in 20 days (its draft was never issued)
        "past-due": (1, 0),  # C3: served, due 10 days ago
    }
    assert table.totals.values == (6, 1)


def test_department_responses_to_recommended_discipline(office):
    table = measures_for(period()).table("department-responses")
    # C7 (current decision 20 days ago): suspension accepted, reprimand awaited (due in 10 days).
    # C10 (decided 60 days ago): training overdue, suspension rejected 10 days late; no discipline
    # recommended on its third finding.
    assert by_key(table) == {
        "accepted": (1, 0),
        "modified": (0, 0),
        "rejected": (1, 1),
        "awaiting": (1, 0),
        "overdue": (1, 0),
    }
    assert table.totals.values == (4, 1)


def test_the_headlines(office):
    headlines = {h.key: (h.value, h.note) for h in measures_for(period()).headlines}
    assert headlines == {
        "open": ("7", ""),
        "overdue": ("2", ""),
        "due-soon": ("1", ""),
        "caseload": ("3", "Of 2 investigators with open cases; most carried: 3."),
        "to-close": ("60 days", "Of 6 cases closed in the period."),
        "to-assignment": ("5.5 days", "Of 2 cases first assigned in the period."),
        "subpoenas-late": ("2", "Of 6 subpoenas issued in the period."),
        "responses-overdue": ("1", "Of 4 recommendations of discipline in the period."),
    }


# --- Filters ----------------------------------------------------------------------------------------------


def test_the_district_filter_keeps_that_districts_cases(office):
    measures = measures_for(period(district=office.north))
    # North: C1 C2 C5 C7 C9 C11 C12.
    assert rows(measures.table("caseload")) == {
        "Ana Alvarez": (3, 2, 1, 0),
        "Ben Brooks": (1, 0, 0, 0),
        "Cy Chen": (0, 0, 0, 0),
    }
    assert by_key(measures.table("deadlines")) == {"overdue": (1, 0), "due-soon": (0, 0), "on-track": (2, 0)}
    assert measures.table("open-by-age").totals.values == (1, 3, 0, 4)
    times = by_key(measures.table("times"))
    assert times["close-all"] == (3, 10.0, 66.0)  # C9 2, C11 10, C7 80
    assert times["assignment"] == (2, 5.5, 5.9)
    assert times["department-response"] == (1, 15.0, 15.0)
    assert measures.table("subpoenas").totals.values == (4, 1)  # C1 C2 C7 C12
    assert measures.table("department-responses").totals.values == (2, 0)


def test_the_category_filter_takes_a_class_and_its_sub_categories(office):
    force = AllegationCategory.objects.get(code="force")
    ids = category_with_descendants(force)
    assert AllegationCategory.objects.get(code="force-physical").pk in ids
    measures = measures_for(period(category=force, category_ids=ids))
    # Complaints with a force allegation: C1 C3 C5 C7 C9 C10.
    assert rows(measures.table("caseload")) == {
        "Ana Alvarez": (1, 1, 1, 0),  # C1
        "Ben Brooks": (1, 1, 0, 1),  # C3
        "Cy Chen": (0, 0, 0, 0),
    }
    times = by_key(measures.table("times"))
    assert times["close-all"] == (3, 80.0, 96.0)  # C9 2, C7 80, C10 100
    assert times["assignment"] == (1, 5.0, 5.0)  # C7
    # Every finding of those complaints counts, whatever its own category.
    assert measures.table("department-responses").totals.values == (4, 1)
    assert by_key(measures.table("subpoenas"))["past-due"] == (1, 0)  # C3
    assert measures.table("open-by-age").totals.values == (1, 1, 1, 3)  # C5; C1; C3


def test_a_shorter_period_counts_only_what_happened_in_it(office):
    measures = measures_for(period(45, 20))
    times = by_key(measures.table("times"))
    # Closed from 45 to 20 days ago: C9 2, C8 40, C13 270. First assigned: C12 (44 days ago).
    assert times["close-all"] == (3, 40.0, 224.0)
    assert times["assignment"] == (1, 6.0, 6.0)
    # Counted by the day of the decision: C7's, 20 days ago (answered since); C10's was 60 days ago.
    assert times["department-response"] == (1, 15.0, 15.0)
    # What stands now does not depend on the period.
    assert measures.table("open-by-age").totals.values == (2, 4, 1, 7)
    assert measures.table("caseload").rows[0].values == (3, 2, 1, 0)
    stages = rows(measures.table("stages"))
    # Ended from 45 to 20 days ago: received C6 5, C9 1 (C12 left it 48 days ago); in triage C9 1,
    # C12 3.
    assert stages["Received"] == (2, 3.0, 4.6, 1)
    assert stages["In triage"] == (2, 2.0, 2.8, 1)
    assert stages["Board review"] == (1, 10.0, 10.0, 1)  # C7 left it 20 days ago


def test_an_office_with_no_cases_has_empty_tables(db, measures_settings):
    measures = measures_for(period())
    assert measures.is_empty
    assert measures.caseload.median is None
    assert measures.table("times").row("close-all").values == (0, None, None)
    assert measures.table("open-by-age").totals.values == (0, 0, 0, 0)
