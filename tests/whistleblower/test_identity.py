"""Who reported a police employee's report shows only with ``complaints.view_whistleblower_identity``.

The case is a report a named civilian employee filed through the public form (their name, email,
phone and address, their unit and what they fear). It is worked like any case: accepted and
investigated, with the reporter interviewed, a note, an evidence item and a finding whose texts
name the reporter (as staff who know them write), a public summary that names them, board review
with stored packets; then decided, with a publication drafted. Each persona signs in and every
named route taking the case's tracking number is requested (from the URL resolver, each converter
filled from the case), with the admin's pages on the case and its people, the case's audit trail
(the audit log and its CSV export), and every link on those pages that stays within the case. PDFs
are read with pypdf, CSV and HTML as text.

The oracle is written out by hand: the supervisor (the one role granted the permission by default)
reads every detail; the intake coordinator and the assigned investigator, who read residents'
details, read "Identity withheld (police employee report)" instead; board members, publication
officers and the sysadmin read nothing of the reporter either. The report's flags (a police
employee's report, a retaliation concern) show to everyone who may see the case.
"""

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, Party
from complaints.selectors import complaint_parties_for_user
from investigations.board.documents import BoardPacket
from investigations.board.models import BoardDecision, Vote
from investigations.board.services.decisions import decision_record
from investigations.board.services.review import vote_record
from investigations.models import Disposition, EvidenceItem, GeneratedDocument, Interview
from investigations.services import triage
from investigations.services.evidence import evidence_add
from investigations.services.findings import finding_propose, findings_submit, investigation_public_summary_set
from investigations.services.interviews import interview_record
from investigations.services.notes import note_add
from investigations.services.transitions import complaint_transition
from oversight import permissions, personal_data
from oversight.models import AuditEvent
from public_portal.publication.models import Publication
from public_portal.publication.services import publication_draft
from tests.case_walk import Page, admin_and_audit_urls, tracking_number_urls, walk
from tests.case_walk import body as _body
from tests.case_walk import found as _found
from tests.case_walk import page_text as _text
from tests.factories import PNG_BYTES, UserFactory

from .flow import DETAIL, UNIT

pytestmark = pytest.mark.django_db
S = Complaint.Status
VIEWED = "personal_data.viewed"
WITHHELD = "Identity withheld (police employee report)"

# Everything that would tell who reported, as the pages would print it.
CANARIES = [
    "Philippa",
    "Quarrington-Oyelaran",
    "p.quarrington.home@mailbox.example",
    "555-017-4433",
    "12 Juniper Hollow Road",
    UNIT,
    DETAIL,
]
# Written out by hand: who sees the reporter, who reads residents' details but not the reporter's,
# and who reads no one's.
SEES_REPORTER = {"supervisor"}
READS_PEOPLE_NOT_REPORTER = {"intake_coordinator", "assigned_investigator"}
READS_NO_ONE = {"board_member", "publisher", "sysadmin"}
# Who can open no page of the case at all, by stage (the walk must reach pages for everyone else).
SEES_NO_PAGE = {"board_review": {"publisher", "sysadmin"}, "decided": {"sysadmin"}}
# The files each persona must have read on the walk (at least these).
FILES_OPENED = {"supervisor": {"pdf", "csv"}, "board_member": {"pdf"}}


@dataclass
class Case:
    complaint: Complaint
    reporter: Party
    packets: list[GeneratedDocument]
    values: dict[str, list[Any]]


