"""Generation as a task, the narrative rebuild, the daily drafting of due reports and the command."""

from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from oversight.models import AuditEvent
from public_portal.transparency.reports import services, tasks
from public_portal.transparency.reports.models import PublicReport, PublicReportEvent

from .conftest import LAST_YEAR, draft

pytestmark = pytest.mark.django_db

S = PublicReport.Status


def test_a_requested_report_is_generated_after_commit_for_the_person_who_asked(
    publisher, fake_pdf, django_capture_on_commit_callbacks, private_storage
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(actor=publisher, kind="quarterly", year=LAST_YEAR, quarter=2, language="es")
        assert report.status == S.GENERATING and fake_pdf == []

    report.refresh_from_db()
    assert report.status == S.DRAFT and report.language == "es"
    assert private_storage.exists(report.file.name) and report.size and report.pages == 3
    event = PublicReportEvent.objects.get(report=report)
    assert (event.action, event.actor) == ("generated", publisher)
    assert AuditEvent.objects.filter(action="report.requested", actor=publisher).exists()


def test_a_failed_generation_says_so_and_can_be_discarded(publisher, monkeypatch, django_capture_on_commit_callbacks):
    def broken(report):
        raise RuntimeError("statistics unavailable")

    monkeypatch.setattr(services, "render_report", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(actor=publisher, kind="annual", year=LAST_YEAR)
    report.refresh_from_db()
    assert report.status == S.FAILED
    assert report.failure.startswith("The report could not be built.")
    assert "statistics unavailable" not in report.failure
    services.report_move(report=report, target=S.DISCARDED, actor=publisher)
    assert report.status == S.DISCARDED


def test_the_task_leaves_a_report_no_longer_being_generated_alone(publisher, fake_pdf):
    report = draft(publisher)
    assert tasks.generate_report(report.pk) is False
    assert tasks.generate_report(10**9) is False
    assert fake_pdf == [report.slug]  # only the first build


def test_a_new_narrative_rebuilds_the_pdf_and_removes_the_old_file(
    publisher, fake_pdf, django_capture_on_commit_callbacks, private_storage
):
    report = draft(publisher, narrative="")
    old_name, old_hash = report.file.name, report.sha256
    with django_capture_on_commit_callbacks(execute=True):
        services.report_narrative_change(
            report=report, actor=publisher, narrative="The board's account.", narrative_language="es"
        )
    report.refresh_from_db()
    assert report.status == S.DRAFT
    assert report.narrative == "The board's account." and report.narrative_language == "es"
    assert report.sha256 != old_hash and report.file.name != old_name
    assert not private_storage.exists(old_name) and private_storage.exists(report.file.name)
    moves = list(PublicReportEvent.objects.filter(report=report).values_list("action", flat=True))
    assert moves == ["revise", "generated"]
    revise = AuditEvent.objects.filter(action="report.transitioned").order_by("id").first()
    assert revise.data["narrative_changed"] is True and "account" not in str(revise.data)


def test_only_a_drafts_narrative_can_change(publisher, second_publisher, fake_pdf):
    report = draft(publisher)
    services.report_move(report=report, target=S.APPROVED, actor=second_publisher)
    with pytest.raises(services.ReportRefused) as refused:
        services.report_narrative_change(report=report, actor=publisher, narrative="x", narrative_language="en")
    assert refused.value.code == "conflict"


def test_a_very_long_narrative_is_refused(publisher, fake_pdf):
    report = draft(publisher)
    with pytest.raises(services.ValidationError):
        services.report_narrative_change(
            report=report, actor=publisher, narrative="x" * 20_001, narrative_language="en"
        )


def test_the_daily_job_drafts_the_last_quarter_and_year_once(fake_pdf):
    made = services.report_draft_due(today=date(2026, 4, 2))
    assert sorted(r.slug for r in made) == ["2025-annual", "2026-q1"]
    assert all(r.status == S.DRAFT and r.authors == [] for r in made)
    assert services.report_draft_due(today=date(2026, 4, 3)) == []
    # A discarded draft is not drafted again.
    PublicReport.objects.filter(slug="2026-q1").update(status=S.DISCARDED)
    assert services.report_draft_due(today=date(2026, 5, 1)) == []
    # The next quarter is.
    assert [r.slug for r in services.report_draft_due(today=date(2026, 7, 1))] == ["2026-q2"]
    assert AuditEvent.objects.filter(action="report.generated", data__scheduled=True).count() == 3


def test_the_daily_job_in_january_drafts_the_fourth_quarter_and_the_year(fake_pdf):
    made = services.report_draft_due(today=date(2026, 1, 1))
    assert sorted(r.slug for r in made) == ["2025-annual", "2025-q4"]


def test_the_daily_job_is_scheduled_and_can_be_switched_off(settings, fake_pdf):
    entry = django_settings.CELERY_BEAT_SCHEDULE["draft-public-reports"]
    assert entry["task"] == "public_portal.transparency.reports.tasks.draft_due_reports"
    settings.PUBLIC_REPORTS_AUTO_DRAFT = False
    assert tasks.draft_due_reports() == 0
    settings.PUBLIC_REPORTS_AUTO_DRAFT = True
    assert tasks.draft_due_reports() == 2
    assert tasks.draft_due_reports() == 0


def test_the_command_generates_a_draft(fake_pdf, capsys):
    call_command("generate_report", kind="annual", year=LAST_YEAR)
    call_command(
        "generate_report", "--kind", "quarterly", "--year", str(LAST_YEAR), "--quarter", "3", "--language", "es"
    )
    out = capsys.readouterr().out
    assert f"Draft {LAST_YEAR}-annual" in out and f"Draft {LAST_YEAR}-q3" in out
    assert set(PublicReport.objects.values_list("slug", "language", "status")) == {
        (f"{LAST_YEAR}-annual", "en", S.DRAFT),
        (f"{LAST_YEAR}-q3", "es", S.DRAFT),
    }


@pytest.mark.parametrize(
    "options, message",
    [
        ({"kind": "quarterly", "year": LAST_YEAR}, "needs --quarter"),
        ({"kind": "annual", "year": LAST_YEAR, "quarter": 2}, "leave out --quarter"),
        ({"kind": "annual", "year": timezone.localdate().year}, "has not ended yet"),
        ({"kind": "annual", "year": 1999}, "Give a year from 2000"),
        ({"kind": "annual", "year": LAST_YEAR, "language": "fr"}, "languages offered"),
    ],
)
def test_the_command_refuses_bad_periods_plainly(fake_pdf, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_report", **options)
    assert not PublicReport.objects.exists()
