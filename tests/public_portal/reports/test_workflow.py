"""The report lifecycle: generating → draft → approved → published, discard, retract; the two-person
rule as a guard, met the same way by the services and by the lifecycle's own generic path."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from oversight.lifecycle import MoveRefused
from oversight.models import AuditEvent
from public_portal.transparency.reports import services
from public_portal.transparency.reports.models import PublicReport, PublicReportEvent
from public_portal.transparency.reports.workflow import REPORT_LIFECYCLE

from .conftest import LAST_YEAR, draft, published

pytestmark = pytest.mark.django_db

S = PublicReport.Status
TWO_PERSON_REFUSAL = "someone else must approve it (the two-person rule)"


def test_a_generated_report_is_a_draft_with_its_pdf_and_hash_and_is_audited(publisher, fake_pdf, private_storage):
    report = draft(publisher)

    assert report.status == S.DRAFT
    assert report.slug == f"{LAST_YEAR}-annual"
    assert report.title == f"Annual report {LAST_YEAR}"
    assert (report.period_start.isoformat(), report.period_end.isoformat()) == (
        f"{LAST_YEAR}-01-01",
        f"{LAST_YEAR}-12-31",
    )
    with private_storage.open(report.file.name) as stored:
        content = stored.read()
    import hashlib

    assert hashlib.sha256(content).hexdigest() == report.sha256
    assert report.authors == [publisher.pk]
    event = AuditEvent.objects.get(action="report.generated")
    assert event.actor == publisher and event.data["sha256"] == report.sha256


def test_a_quarterly_report_gets_its_quarter_in_the_address_and_title(publisher, fake_pdf):
    report = draft(publisher, kind="quarterly", quarter=3)
    assert report.slug == f"{LAST_YEAR}-q3"
    assert report.title == f"Quarterly report, July to September {LAST_YEAR}"
    assert (report.period_start.isoformat(), report.period_end.isoformat()) == (
        f"{LAST_YEAR}-07-01",
        f"{LAST_YEAR}-09-30",
    )


def test_a_period_that_has_not_ended_is_refused_with_the_reason(publisher, fake_pdf):
    with pytest.raises(ValidationError) as refused:
        draft(publisher, year=timezone.localdate().year)
    assert "has not ended yet" in str(refused.value)
    with pytest.raises(ValidationError):
        draft(publisher, kind="quarterly", quarter=None)
    assert not PublicReport.objects.exists()


def test_the_author_cannot_approve_under_the_two_person_rule(publisher, fake_pdf):
    report = draft(publisher)
    with pytest.raises(services.ReportRefused) as refused:
        services.report_move(report=report, target=S.APPROVED, actor=publisher)

    assert TWO_PERSON_REFUSAL in refused.value.message
    assert refused.value.code == "precondition"
    report.refresh_from_db()
    assert report.status == S.DRAFT
    denied = AuditEvent.objects.get(action="report.transitioned", outcome="denied")
    assert denied.data["refused"] == "precondition"


def test_the_generic_lifecycle_path_refuses_the_author_too(publisher, fake_pdf):
    report = draft(publisher)
    with pytest.raises(MoveRefused) as refused:
        REPORT_LIFECYCLE.run(obj=report, target=S.APPROVED, actor=publisher)
    assert TWO_PERSON_REFUSAL in refused.value.message
    assert PublicReport.objects.get(pk=report.pk).status == S.DRAFT


def test_a_second_publisher_approves_and_the_author_publishes(publisher, second_publisher, fake_pdf):
    report = draft(publisher)
    services.report_move(report=report, target=S.APPROVED, actor=second_publisher)
    services.report_move(report=report, target=S.PUBLISHED, actor=publisher)

    report.refresh_from_db()
    assert report.status == S.PUBLISHED
    assert report.approved_by == second_publisher and report.published_by == publisher
    assert report.published_at is not None
    moves = list(PublicReportEvent.objects.filter(report=report).values_list("action", "actor_username"))
    assert moves == [("approve", "pat_publisher"), ("publish", "priya_publisher")]
    audited = list(
        AuditEvent.objects.filter(action="report.transitioned", outcome="success")
        .order_by("id")
        .values_list("data", flat=True)
    )
    assert [(d["from"], d["to"]) for d in audited] == [("draft", "approved"), ("approved", "published")]
    assert audited[0]["two_person_rule"] is True


@pytest.mark.parametrize("path", ["service", "lifecycle"])
def test_with_the_two_person_rule_off_the_author_may_approve(settings, publisher, fake_pdf, path):
    settings.PUBLICATION_TWO_PERSON = False
    report = draft(publisher)
    if path == "service":
        services.report_move(report=report, target=S.APPROVED, actor=publisher)
    else:
        REPORT_LIFECYCLE.run(obj=report, target=S.APPROVED, actor=publisher)
    assert PublicReport.objects.get(pk=report.pk).status == S.APPROVED
    assert AuditEvent.objects.get(action="report.transitioned").data["two_person_rule"] is False


def test_whoever_writes_the_narrative_may_not_approve(
    publisher, second_publisher, fake_pdf, django_capture_on_commit_callbacks
):
    # A scheduled draft has no author; writing its narrative makes one.
    report = services.report_generate(kind="annual", year=LAST_YEAR, scheduled=True)
    assert report.authors == []
    with django_capture_on_commit_callbacks(execute=True):
        services.report_narrative_change(
            report=report, actor=second_publisher, narrative="What the board saw.", narrative_language="en"
        )
    report.refresh_from_db()
    assert report.status == S.DRAFT and report.narrative == "What the board saw."

    with pytest.raises(services.ReportRefused) as refused:
        services.report_move(report=report, target=S.APPROVED, actor=second_publisher)
    assert TWO_PERSON_REFUSAL in refused.value.message
    services.report_move(report=report, target=S.APPROVED, actor=publisher)
    assert report.status == S.APPROVED


def test_a_draft_without_the_boards_narrative_cannot_be_approved(publisher, second_publisher, fake_pdf):
    report = draft(publisher, narrative="")
    with pytest.raises(services.ReportRefused) as refused:
        services.report_move(report=report, target=S.APPROVED, actor=second_publisher)
    assert "Write the board's narrative first" in refused.value.message


def test_retraction_needs_a_reason_and_records_it(publisher, second_publisher, fake_pdf):
    report = published(publisher, second_publisher)
    with pytest.raises(services.ReportRefused) as refused:
        services.report_move(report=report, target=S.RETRACTED, actor=publisher)
    assert refused.value.code == "reason_required"

    services.report_move(report=report, target=S.RETRACTED, actor=publisher, reason="A table was wrong.")
    report.refresh_from_db()
    assert report.status == S.RETRACTED and report.end_reason == "A table was wrong."
    event = AuditEvent.objects.filter(action="report.transitioned").latest("id")
    # The audit trail says a reason was given, not what it was.
    assert event.data["reason_given"] is True and "A table was wrong." not in str(event.data)


def test_only_one_report_of_a_period_is_published_at_a_time(publisher, second_publisher, fake_pdf):
    first = published(publisher, second_publisher)
    again = draft(publisher, narrative="A corrected account.")
    services.report_move(report=again, target=S.APPROVED, actor=second_publisher)
    with pytest.raises(services.ReportRefused) as refused:
        services.report_move(report=again, target=S.PUBLISHED, actor=publisher)
    assert "Retract it first" in refused.value.message

    services.report_move(report=first, target=S.RETRACTED, actor=publisher, reason="Replaced by a correction.")
    services.report_move(report=again, target=S.PUBLISHED, actor=publisher)
    assert again.status == S.PUBLISHED


def test_a_draft_is_discarded_and_cannot_come_back(publisher, fake_pdf):
    report = draft(publisher)
    services.report_move(report=report, target=S.DISCARDED, actor=publisher)
    assert report.status == S.DISCARDED
    with pytest.raises(services.ReportRefused) as refused:
        services.report_move(report=report, target=S.DRAFT, actor=publisher)
    assert refused.value.code == "not_allowed"


def test_an_approved_report_returns_to_draft_and_loses_its_approval(publisher, second_publisher, fake_pdf):
    report = draft(publisher)
    services.report_move(report=report, target=S.APPROVED, actor=second_publisher)
    services.report_move(report=report, target=S.DRAFT, actor=second_publisher)
    report.refresh_from_db()
    assert report.status == S.DRAFT and report.approved_by is None and report.approved_at is None


@pytest.mark.parametrize(
    "persona", ["supervisor", "intake_coordinator", "other_investigator", "board_member", "sysadmin"]
)
def test_other_roles_may_not_move_a_report_and_the_refusal_is_audited(request, publisher, fake_pdf, persona):
    user = request.getfixturevalue(persona)
    report = draft(publisher)
    for target in (S.APPROVED, S.DISCARDED):
        with pytest.raises(services.ReportRefused) as refused:
            services.report_move(report=report, target=target, actor=user)
        assert refused.value.code == "forbidden"
    assert AuditEvent.objects.filter(action="report.transitioned", outcome="denied", actor=user).count() == 2
    with pytest.raises(PermissionDenied):
        services.report_request(actor=user, kind="annual", year=LAST_YEAR)
    assert AuditEvent.objects.filter(action="report.requested", outcome="denied", actor=user).exists()


def test_the_moves_of_the_generation_task_are_refused_to_everyone_else(publisher, fake_pdf):
    report = services.report_request(actor=publisher, kind="annual", year=LAST_YEAR)  # not run: no commit
    assert report.status == S.GENERATING
    with pytest.raises(services.ReportRefused) as refused:
        services.report_move(report=report, target=S.DRAFT, actor=publisher)
    assert refused.value.code == "owned"
    # A generation that never finishes can be discarded.
    services.report_move(report=report, target=S.DISCARDED, actor=publisher)
    assert report.status == S.DISCARDED


def test_a_stale_page_is_refused_plainly(publisher, second_publisher, fake_pdf):
    report = draft(publisher)
    services.report_move(report=report, target=S.DISCARDED, actor=publisher)
    stale = PublicReport.objects.get(pk=report.pk)
    stale.status = S.DRAFT
    with pytest.raises(services.ReportRefused) as refused:
        services.report_move(report=stale, target=S.APPROVED, actor=second_publisher, expected=S.DRAFT)
    assert refused.value.code == "conflict"
    assert "Discarded" in refused.value.message


def test_generating_again_makes_a_new_draft(publisher, fake_pdf):
    first = draft(publisher)
    second = draft(publisher)
    assert first.pk != second.pk and first.slug == second.slug
    assert PublicReport.objects.filter(status=S.DRAFT).count() == 2
