"""The periodic public reports print the management measures' numbers: the same as the measures page
for the same period, whether the report is counted now or built from the dashboard's snapshot (whose
rebuilds read no case table)."""

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader

from investigations.board.models import DepartmentResponse
from investigations.measures.models import ReportedMeasures
from oversight.models import AuditEvent
from oversight.permissions import Role
from public_portal.transparency.reports import services
from public_portal.transparency.reports.documents import document_for
from public_portal.transparency.statistics import refresh_snapshot, snapshot_as_of

from ..factories import UserFactory
from .conftest import Builder, S

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1


def noon(month: int, day: int, *, after: int = 0) -> datetime:
    moment = datetime.combine(date(YEAR, month, day), time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment + timedelta(days=after)


def days_before_today(moment: datetime) -> int:
    return (timezone.localdate() - moment.date()).days


@pytest.fixture
def year(db, settings):
    """Last year, counted by hand (threshold 2, so that three cases are enough to show a time; every
    count the dashboard prints is 0 or at least 3, so none is withheld):

    - four complaints received on 1 March, screened after 1, 2, 3 and 4 days, closed at intake after
      10, 20, 25 and 28 days: time to close 10 20 25 28 (median 22.5, 90th percentile 27.1); time
      waiting to be screened 1 2 3 4 (median 2.5, 90th percentile 3.7);
    - three complaints received on 1 April, first assigned 2, 4 and 9 days later (median 4, 90th
      percentile 8), open now: Ana carries two of them, Ben one (median 1.5, most 2);
    - three recommended disciplines, decided on 1 June and answered after 10, 20 and 40 days (median
      20, 90th percentile 36).
    """
    settings.PUBLIC_MIN_CELL = 2
    b = Builder()
    ana = UserFactory(username="r_ana", first_name="Ana", last_name="Alvarez", roles=[Role.INVESTIGATOR])
    ben = UserFactory(username="r_ben", first_name="Ben", last_name="Brooks", roles=[Role.INVESTIGATOR])

    def at(moment: datetime) -> int:
        return days_before_today(moment)

    for n, (screened, closed) in enumerate([(1, 10), (2, 20), (3, 25), (4, 28)]):
        name = f"closed{n}"
        received = noon(3, 1)
        b.case(
            name,
            received=at(received),
            status=S.ADMINISTRATIVELY_CLOSED,
            changed=at(received + timedelta(days=closed)),
        )
        b.moves(
            name,
            (S.RECEIVED, S.IN_TRIAGE, at(received + timedelta(days=screened))),
            (S.IN_TRIAGE, S.ADMINISTRATIVELY_CLOSED, at(received + timedelta(days=closed))),
        )
    for n, (wait, who) in enumerate([(2, ana), (4, ana), (9, ben)]):
        name = f"open{n}"
        received = noon(4, 1)
        b.case(name, received=at(received), status=S.UNDER_INVESTIGATION, changed=at(received))
        b.investigation(name, discovered=at(received))
        b.assign(name, who, at=at(received + timedelta(days=wait)), lead=True)
    for n, wait in enumerate([10, 20, 40]):
        name = f"decided{n}"
        b.case(name, received=at(noon(1, 5)), categories=["force-physical"], status=S.DECIDED, changed=at(noon(6, 1)))
        finding = b.finding(f"{name}.1")
        b.decision(name, at=at(noon(6, 1)), finals=[(finding, "suspension")])
        DepartmentResponse.objects.create(
            finding=finding,
            due_date=date(YEAR, 7, 1),
            response=DepartmentResponse.Response.ACCEPTED,
            responded_on=date(YEAR, 6, 1) + timedelta(days=wait),
        )
    return b


def page_measures(client, supervisor):
    client.force_login(supervisor)
    response = client.get("/staff/measures/", {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"})
    assert response.status_code == 200
    return response.context["measures"]


def summary(document) -> dict[str, float | None]:
    return {measure.key: measure.raw for measure in document.statistics.summary}


def assert_report_agrees_with_page(document, measures) -> None:
    raw = summary(document)
    times = measures.table("times")
    assert (raw["median_days_to_close"], raw["p90_days_to_close"]) == times.row("close-all").values[1:]
    assert (raw["median_days_to_assignment"], raw["p90_days_to_assignment"]) == times.row("assignment").values[1:]
    assert (raw["median_days_to_department_response"], raw["p90_days_to_department_response"]) == times.row(
        "department-response"
    ).values[1:]
    assert raw["caseload_per_investigator"] == measures.caseload.median
    assert raw["caseload_max_per_investigator"] == measures.caseload.most
    stages = measures.table("stages")
    for status, spread in document.measures.stage_days.items():
        assert stages.row(status).values[:3] == (spread.count, spread.median, spread.p90), status
    # The count the dashboard prints for the period is the count the times rest on.
    assert raw["closed"] == times.row("close-all").values[0]


def test_a_report_counted_now_prints_the_numbers_of_the_measures_page(client, supervisor, publisher, year):
    report = services.report_generate(kind="annual", year=YEAR, actor=publisher)
    with translation.override("en"):
        document = document_for(report)
    measures = page_measures(client, supervisor)
    assert_report_agrees_with_page(document, measures)
    # And both are the numbers worked out by hand.
    raw = summary(document)
    assert (raw["median_days_to_close"], raw["p90_days_to_close"]) == (22.5, 27.1)
    assert (raw["median_days_to_assignment"], raw["p90_days_to_assignment"]) == (4.0, 8.0)
    assert (raw["median_days_to_department_response"], raw["p90_days_to_department_response"]) == (20.0, 36.0)
    assert (raw["caseload_per_investigator"], raw["caseload_max_per_investigator"]) == (1.5, 2.0)
    received = document.measures.stage_days[S.RECEIVED]
    assert (received.count, received.median, received.p90) == (4, 2.5, 3.7)
    # Counted now: nothing is kept.
    assert not ReportedMeasures.objects.exists()


def test_the_pdf_prints_them_in_words_without_a_name(publisher, year):
    report = services.report_generate(kind="annual", year=YEAR, actor=publisher)
    with report.file.storage.open(report.file.name) as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in (
        "Median time to close 22.5 days",
        "Nine in ten complaints closed within 27.1 days",
        "Median time to assign an investigator 4 days",
        "Nine in ten complaints assigned within 8 days",
        "Median time for the department to respond to recommended discipline 20 days",
        "Nine in ten department responses came within 36 days",
        "Open cases per investigator (median) 1.5",
        "Time in each stage",
        "Waiting to be screened 2.5 days (median); nine in ten within 3.7 days",
        "Being screened",
        "Not shown when 2 or fewer complaints left this stage in the period.",
    ):
        assert expected in text, expected
    for name in ("Ana", "Alvarez", "Ben", "Brooks", "r_ana"):
        assert name not in text


def test_a_report_from_the_snapshot_keeps_the_measures_and_its_rebuild_reads_no_case_table(
    client, supervisor, publisher, year
):
    refresh_snapshot()
    report = services.report_generate(kind="annual", year=YEAR, actor=publisher)
    kept = ReportedMeasures.objects.get()
    assert (kept.period_start, kept.period_end, kept.basis) == (date(YEAR, 1, 1), date(YEAR, 12, 31), snapshot_as_of())
    event = AuditEvent.objects.get(action="measures.recorded")
    assert (event.data["period_start"], event.data["period_end"]) == (f"{YEAR}-01-01", f"{YEAR}-12-31")
    assert event.target_type == "measures.reportedmeasures" and event.target_id == str(kept.pk)
    with CaptureQueriesContext(connection) as captured, translation.override("en"):
        document = document_for(report)
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "complaints_complaint" not in sql and "investigations_" not in sql
    assert_report_agrees_with_page(document, page_measures(client, supervisor))
    # A new snapshot: the next build counts again, and only the latest is kept.
    refresh_snapshot()
    services.render_report(report)
    assert ReportedMeasures.objects.get().basis == snapshot_as_of() != kept.basis
    assert AuditEvent.objects.filter(action="measures.recorded").count() == 2


def test_a_quarterly_report_agrees_with_the_page_for_its_quarter(client, supervisor, publisher, year):
    report = services.report_generate(kind="quarterly", year=YEAR, quarter=2, actor=publisher)
    with translation.override("en"):
        document = document_for(report)
    client.force_login(supervisor)
    measures = client.get("/staff/measures/", {"start": f"{YEAR}-04-01", "end": f"{YEAR}-06-30"}).context["measures"]
    raw = summary(document)
    times = measures.table("times")
    # April to June: the three first assignments and the three responses; nothing closed.
    assert times.row("assignment").values == (3, 4.0, 8.0)
    assert (raw["median_days_to_assignment"], raw["p90_days_to_assignment"]) == (4.0, 8.0)
    assert times.row("department-response").values == (3, 20.0, 36.0)
    assert (raw["median_days_to_department_response"], raw["p90_days_to_department_response"]) == (20.0, 36.0)
    assert times.row("close-all").values == (0, None, None)
    assert raw["median_days_to_close"] is None
    note = next(m.note for m in document.statistics.summary if m.key == "median_days_to_close")
    assert note == "Not shown when 2 or fewer complaints were closed."