def _build_case(request, stage: str) -> Case:
    complaint = request.getfixturevalue("complaint")
    supervisor = request.getfixturevalue("supervisor")
    board_member = request.getfixturevalue("board_member")
    board_chair = request.getfixturevalue("board_chair")
    reporter = complaint.parties.get(role=Party.Role.EMPLOYEE)
    # The employee wrote their own name and phone into the narrative.
    Complaint.objects.filter(pk=complaint.pk).update(
        narrative=(
            "I am Philippa Quarrington-Oyelaran. A sergeant in my unit removed two bags of seized cash from "
            "the evidence room and changed the log. Call me on 555 017 4433."
        )
    )
    complaint.refresh_from_db()
    triage.triage_claim(complaint=complaint, actor=supervisor)
    triage.triage_accept(complaint=complaint, actor=supervisor)
    investigator = request.getfixturevalue("assigned_investigator")
    permissions.grant(request.getfixturevalue("intake_coordinator"), "complaints.view_complaint", complaint)
    complaint.refresh_from_db()
    # The supervisor, who knows who reported, interviews them (the name comes from their record).
    interview_record(
        complaint=complaint,
        actor=supervisor,
        person_name="",
        role=Interview.Role.COMPLAINANT,
        party=reporter,
        conducted_at=timezone.now() - timedelta(days=2),
        location="Away from headquarters",
        interviewer=supervisor,
        recorded=False,
        summary="Quarrington-Oyelaran saw the log changed at the end of the shift.",
    )
    evidence_add(
        complaint=complaint,
        actor=investigator,
        kind=EvidenceItem.Kind.DOCUMENT,
        source="Copy kept by Philippa Quarrington-Oyelaran",
        description="Evidence log page, photographed",
        stream=io.BytesIO(PNG_BYTES),
        original_name="log-page.png",
    )
    note_add(
        complaint=complaint,
        actor=supervisor,
        body="Reach the reporter only on p.quarrington.home@mailbox.example, never at work.",
        kind="note",
    )
    allegation = complaint.allegations.get()  # "Lied or wrote a false report", from the form
    finding_propose(
        allegation=allegation,
        actor=investigator,
        disposition=Disposition.NOT_SUSTAINED,
        rationale="The log matches what Quarrington-Oyelaran described.",
    )
    investigation = complaint.investigation
    investigation.complaint = complaint
    investigation_public_summary_set(
        investigation=investigation,
        actor=investigator,
        text="A civilian employee, Philippa Quarrington-Oyelaran, reported a changed evidence log.",
    )
    findings_submit(complaint=complaint, actor=investigator)
    complaint_transition(complaint=complaint, to_status=S.BOARD_REVIEW, actor=supervisor)
    complaint.refresh_from_db()
    packets = []
    for reader in (supervisor, board_member):
        packet = GeneratedDocument.objects.create(
            kind=GeneratedDocument.Kind.BOARD_PACKET, complaint=complaint, requested_by=reader
        )
        packet.file.save("packet.pdf", ContentFile(BoardPacket(complaint).render()), save=False)
        GeneratedDocument.objects.filter(pk=packet.pk).update(file=packet.file.name, ready_at=timezone.now())
        packets.append(packet)
    if stage == "decided":
        for member in (board_member, board_chair):
            vote_record(complaint=complaint, member=member, choice=Vote.Choice.CONCUR)
        decision_record(complaint=complaint, actor=board_chair, kind=BoardDecision.Kind.ADOPT)
        complaint.refresh_from_db()
        publication_draft(complaint=complaint, actor=request.getfixturevalue("publisher"))
    values = {
        "tracking_number": [complaint.tracking_number],
        "number": [1],  # the evidence item; the publication's first version
        "assignment_id": list(investigation.assignments.values_list("pk", flat=True)),
        "allegation_id": [allegation.pk],
        "period_id": [1],
        "to_status": ["authorized"],
        "response_id": [1],
        "document_id": [packet.pk for packet in packets],
        "hold_id": [1],
    }
    return Case(complaint, reporter, packets, values)


@pytest.fixture(params=["board_review", "decided"])
def case(request) -> Case:
    return _build_case(request, request.param)


@pytest.fixture
def review_case(request) -> Case:
    return _build_case(request, "board_review")


# --- The URLs ------------------------------------------------------------------------------------------


def case_urls(case: Case) -> list[str]:
    """Every named staff route that takes the case's tracking number, each converter filled from
    the case (a parameter it has no value for takes 1); the admin's pages on the complaint and the
    reporter; the case's audit trail; the complaint list, the intake queue and the dashboard.
    (Search: tests/whistleblower/test_search.py.)"""
    urls = tracking_number_urls(case.values, staff_only=True, strict=False)
    urls += admin_and_audit_urls(case.complaint, [case.complaint, case.reporter])
    return urls + [reverse("complaints:list"), reverse("complaints:intake_queue"), reverse("cases:dashboard")]


def crawl(client, case: Case, limit: int = 500) -> list[Page]:
    return walk(client, case_urls(case), case.complaint.tracking_number, limit)


