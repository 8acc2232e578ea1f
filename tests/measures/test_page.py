"""The measures page and its downloads: who may see them, what they show, the filters' errors, the
CSV of each table, the audit trail, and a number of queries that does not grow with the cases."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import AllegationCategory
from oversight.models import AuditEvent
from oversight.permissions import Role

from ..factories import UserFactory
from .conftest import Builder, S, date_ago, today

pytestmark = pytest.mark.django_db

PAGE = "/staff/measures/"
EXPORT = "/staff/measures/caseload.csv"


def last_100_days() -> dict[str, str]:
    return {"start": date_ago(99).isoformat(), "end": date_ago(0).isoformat()}


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# --- Who may ---------------------------------------------------------------------------------------------


def test_the_routes_are_named():
    assert reverse("staff:measures:page") == PAGE
    assert reverse("staff:measures:export", kwargs={"table": "caseload"}) == EXPORT


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("supervisor", 200),
        ("assigned_investigator", 404),
        ("other_investigator", 404),
        ("board_member", 404),
        ("board_chair", 404),
        ("intake_coordinator", 404),
        ("publisher", 404),
        ("sysadmin", 404),
    ],
)
def test_only_supervisors_see_the_page_and_its_downloads(request, client, persona, status):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in (PAGE, EXPORT, "/staff/measures/times.csv"):
        response = client.get(url)
        assert response.status_code == status, (persona, url)
        if status == 404:
            assert "Staff workspace" in response.content.decode()
    home = client.get(reverse("staff:home")).content.decode()
    assert (f'href="{PAGE}"' in home) is (status == 200)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (PAGE, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"], url
    assert not AuditEvent.objects.filter(action__startswith="measures.").exists()


def test_refused_people_leave_no_measures_event(client, other_investigator):
    client.force_login(other_investigator)
    client.get(PAGE)
    client.get(EXPORT)
    assert not AuditEvent.objects.filter(action__startswith="measures.").exists()


def test_an_unknown_table_is_404(client, supervisor):
    client.force_login(supervisor)
    assert client.get("/staff/measures/everything.csv").status_code == 404
    assert not AuditEvent.objects.filter(action="measures.exported").exists()


def test_post_is_refused(client, supervisor):
    client.force_login(supervisor)
    assert client.post(PAGE).status_code == 405


# --- What it shows ---------------------------------------------------------------------------------------


def test_the_page_shows_every_table_with_its_chart_and_a_caption(client, supervisor, office):
    client.force_login(supervisor)
    response = client.get(PAGE, last_100_days())
    assert response.status_code == 200
    body = response.content.decode()
    for title in (
        "Caseload per investigator",
        "Open cases by age",
        "The statutory deadline clock",
        "Time in each stage",
        "How long the work takes",
        "Subpoena compliance",
        "The department&#x27;s responses to recommended discipline",
    ):
        assert title in body, title
    # Seven charts, each an image named after its table, beside a table with a caption and headers.
    assert body.count('<svg role="img"') == 7
    assert 'aria-label="Chart: Caseload per investigator. The table beside it gives its numbers."' in body
    assert body.count("<caption>") == 7
    assert '<th scope="row">Ana Alvarez</th>' in body
    assert "Caseload per investigator, now" in body
    assert "Bars are rounded to the whole day; the table gives the exact number." in body
    # The headline numbers.
    assert "Median time from intake to close" in body and "60 days" in body
    # Each table's download keeps the filters.
    start, end = date_ago(99).isoformat(), date_ago(0).isoformat()
    assert f'href="/staff/measures/stages.csv?period=custom&amp;start={start}&amp;end={end}"' in body
    assert 'href="/staff/measures/"' in body  # the nav link


def test_a_table_shows_the_days_to_one_decimal_place(client, supervisor, office):
    client.force_login(supervisor)
    body = client.get(PAGE, last_100_days()).content.decode()
    start = body.index('id="times"')
    section = body[start : body.index("</section>", start)]
    row = section[section.index("Intake to first assignment") :]
    cells = [part.split("</td>")[0] for part in row.split('<td class="text-right">')[1:4]]
    assert cells == ["2", "5.5", "5.9"]


def test_an_office_with_no_cases_says_so(client, supervisor):
    client.force_login(supervisor)
    response = client.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing to count yet" in body
    assert "No investigator is assigned to an open case now." in body
    assert "No subpoena was issued in this period." in body
    assert "<svg" not in body


def test_the_default_period_is_the_last_12_months(client, supervisor):
    client.force_login(supervisor)
    measures = client.get(PAGE).context["measures"]
    last = today()
    try:
        a_year_before = last.replace(year=last.year - 1)
    except ValueError:  # 29 February
        a_year_before = last.replace(year=last.year - 1, day=28)
    assert (measures.filters.start, measures.filters.end) == (a_year_before + timedelta(days=1), last)


def test_a_preset_period_sets_the_dates(client, supervisor):
    client.force_login(supervisor)
    measures = client.get(PAGE, {"period": "last-30-days"}).context["measures"]
    assert (measures.filters.start, measures.filters.end) == (date_ago(29), date_ago(0))
    last_year = today().year - 1
    measures = client.get(PAGE, {"period": "last-year"}).context["measures"]
    assert (measures.filters.start.isoformat(), measures.filters.end.isoformat()) == (
        f"{last_year}-01-01",
        f"{last_year}-12-31",
    )


def test_the_district_and_category_filters_reach_the_numbers(client, supervisor, office):
    client.force_login(supervisor)
    force = AllegationCategory.objects.get(code="force")
    response = client.get(PAGE, {**last_100_days(), "district": office.north.pk, "category": force.pk})
    assert response.status_code == 200
    measures = response.context["measures"]
    # North and force: C1 C5 C7 C9.
    assert measures.table("open-by-age").totals.values == (1, 1, 0, 2)
    assert measures.table("times").row("close-all").values == (2, 41.0, 72.2)  # C9 2, C7 80
    body = response.content.decode()
    assert "District: North" in body and "Category: Force and its sub-categories" in body


# --- Errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end", "The last day comes before the first day."),
        ({"start": "yesterday", "end": "2026-04-01"}, "start", "Enter a valid date."),
        ({"period": "custom"}, "start", "Give the first day of the period."),
        ({"end": "2026-04-01"}, "start", "Give the first day of the period."),
        ({"period": "forever"}, "period", "Select a valid choice."),
        ({"district": "999999999999999999999"}, "district", "Select a valid choice."),
        ({"category": "force"}, "category", "Select a valid choice."),
        ({"start": "1800-01-01", "end": "2026-04-01"}, "start", "Enter a date between"),
        ({"district": "1\x07"}, "district", "invisible control characters"),
    ],
)
def test_a_wrong_filter_gets_a_clear_error_and_no_numbers(client, supervisor, query, field, message):
    client.force_login(supervisor)
    for url in (PAGE, "/staff/measures/times.csv"):
        response = client.get(url, query)
        assert response.status_code == 400, url
        body = response.content.decode()
        assert message in body, (url, body[:2000])
        assert f'href="#id_{field}"' in body  # the error summary links to the field
        assert response.context["measures"] is None
        assert "<caption>" not in body
    assert not AuditEvent.objects.filter(action__startswith="measures.").exists()


def test_a_period_ending_after_today_is_refused(client, supervisor):
    client.force_login(supervisor)
    response = client.get(PAGE, {"start": date_ago(10).isoformat(), "end": date_ago(-1).isoformat()})
    assert response.status_code == 400
    assert f"The period cannot end after today ({today().isoformat()})." in response.content.decode()


# --- Downloads -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["caseload", "open-by-age", "deadlines", "stages", "times", "subpoenas", "department-responses"]
)
def test_each_download_is_its_table(client, supervisor, office, key):
    client.force_login(supervisor)
    table = client.get(PAGE, last_100_days()).context["measures"].table(key)
    response = client.get(f"/staff/measures/{key}.csv", last_100_days())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    start, end = date_ago(99).isoformat(), date_ago(0).isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="measures-{key}-{start}-{end}.csv"'
    rows = read_csv(response)
    assert rows[0] == [table.row_heading, *table.column_headings]
    expected = [[row.label, *cells] for row, cells in table.display_rows()]
    if table.totals is not None:
        expected.append([table.totals.label, *table.display_totals()])
    # The same rows and numbers as the page (no grouping, a point for decimals, empty for none).
    assert [[cell.replace(",", "") for cell in row] for row in rows[1:]] == [
        [cell.replace(",", "").replace("—", "") for cell in row] for row in expected
    ]


def test_the_times_download_written_out(client, supervisor, office):
    client.force_login(supervisor)
    rows = read_csv(client.get("/staff/measures/times.csv", last_100_days()))
    assert rows == [
        ["From and to", "Cases", "Median days", "90th percentile, days"],
        ["Intake to first assignment", "2", "5.5", "5.9"],
        ["Intake to close: every closing", "6", "60", "185"],
        ["Intake to close: investigated and closed", "3", "100", "236"],
        ["Intake to close: resolved through mediation", "1", "40", "40"],
        ["Intake to close: referred to another agency", "1", "10", "10"],
        ["Intake to close: closed at intake", "1", "2", "2"],
        ["Board decision to the department's response", "2", "27.5", "37.5"],
        ["Subpoena issued to its answer", "3", "28", "33.6"],
    ]


def test_a_name_that_looks_like_a_formula_is_written_as_text(client, supervisor, db, measures_settings):
    UserFactory(username="mallory", first_name='=HYPERLINK("http://x")', last_name="", roles=[Role.INVESTIGATOR])
    client.force_login(supervisor)
    rows = read_csv(client.get(EXPORT))
    assert ['\'=HYPERLINK("http://x")', "0", "0", "0", "0"] in rows


# --- The audit trail -------------------------------------------------------------------------------------


def test_viewing_and_downloading_are_audited_with_who_and_which_table(client, supervisor, office):
    client.force_login(supervisor)
    client.get(PAGE, {**last_100_days(), "district": office.north.pk})
    client.get("/staff/measures/subpoenas.csv", last_100_days())
    viewed = AuditEvent.objects.get(action="measures.viewed")
    exported = AuditEvent.objects.get(action="measures.exported")
    assert viewed.actor == supervisor and viewed.actor_username == "sofia_supervisor"
    assert viewed.data == {
        "filters": {
            "start": date_ago(99).isoformat(),
            "end": date_ago(0).isoformat(),
            "district": office.north.pk,
            "category": None,
        }
    }
    assert exported.actor == supervisor
    assert exported.data["table"] == "subpoenas"
    assert exported.data["filters"]["district"] is None


# --- Queries ---------------------------------------------------------------------------------------------


def _cases(builder: Builder, n: int, start: int, ana, ben) -> None:
    """``n`` cases of every kind the page counts, named from ``start``."""
    for i in range(start, start + n):
        name = f"Q{i}"
        builder.case(name, received=300 + i, categories=["force-physical"], status=S.UNDER_INVESTIGATION, changed=50)
        builder.moves(name, (S.RECEIVED, S.IN_TRIAGE, 60), (S.IN_TRIAGE, S.UNDER_INVESTIGATION, 50))
        investigation = builder.investigation(name, discovered=300 + i)
        from investigations.models import TollingPeriod

        TollingPeriod.objects.create(investigation=investigation, reason="written_waiver", start=date_ago(90), end=None)
        builder.assign(name, ana, at=49, lead=True)
        builder.assign(name, ben, at=48)
        builder.subpoena(name, status="complied", due=20, issued=40, events=[("served", "complied", 10)])
        closed = f"R{i}"
        builder.case(closed, received=80, categories=["disc-words"], status=S.CLOSED, changed=5)
        builder.moves(closed, (S.RECEIVED, S.IN_TRIAGE, 79), (S.IN_TRIAGE, S.CLOSED, 5))
        finding = builder.finding(f"{closed}.1")
        builder.decision(closed, at=20, finals=[(finding, "suspension")])
        from investigations.board.models import DepartmentResponse

        DepartmentResponse.objects.create(
            finding=finding, due_date=date_ago(-5), response="accepted", responded_on=date_ago(1)
        )


def test_the_number_of_queries_does_not_grow_with_the_cases(client, supervisor, measures_settings):
    ana = UserFactory(username="q_ana", roles=[Role.INVESTIGATOR])
    ben = UserFactory(username="q_ben", roles=[Role.INVESTIGATOR])
    builder = Builder()
    client.force_login(supervisor)
    counts = []
    for start, n in ((0, 2), (2, 8)):
        _cases(builder, n, start, ana, ben)
        for url in (PAGE, "/staff/measures/caseload.csv", "/staff/measures/times.csv"):
            client.get(url, last_100_days())  # warm the session
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, last_100_days())
            assert response.status_code == 200
            counts.append((url, len(captured.captured_queries)))
    assert counts[:3] == counts[3:], counts
    page = client.get(PAGE, last_100_days()).context["measures"]
    assert page.table("caseload").row(str(ana.pk)).values[0] == 10
