"""The report PDF, built for real and read back with pypdf: the period, every section, the board's
narrative, the recommendations, and small counts shown only as "fewer than 11"."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from complaints.models import AllegationCategory, Complaint
from public_portal.models import PolicyRecommendation, RecommendationStatusUpdate
from public_portal.transparency.reports import services
from public_portal.transparency.reports.models import PublicReport

from ...factories import AllegationFactory, ComplaintFactory, SubjectOfficerFactory
from .conftest import LAST_YEAR

pytestmark = pytest.mark.django_db

NARRATIVE = "The board met every month.\n\nResidents came forward in greater numbers than before."


@pytest.fixture
def cases(db):
    """Forty complaints received across last year, each with a physical-force allegation; three of
    them also hold a discourtesy allegation: a category of three, which must never be printed."""
    discourtesy = AllegationCategory.objects.get(code="disc-words")
    start = datetime(LAST_YEAR, 1, 10, 15, tzinfo=UTC)
    for n in range(40):
        complaint = ComplaintFactory(received_at=start + timedelta(days=8 * n))
        subject = SubjectOfficerFactory(complaint=complaint)
        AllegationFactory(subject_officer=subject)
        if n % 13 == 0 and n < 39:
            AllegationFactory(subject_officer=subject, category=discourtesy)


@pytest.fixture
def recommendation(db):
    recommendation = PolicyRecommendation.objects.create(
        number=f"PR-{LAST_YEAR}-01",
        title="Offer an interpreter at the scene",
        text="Call the interpreter line before questioning.",
        adopted_on=date(LAST_YEAR, 5, 2),
    )
    RecommendationStatusUpdate.objects.create(
        recommendation=recommendation,
        recorded_on=date(LAST_YEAR, 7, 1),
        department_response=RecommendationStatusUpdate.Response.ACCEPTED,
        implementation=RecommendationStatusUpdate.Implementation.IN_PROGRESS,
    )
    return recommendation


def _text(report: PublicReport) -> tuple[str, PdfReader]:
    with report.file.storage.open(report.file.name) as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_the_annual_report_prints_every_section_and_no_small_count(publisher, cases, recommendation):
    report = services.report_generate(kind="annual", year=LAST_YEAR, narrative=NARRATIVE, actor=publisher)
    text, reader = _text(report)
    flat = " ".join(text.split())

    assert f"Annual report {LAST_YEAR}" in text
    assert f"Jan. 1, {LAST_YEAR} to Dec. 31, {LAST_YEAR}" in text
    assert "Data as of" in text
    for section in (
        "Summary",
        "From the board",
        "Measures",
        "Intakes: complaints received",
        "Screening: what happened to complaints at intake",
        "Dispositions: the findings on allegations",
        "Backlog: complaints still open",
        "Time to close",
        "Caseload per investigator",
        "Charts and tables",
        "Complaints received and closed, by month",
        "Allegations by type",
        "Complainants by race or ethnicity",
        "Board decisions",
        "Policy recommendations",
        "About these numbers",
    ):
        assert section in text, section
    # The narrative, as written.
    assert "The board met every month." in text
    assert "Residents came forward in greater numbers than before." in text
    # The recommendation and its status in the public's words.
    assert f"PR-{LAST_YEAR}-01" in text and "Offer an interpreter at the scene" in text
    assert "The department accepted it" in flat and "Work is in progress" in flat
    # The category of three: shown as "fewer than 11", never as 3. pypdf gives each table cell its own
    # line, so the table row is the category's line and the line after it (the chart's labels come
    # without numbers).
    lines = text.splitlines()
    after = [lines[i + 1] for i, line in enumerate(lines) if line.strip() == "Discourtesy"]
    assert "fewer than 11" in after, after
    assert "3" not in [value.strip() for value in after]
    section = text[text.index("Allegations by type") : text.index("Allegations by finding")]
    assert "3" not in [line.strip() for line in section.splitlines()]
    assert "A count from 1 to 10 is shown as “fewer than 11”" in flat
    # Metadata and page count.
    assert reader.metadata.title == f"Annual report {LAST_YEAR}"
    assert report.pages == len(reader.pages) > 3


def test_a_quarterly_report_covers_its_quarter_only(publisher, cases):
    report = services.report_generate(kind="quarterly", year=LAST_YEAR, quarter=1, actor=publisher)
    text, _reader = _text(report)
    assert f"Quarterly report, January to March {LAST_YEAR}" in text
    assert f"Jan. 1, {LAST_YEAR} to March 31, {LAST_YEAR}" in text
    assert "The board's narrative has not been written yet." in text
    assert "The board had made no policy recommendations by the end of this period." in text
    # Eleven complaints arrived in that quarter (every eight days from 10 January to 31 March).
    lines = text.splitlines()
    assert lines[lines.index("Complaints received") + 1] == "11"


def test_the_report_is_built_in_the_language_chosen(publisher, cases):
    report = services.report_generate(
        kind="annual", year=LAST_YEAR, language="es", narrative="The board wrote in English.", actor=publisher
    )
    text, reader = _text(report)
    assert reader.trailer["/Root"].get("/Lang") == "es"
    assert "Página 1 de" in text
    # Labels of the taxonomy and the suppression wording come in Spanish.
    lines = text.splitlines()
    after = [lines[i + 1] for i, line in enumerate(lines) if line.strip() == "Descortesía"]
    assert "menos de 11" in after, after


def test_an_annual_report_shows_the_dashboards_numbers_of_its_year(publisher, cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from public_portal.transparency.statistics import refresh_snapshot, snapshot_as_of

    refresh_snapshot()
    report = services.report_generate(kind="annual", year=LAST_YEAR, narrative=NARRATIVE, actor=publisher)
    assert report.data_as_of == snapshot_as_of()
    # Rebuilding it reads the snapshot, not the case tables.
    with CaptureQueriesContext(connection) as captured:
        services.render_report(report)
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "transparency_statisticssnapshot" in sql
    assert "complaints_complaint" not in sql and "complaints_party" not in sql


def test_a_snapshot_taken_before_the_year_ended_is_not_used(publisher, cases):
    from django.utils import timezone

    from public_portal.transparency.statistics import refresh_snapshot

    refresh_snapshot(now=datetime(LAST_YEAR, 12, 1, 12, tzinfo=UTC))
    before = timezone.now()
    report = services.report_generate(kind="annual", year=LAST_YEAR, narrative=NARRATIVE, actor=publisher)
    assert report.data_as_of >= before


def test_a_quarter_whose_every_month_is_small_builds_and_prints_every_month(publisher):
    # 2, 3 and 4 complaints received, one closed each month: every number of the month table is
    # "fewer than 11", so its line chart has no point to draw.
    for month, count in ((1, 2), (2, 3), (3, 4)):
        for n in range(count):
            day = datetime(LAST_YEAR, month, 1 + n, 15, tzinfo=UTC)
            complaint = ComplaintFactory(received_at=day)
            if n == 0:
                Complaint.objects.filter(pk=complaint.pk).update(
                    status=Complaint.Status.CLOSED, status_changed_at=day + timedelta(days=5)
                )
    report = services.report_generate(kind="quarterly", year=LAST_YEAR, quarter=1, actor=publisher)
    text, _reader = _text(report)
    lines = text.splitlines()
    for month in ("January", "February", "March"):
        row = lines.index(f"{month} {LAST_YEAR}", lines.index("Month"))
        assert lines[row + 1] == "fewer than 11", lines[row : row + 3]
    assert not {"2", "3", "4"} & {line.strip() for line in lines[lines.index("Month") : lines.index("Total")]}