# --- The walk ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(SEES_REPORTER | READS_PEOPLE_NOT_REPORTER | READS_NO_ONE))
def test_the_reporter_shows_only_to_the_roles_holding_the_permission(request, client, case, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    pages = crawl(client, case)
    stage = "board_review" if case.complaint.status == S.BOARD_REVIEW else "decided"
    answered = [page for page in pages if page.status == 200]
    # The case's own pages (the lists, the dashboard and the audit log open for more people).
    opened = [page for page in answered if case.complaint.tracking_number in urlsplit(page.url).path]
    assert bool(opened) == (persona not in SEES_NO_PAGE[stage]), [(p.url, p.status) for p in pages]
    files = {kind for page in answered for kind in ("pdf", "csv") if kind in page.content_type}
    assert files >= FILES_OPENED.get(persona, set()), (persona, files)
    found = _found(pages, CANARIES)
    if persona in SEES_REPORTER:
        assert set(found) == set(CANARIES), sorted(set(CANARIES) - set(found))
    else:
        assert found == {}, found
    if persona in READS_PEOPLE_NOT_REPORTER:
        overview = next(p for p in pages if p.url == reverse("cases:overview", args=[case.complaint.tracking_number]))
        assert WITHHELD in overview.text
    # The flags go with the case, for whoever opens it.
    if opened and persona != "publisher":
        case_pages = [p.text for p in opened if "/staff/cases/" in p.url and "html" in p.content_type]
        assert any("Police employee report" in text and "Retaliation concern" in text for text in case_pages)


def test_the_packet_and_the_audit_export_never_name_the_reporter(client, review_case, supervisor, board_member):
    client.force_login(board_member)
    number = review_case.complaint.tracking_number
    packet = _body(client, reverse("board:packet_file", args=[number, review_case.packets[1].pk]))
    assert "Board packet" in packet and "A police employee" in packet and "Civilian employee" in packet
    assert "Retaliation concern" in packet
    assert "[identity withheld (police employee report)] saw the log changed" in packet
    assert not _found([Page("", 200, "", packet)], CANARIES)
    client.force_login(supervisor)
    # The supervisor's own packet is the same document: packets are written for readers who may
    # see nobody's details.
    own = _body(client, reverse("board:packet_file", args=[number, review_case.packets[0].pk]))
    assert not _found([Page("", 200, "", own)], CANARIES)
    export = _body(client, f"{reverse('staff:audit_log_export')}?{urlencode({'tracking_number': number})}")
    assert "employee_report.submitted" in export and "note.added" in export
    assert not _found([Page("", 200, "", export)], CANARIES)


def test_the_publication_drafted_from_the_report_does_not_name_the_reporter(request):
    case = _build_case(request, "decided")
    publication = Publication.objects.get(complaint=case.complaint)
    text = " ".join(str(value) for value in Publication.objects.filter(pk=publication.pk).values().get().values())
    assert "Quarrington-Oyelaran" not in text and "Philippa" not in text
    assert "reported a changed evidence log" in publication.summary


# --- What each reader gets instead ------------------------------------------------------------------------


def test_the_investigator_reads_withheld_in_the_reporters_place_and_a_masked_narrative(
    client, review_case, assigned_investigator
):
    client.force_login(assigned_investigator)
    number = review_case.complaint.tracking_number
    overview = _body(client, reverse("cases:overview", args=[number]))
    assert WITHHELD in overview
    assert "I am [identity withheld (police employee report)]. A sergeant in my unit removed" in overview
    assert "Call me on [identity withheld (police employee report)]." in overview
    assert "A police employee (Civilian employee)" in overview
    assert "Yes: the employee fears retaliation for reporting." in overview
    assert "Employee's unit and safety details" in overview
    interviews = _body(client, reverse("cases:interviews", args=[number]))
    assert "Identity withheld (police employee report)" in interviews
    assert "[identity withheld (police employee report)] saw the log changed" in interviews
    # The interview form's list of people leaves the reporter out.
    assert "Police employee reporting" not in interviews
    notes = _body(client, reverse("cases:notes", args=[number]))
    assert "Reach the reporter only on [identity withheld (police employee report)], never at work." in notes
    detail = _body(client, reverse("complaints:detail", args=[number]))
    assert WITHHELD in detail
    for page in (overview, interviews, notes, detail):
        assert not _found([Page("", 200, "", page)], CANARIES)


def test_the_supervisor_reads_the_reporter_and_the_read_is_recorded(client, review_case, supervisor):
    client.force_login(supervisor)
    number = review_case.complaint.tracking_number
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    overview = _body(client, reverse("cases:overview", args=[number]))
    for text in ("Philippa Quarrington-Oyelaran", "p.quarrington.home@mailbox.example", "555-017-4433", UNIT, DETAIL):
        assert text in overview, text
    assert "I am Philippa Quarrington-Oyelaran." in overview
    (event,) = AuditEvent.objects.filter(id__gt=before, action=VIEWED)
    assert event.data["what"] == ["employee_reporters", "narrative"]
    assert (event.actor, event.target_label) == (supervisor, number)
    for text in CANARIES:
        assert text not in str(event.data) and text not in event.target_label


def test_a_reader_without_the_permission_records_no_read_of_the_reporter(client, review_case, assigned_investigator):
    client.force_login(assigned_investigator)
    number = review_case.complaint.tracking_number
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    _body(client, reverse("cases:overview", args=[number]))
    (event,) = AuditEvent.objects.filter(id__gt=before, action=VIEWED)
    assert "employee_reporters" not in event.data["what"]


def test_the_parties_selector_leaves_the_reporter_out_without_the_permission(
    review_case, supervisor, assigned_investigator, board_member
):
    complaint = review_case.complaint
    assert [p.role for p in complaint_parties_for_user(user=supervisor, complaint=complaint)] == ["employee"]
    assert list(complaint_parties_for_user(user=assigned_investigator, complaint=complaint)) == []
    assert list(complaint_parties_for_user(user=board_member, complaint=complaint)) == []


def test_person_gives_the_reporter_only_with_the_permission(review_case, supervisor, assigned_investigator):
    reporter = review_case.reporter
    shown = personal_data.person(supervisor, reporter, target=review_case.complaint)
    assert (shown.name, shown.email, shown.phone, shown.withheld) == (
        "Philippa Quarrington-Oyelaran",
        "p.quarrington.home@mailbox.example",
        "555-017-4433",
        False,
    )
    hidden = personal_data.person(assigned_investigator, reporter)
    assert (hidden.name, hidden.email, hidden.phone, hidden.address, hidden.withheld) == (
        "identity withheld (police employee report)",
        "",
        "",
        "",
        True,
    )
    assert personal_data.person(None, reporter).name == "identity withheld (police employee report)"
    interview = review_case.complaint.interviews.get()
    assert personal_data.person(assigned_investigator, interview).name == "identity withheld (police employee report)"
    assert personal_data.person(supervisor, interview).name == "Philippa Quarrington-Oyelaran"


def test_the_permission_is_the_supervisors_by_default(supervisor, intake_coordinator, assigned_investigator):
    assert supervisor.has_perm("complaints.view_whistleblower_identity")
    for user in (intake_coordinator, assigned_investigator):
        assert user.has_perm("complaints.view_personal_data")
        assert not user.has_perm("complaints.view_whistleblower_identity")


# --- The admin ---------------------------------------------------------------------------------------------


def test_the_admin_withholds_the_reporter_from_staff_without_the_permission(client, review_case):
    """Staff accounts made in the workspace may use the admin (``is_staff``); an intake coordinator
    there may open the complaint and its people, and must not find the reporter there (the
    complaint's form shows the narrative as the employee wrote it)."""
    from oversight.permissions import Role

    coordinator = UserFactory(username="iris_admin_intake", roles=[Role.INTAKE_COORDINATOR], is_staff=True)
    permissions.grant(coordinator, "complaints.view_complaint", review_case.complaint)
    client.force_login(coordinator)
    reporter = review_case.reporter
    record = reporter.history.order_by("history_id").last()
    pages = [
        reverse("admin:complaints_party_changelist"),
        reverse("admin:complaints_party_change", args=[reporter.pk]),
        reverse("admin:complaints_party_history", args=[reporter.pk]),
        reverse("admin:complaints_party_simple_history", args=[reporter.pk, record.history_id]),
        reverse("admin:complaints_complaint_change", args=[review_case.complaint.pk]),
        reverse("admin:complaints_complaint_history", args=[review_case.complaint.pk]),
        reverse(
            "admin:complaints_complaint_simple_history",
            args=[review_case.complaint.pk, review_case.complaint.history.order_by("history_id").last().history_id],
        ),
    ]
    for url in pages:
        response = client.get(url)
        assert not _found([Page(url, response.status_code, "", _text(response))], CANARIES), url
