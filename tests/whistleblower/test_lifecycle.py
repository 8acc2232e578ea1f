"""The retaliation flag follows the case: through every move of the lifecycle it stays on the
complaint, and the case pages, the complaint list and the intake queue show it to whoever may see
the case. Who reported never shows with it."""

import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from complaints.models import Complaint
from investigations.board.models import BoardDecision, Vote
from investigations.board.services.decisions import decision_record
from investigations.board.services.review import vote_record
from investigations.models import Disposition
from investigations.services import triage
from investigations.services.findings import finding_propose, findings_submit, investigation_public_summary_set
from investigations.services.transitions import complaint_transition
from oversight import permissions
from tests.factories import ComplaintFactory

from .flow import Filing, employment, file_report

pytestmark = pytest.mark.django_db
S = Complaint.Status
EMPLOYEE_TAG = "Police employee report"
RETALIATION_TAG = "Retaliation concern"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return unescape(response.content.decode())


def _flags_in_header(page: str) -> tuple[bool, bool]:
    header = re.search(r'<div class="case-header">(.*?)</div>', page, re.S).group(1)
    return EMPLOYEE_TAG in header, RETALIATION_TAG in header


def _check(client, report: Complaint, status: str) -> None:
    stored = Complaint.objects.get(pk=report.pk)
    assert stored.status == status
    assert (stored.employee_relationship, stored.retaliation_concern) == ("civilian", True), status
    page = _page(client, reverse("cases:overview", args=[report.tracking_number]))
    assert _flags_in_header(page) == (True, True), status
    assert "Yes: the employee fears retaliation for reporting." in page
    for tab in ("cases:timeline", "cases:notes", "cases:history"):
        assert _flags_in_header(_page(client, reverse(tab, args=[report.tracking_number]))) == (True, True), tab


def test_the_flag_follows_the_case_through_every_move(
    client, complaint, supervisor, board_member, board_chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the notices each move queues
        _every_move(client, complaint, supervisor, board_member, board_chair)
    # No notice of any move went to the employee: a department mailbox may be read by others.
    assert all("p.quarrington.home@mailbox.example" not in message.to for message in mail.outbox)
    assert all("Quarrington" not in message.body for message in mail.outbox)


def _every_move(client, report, supervisor, board_member, board_chair) -> None:
    client.force_login(supervisor)
    _check(client, report, S.RECEIVED)
    triage.triage_claim(complaint=report, actor=supervisor)
    _check(client, report, S.IN_TRIAGE)
    triage.triage_accept(complaint=report, actor=supervisor)
    _check(client, report, S.UNDER_INVESTIGATION)
    report.refresh_from_db()
    allegation = report.allegations.get()
    finding_propose(allegation=allegation, actor=supervisor, disposition=Disposition.NOT_SUSTAINED, rationale="Log.")
    investigation = report.investigation
    investigation.complaint = report
    investigation_public_summary_set(investigation=investigation, actor=supervisor, text="A changed log.")
    findings_submit(complaint=report, actor=supervisor)
    _check(client, report, S.FINDINGS_PROPOSED)
    complaint_transition(complaint=report, to_status=S.BOARD_REVIEW, actor=supervisor)
    _check(client, report, S.BOARD_REVIEW)
    report.refresh_from_db()
    for member in (board_member, board_chair):
        vote_record(complaint=report, member=member, choice=Vote.Choice.CONCUR)
    decision_record(complaint=report, actor=board_chair, kind=BoardDecision.Kind.ADOPT)
    _check(client, report, S.DECIDED)
    report.refresh_from_db()
    complaint_transition(complaint=report, to_status=S.CLOSED, actor=supervisor)
    _check(client, report, S.CLOSED)
    report.refresh_from_db()
    complaint_transition(complaint=report, to_status=S.UNDER_INVESTIGATION, actor=supervisor, reason="New witness.")
    _check(client, report, S.UNDER_INVESTIGATION)
    # The board sees the flags on the case too (its board page has the same header).
    client.force_login(board_member)
    assert _flags_in_header(_page(client, reverse("board:case", args=[report.tracking_number]))) == (True, True)


def test_closing_in_triage_or_marking_a_duplicate_keeps_the_flag(client, complaint, supervisor):
    triage.triage_claim(complaint=complaint, actor=supervisor)
    complaint.refresh_from_db()
    triage.triage_close(
        complaint=complaint, actor=supervisor, reason_code="insufficient_information", note="Nothing to go on."
    )
    closed = Complaint.objects.get(pk=complaint.pk)
    assert (closed.status, closed.retaliation_concern, closed.employee_relationship) == (
        S.ADMINISTRATIVELY_CLOSED,
        True,
        "civilian",
    )


def test_the_lists_mark_the_report_and_its_retaliation_concern(client, complaint, intake_coordinator):
    resident_case = ComplaintFactory()
    calm = file_report(client.__class__(), Filing(employment=employment(retaliation_concern="no")))
    client.force_login(intake_coordinator)
    for url in (reverse("complaints:list"), reverse("complaints:intake_queue")):
        page = _page(client, url)
        rows = {number: row for row, number in _rows(page)}
        assert EMPLOYEE_TAG in rows[complaint.tracking_number] and RETALIATION_TAG in rows[complaint.tracking_number]
        assert EMPLOYEE_TAG in rows[calm.tracking_number] and RETALIATION_TAG not in rows[calm.tracking_number]
        assert EMPLOYEE_TAG not in rows[resident_case.tracking_number]
        assert "Philippa" not in page and "Quarrington" not in page, url


def _rows(page: str):
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        number = re.search(r">([A-Z]+-\d{4}-\d{5})</a>", row)
        if number:
            yield row, number.group(1)


def test_the_list_reads_the_flags_without_a_query_per_row(client, complaint, supervisor, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.RATE_LIMIT_INTAKE_SUBMIT = "100/60"
    client.force_login(supervisor)
    url = reverse("complaints:list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _n in range(5):
        file_report(client.__class__())
    with CaptureQueriesContext(connection) as many:
        page = _page(client, url)
    assert page.count(EMPLOYEE_TAG) == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_flags_show_to_a_board_member_on_a_referred_case(client, complaint, board_member):
    permissions.grant(board_member, "complaints.view_complaint", complaint)
    client.force_login(board_member)
    page = _page(client, reverse("cases:overview", args=[complaint.tracking_number]))
    assert _flags_in_header(page) == (True, True)
    assert "A police employee (Civilian employee)" in page
    assert "Philippa" not in page and "Evidence Room Annex" not in page
