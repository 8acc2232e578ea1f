"""People's details follow one permission on every page of a case.

The case holds a complainant and a witness with names, addresses, phones and emails nobody else
has; an interview of the witness and one of somebody else; a person subpoenaed at a home address
and an organisation subpoenaed; evidence, a note, an interview summary, a subpoena request and a
narrative that name the people; and a board packet. It is walked twice: in board review, and
decided with a publication drafted (so the publication officer has pages to read).

Each persona signs in and the walk requests every named route that takes the case's tracking
number (from the URL resolver, each converter filled from the case), the admin's pages on the case
and its people, the case's audit trail (the staff audit log and its CSV export filtered by the
tracking number, the admin's event list and each event's page), and every link found on those
pages that stays within the case. PDFs are read with pypdf, CSV and HTML as text.

The oracle is written out here by hand, not read from the role table: intake coordinators (given
the case), the assigned investigator and supervisors hold ``view_personal_data`` and read every
name and address; board members, the board's chair, a recused member, publication officers and the
sysadmin never read one, on any page or in any file, and read the person's role instead.
"""

import io
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from complaints.models import AllegationCategory, Complaint, Party
from investigations.board.documents import BoardPacket
from investigations.board.models import BoardDecision, Vote
from investigations.board.services.decisions import decision_record
from investigations.board.services.review import vote_record
from investigations.models import Disposition, EvidenceItem, GeneratedDocument, Interview, Subpoena
from investigations.services import triage
from investigations.services.allegations import allegation_add
from investigations.services.evidence import evidence_add
from investigations.services.findings import finding_propose, findings_submit, investigation_public_summary_set
from investigations.services.interviews import interview_record
from investigations.services.notes import note_add
from investigations.services.subpoenas import subpoena_draft
from investigations.services.transitions import complaint_transition
from oversight import permissions, personal_data
from oversight.models import AuditEvent
from public_portal.publication.services import publication_draft
from tests.case_walk import Page, admin_and_audit_urls, tracking_number_urls, walk
from tests.case_walk import body as _body
from tests.case_walk import found as _found
from tests.factories import PNG_BYTES, PartyFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status
VIEWED = "personal_data.viewed"

COMPLAINANT = {
    "first_name": "Zephyrine",
    "last_name": "Achterberg-Mwangi",
    "email": "zephyrine.am@mailbox.example",
    "phone": "555-014-2297",
    "address": "41 Quillwort Crescent\nEastbrook",
}
WITNESS = {
    "first_name": "Thaddeus",
    "last_name": "Korvalainen",
    "email": "t.korvalainen@post.example",
    "phone": "555-013-8841",
    "address": "9 Brambleford Mews",
}
OTHER_INTERVIEWEE = "Ottoline Fairweather-Vasquez"
RECIPIENT = "Ignatius Dravenhollow"
RECIPIENT_ADDRESS = "77 Hollowbrook Terrace\nSpringfield"

# Every piece of people's details the case holds, as a page would print it.
CANARIES = [
    "Zephyrine",
    "Achterberg-Mwangi",
    "zephyrine.am@mailbox.example",
    "555-014-2297",
    "41 Quillwort Crescent",
    "Thaddeus",
    "Korvalainen",
    "t.korvalainen@post.example",
    "555-013-8841",
    "9 Brambleford Mews",
    "Ottoline",
    "Fairweather-Vasquez",
    "Ignatius",
    "Dravenhollow",
    "77 Hollowbrook Terrace",
]
# Written out by hand: who holds view_personal_data, and who does not.
SEES_PEOPLE = {"intake_coordinator", "assigned_investigator", "supervisor"}
DOES_NOT = {"board_member", "board_chair", "recused_board_member", "publisher", "sysadmin"}
# The files each reads on the walk: the board packet as PDF, the case's audit trail as CSV.
FILES_OPENED = {
    "supervisor": {"pdf", "csv"},
    "assigned_investigator": {"pdf"},
    "board_member": {"pdf"},
    "board_chair": {"pdf"},
}
# Who can open no page of the case at all, by stage (the walk must reach pages for everyone else).
SEES_NO_PAGE = {"board_review": {"publisher", "recused_board_member"}, "decided": {"recused_board_member"}}


@dataclass
class Case:
    complaint: Complaint
    parties: list[Party]
    packets: list[GeneratedDocument]
    values: dict[str, list[Any]]


def _build_case(request, stage: str) -> Case:
    """The personas' ``complaint``, worked under investigation and approved for board review (which
    lets the seated members in); for ``decided``, voted on, decided by the chair and drafted for
    publication."""
    complaint = request.getfixturevalue("complaint")
    supervisor = request.getfixturevalue("supervisor")
    board_member = request.getfixturevalue("board_member")
    board_chair = request.getfixturevalue("board_chair")
    request.getfixturevalue("recused_board_member")
    Complaint.objects.filter(pk=complaint.pk).update(
        narrative=(
            "I am Zephyrine Achterberg-Mwangi. The officer pushed me against the wall outside the laundromat. "
            "Thaddeus Korvalainen saw it; reach me at 555 014 2297."
        )
    )
    complainant = complaint.parties.get()
    Party.objects.filter(pk=complainant.pk).update(**COMPLAINANT)
    witness = PartyFactory(complaint=complaint, role=Party.Role.WITNESS, **WITNESS)
    complaint.refresh_from_db()
    triage.triage_claim(complaint=complaint, actor=supervisor)
    triage.triage_accept(complaint=complaint, actor=supervisor)
    investigator = request.getfixturevalue("assigned_investigator")
    permissions.grant(request.getfixturevalue("intake_coordinator"), "complaints.view_complaint", complaint)
    complaint.refresh_from_db()

    interview_record(
        complaint=complaint,
        actor=investigator,
        person_name="",  # the name on the complaint
        role=Interview.Role.WITNESS,
        party=witness,
        conducted_at=timezone.now() - timedelta(days=2),
        location="Commission office",
        interviewer=investigator,
        recorded=False,
        summary="Thaddeus Korvalainen saw the van leave without lights. He lives at 9 Brambleford Mews.",
    )
    interview_record(
        complaint=complaint,
        actor=investigator,
        person_name=OTHER_INTERVIEWEE,
        role=Interview.Role.OTHER,
        conducted_at=timezone.now() - timedelta(days=1),
        location="By telephone",
        interviewer=investigator,
        recorded=False,
        summary="The shop owner heard shouting.",
    )
    evidence_add(
        complaint=complaint,
        actor=investigator,
        kind=EvidenceItem.Kind.PHOTO,
        source="Phone of Thaddeus Korvalainen",
        description="Photo of the van, taken by Korvalainen",
        stream=io.BytesIO(PNG_BYTES),
        original_name="van.png",
    )
    note_add(
        complaint=complaint,
        actor=investigator,
        body="Called Zephyrine Achterberg-Mwangi at 555-014-2297: the van was a rental.",
        kind="note",
    )
    for kind, name, address, description in [
        (
            Subpoena.RecipientKind.PERSON,
            RECIPIENT,
            RECIPIENT_ADDRESS,
            f"Dispatch logs of the stop; testimony of {RECIPIENT}.",
        ),
        (Subpoena.RecipientKind.ORGANISATION, "Northside Storage Cooperative", "1 Industrial Way", "Rental records."),
    ]:
        subpoena_draft(
            complaint=complaint,
            actor=investigator,
            recipient_kind=kind,
            recipient_name=name,
            recipient_address=address,
            demand=Subpoena.Demand.BOTH,
            description=description,
            due_date=timezone.localdate() + timedelta(days=30),
        )
    allegation = allegation_add(
        complaint=complaint,
        subject_officer=complaint.subject_officers.get(),
        category=AllegationCategory.objects.get(code="force-physical"),
        actor=investigator,
    )
    finding_propose(
        allegation=allegation,
        actor=investigator,
        disposition=Disposition.NOT_SUSTAINED,
        rationale="Korvalainen could not see the officer's hands.",
    )
    investigation = complaint.investigation
    investigation.complaint = complaint
    investigation_public_summary_set(
        investigation=investigation, actor=investigator, text="Thaddeus Korvalainen saw a push outside a shop."
    )
    findings_submit(complaint=complaint, actor=investigator)
    complaint_transition(complaint=complaint, to_status=S.BOARD_REVIEW, actor=supervisor)
    complaint.refresh_from_db()
    packets = []  # a stored packet for a supervisor and one for a board member (each opens their own)
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
        "number": [1, 2],  # the evidence item; the two subpoenas; the publication's first version
        "assignment_id": list(investigation.assignments.values_list("pk", flat=True)),
        "allegation_id": [allegation.pk],
        "period_id": [1],
        "to_status": [Subpoena.Status.AUTHORIZED],
        "response_id": [1],
        "document_id": [packet.pk for packet in packets],
        "hold_id": [1],
        "file_id": [1],  # a file sent with a message (none here: the page answers 404)
        "flag_id": [1],  # an early-intervention flag (none here)
    }
    return Case(complaint, [complainant, witness], packets, values)


@pytest.fixture(params=["board_review", "decided"])
def case(request) -> Case:
    return _build_case(request, request.param)


@pytest.fixture
def review_case(request) -> Case:
    return _build_case(request, "board_review")


# --- The URLs ------------------------------------------------------------------------------------------


def case_urls(case: Case) -> list[str]:
    """Every named route that takes the case's tracking number, each converter filled from the
    case; the admin's pages on the complaint and its people; the case's audit trail."""
    return tracking_number_urls(case.values) + admin_and_audit_urls(case.complaint, [case.complaint, *case.parties])


# --- One walk --------------------------------------------------------------------------------------------


def crawl(client, case: Case, limit: int = 400) -> list[Page]:
    """GET every case URL, then every link on those pages that stays within the case."""
    return walk(client, case_urls(case), case.complaint.tracking_number, limit)


# --- The walk ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(SEES_PEOPLE | DOES_NOT))
def test_people_show_only_to_the_roles_holding_view_personal_data(request, client, case, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    pages = crawl(client, case)
    stage = "board_review" if case.complaint.status == S.BOARD_REVIEW else "decided"
    opened = [page for page in pages if page.status == 200]
    # The walk reached the case (a page redirecting everyone to sign in would prove nothing).
    assert bool(opened) == (persona not in SEES_NO_PAGE[stage]), [(p.url, p.status) for p in pages]
    files = {kind for page in opened for kind in ("pdf", "csv") if kind in page.content_type}
    assert files == FILES_OPENED.get(persona, set()), (persona, files)
    found = _found(pages, CANARIES)
    if persona in SEES_PEOPLE:
        assert set(found) == set(CANARIES), sorted(set(CANARIES) - set(found))
    else:
        assert found == {}, found


def test_the_walk_reads_the_packet_and_the_audit_export(client, review_case, supervisor, board_member):
    """The walk reads files, not only pages: the board packet as PDF text, the audit trail as CSV."""
    client.force_login(board_member)
    packet = _body(
        client, reverse("board:packet_file", args=[review_case.complaint.tracking_number, review_case.packets[1].pk])
    )
    assert "Board packet" in packet and "A person subpoenaed" in packet and "Northside Storage Cooperative" in packet
    assert "[a witness] saw the van leave without lights" in packet
    assert not _found([Page("", 200, "", packet)], CANARIES)
    client.force_login(supervisor)
    query = urlencode({"tracking_number": review_case.complaint.tracking_number})
    export = _body(client, f"{reverse('staff:audit_log_export')}?{query}")
    assert "note.added" in export and "interview.recorded" in export
    assert not _found([Page("", 200, "", export)], CANARIES)  # the audit trail never holds the details


# --- What a reader without the permission reads instead ------------------------------------------------


def test_a_board_member_reads_roles_and_the_subpoenas_own_facts(client, review_case, board_member):
    client.force_login(board_member)
    number = review_case.complaint.tracking_number
    subpoenas = _body(client, reverse("cases:subpoenas", args=[number]))
    assert "A person subpoenaed" in subpoenas and "Northside Storage Cooperative" in subpoenas
    detail = _body(client, reverse("cases:subpoena_detail", args=[number, 1]))
    assert "A person subpoenaed" in detail and "Address" not in detail
    assert "Dispatch logs of the stop; testimony of [a person subpoenaed]." in detail
    assert "Documents and testimony" in detail and "Drafted" in detail
    organisation = _body(client, reverse("cases:subpoena_detail", args=[number, 2]))
    assert "Northside Storage Cooperative (Organisation)" in organisation and "1 Industrial Way" in organisation
    interviews = _body(client, reverse("cases:interviews", args=[number]))
    assert "A witness" in interviews and "A person interviewed" in interviews
    assert "[a witness] saw the van leave without lights. He lives at [a witness]." in interviews
    overview = _body(client, reverse("cases:overview", args=[number]))
    assert "The complainant" in overview and "A witness" in overview
    assert "I am [the complainant]. The officer pushed me" in overview and "reach me at [the complainant]" in overview
    notes = _body(client, reverse("cases:notes", args=[number]))
    assert "Called [the complainant] at [the complainant]: the van was a rental." in notes
    for page in ("cases:findings", "board:case"):
        assert (
            "[a witness] could not see the officer&#x27;s hands."
            in client.get(reverse(page, args=[number])).content.decode()
        )
    evidence = _body(client, reverse("cases:evidence_detail", args=[number, 1]))
    assert "Phone of [a witness]" in evidence and "Photo of the van, taken by [a witness]" in evidence
    assert not _found([Page("", 200, "", text) for text in (subpoenas, detail, interviews, overview, notes)], CANARIES)


def test_an_investigator_reads_the_names_and_addresses(client, review_case, assigned_investigator):
    client.force_login(assigned_investigator)
    number = review_case.complaint.tracking_number
    detail = _body(client, reverse("cases:subpoena_detail", args=[number, 1]))
    assert f"{RECIPIENT} (Person)" in detail and "77 Hollowbrook Terrace" in detail and "Springfield" in detail
    interviews = _body(client, reverse("cases:interviews", args=[number]))
    assert "Thaddeus Korvalainen · Witness" in interviews and f"{OTHER_INTERVIEWEE} · Other" in interviews
    overview = _body(client, reverse("cases:overview", args=[number]))
    for value in [*COMPLAINANT.values(), *WITNESS.values()]:
        assert value.splitlines()[0] in overview, value


# --- The reads recorded -------------------------------------------------------------------------------


def _events(client, url: str) -> list[AuditEvent]:
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert client.get(url).status_code == 200
    return list(AuditEvent.objects.filter(id__gt=before, action=VIEWED))


def test_each_response_records_one_read_of_what_it_showed(client, review_case, supervisor, board_member):
    number = review_case.complaint.tracking_number
    subpoena = reverse("cases:subpoena_detail", args=[number, 1])
    client.force_login(supervisor)
    (event,) = _events(client, subpoena)
    assert event.data["what"] == ["subpoena_recipients"] and event.target_label == number
    (event,) = _events(client, reverse("cases:overview", args=[number]))
    assert event.data["what"] == ["narrative", "parties"]
    organisation = _events(client, reverse("cases:subpoena_detail", args=[number, 2]))
    assert organisation == []  # an organisation subpoenaed is nobody's personal data
    client.force_login(board_member)
    assert _events(client, subpoena) == []  # the role alone was shown
    assert _events(client, reverse("cases:subpoenas", args=[number])) == []
    (event,) = _events(client, reverse("cases:interviews", args=[number]))
    assert event.data["what"] == ["interview_summaries"] and event.actor == board_member


def test_the_case_people_are_read_once_per_response(client, review_case, board_member):
    """The masker reads the case's people once per response, however many blocks it masks."""
    client.force_login(board_member)
    url = reverse("cases:interviews", args=[review_case.complaint.tracking_number])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        Interview.objects.create(
            complaint=review_case.complaint,
            person_name=f"Extra Person{n}",
            role=Interview.Role.WITNESS,
            conducted_at=timezone.now() - timedelta(hours=n + 2),
            location="Office",
            interviewer=board_member,
            summary=f"Extra Person{n} said nothing.",
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert "Person0" not in body and "[a witness] said nothing." in body
    party_reads = [q for q in many.captured_queries if 'FROM "complaints_party"' in q["sql"]]
    assert len(party_reads) == 1
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The helper itself ----------------------------------------------------------------------------------


def test_person_gives_the_name_to_a_reader_with_the_permission_and_the_role_to_anyone_else(
    review_case, supervisor, board_member
):
    witness = review_case.parties[1]
    seen = personal_data.person(supervisor, witness, target=review_case.complaint)
    assert (seen.name, seen.role, seen.withheld, seen.address, seen.phone, seen.email) == (
        "Thaddeus Korvalainen",
        "Witness",
        False,
        "9 Brambleford Mews",
        "555-013-8841",
        "t.korvalainen@post.example",
    )
    hidden = personal_data.person(board_member, witness)
    assert (hidden.name, hidden.withheld, hidden.address, hidden.phone, hidden.email) == ("a witness", True, "", "", "")
    assert str(hidden) == "a witness"
    assert personal_data.person(None, review_case.parties[0]).name == "the complainant"
    person, organisation = review_case.complaint.subpoenas.order_by("number")
    assert personal_data.person(board_member, person).name == "a person subpoenaed"
    shown = personal_data.person(board_member, organisation)
    assert (shown.name, shown.address, shown.personal, shown.withheld) == (
        "Northside Storage Cooperative",
        "1 Industrial Way",
        False,
        False,
    )
    other = review_case.complaint.interviews.get(role=Interview.Role.OTHER)
    assert personal_data.person(board_member, other).name == "a person interviewed"
    assert personal_data.person(supervisor, other).name == OTHER_INTERVIEWEE
    with pytest.raises(LookupError):
        personal_data.person(supervisor, review_case.complaint)


def test_the_template_tag_shows_the_person_and_marks_the_read(rf, review_case, supervisor, board_member):
    template = Template(
        "{% load personal_data %}{% person_details subpoena complaint as who %}"
        "{{ who.name|capfirst }}|{{ who.address }}"
    )
    subpoena = review_case.complaint.subpoenas.get(number=1)
    for user, expected in [
        (supervisor, "Ignatius Dravenhollow|77 Hollowbrook Terrace\nSpringfield"),
        (board_member, "A person subpoenaed|"),
    ]:
        request = rf.get("/")
        request.user = user
        reads = personal_data.Reads()
        setattr(request, personal_data.REQUEST_ATTRIBUTE, reads)
        html = template.render(Context({"request": request, "subpoena": subpoena, "complaint": review_case.complaint}))
        assert unescape(html) == expected
        assert reads.kinds == ({"subpoena_recipients"} if user == supervisor else set())


MASKED = [
    ("Seen by Thaddeus Korvalainen.", "Seen by [a witness]."),
    ("KORVALAINEN called; thaddeus  korvalainen again", "[a witness] called; [a witness] again"),
    ("Mr Korvalainen's van", "Mr [a witness]'s van"),
    ("Ms. Achterberg-Mwangi and Mwangi", "Ms. [the complainant] and [the complainant]"),
    ("Call (555) 014-2297 or 5550142297", "Call [the complainant] or [the complainant]"),
    ("Write to ZEPHYRINE.AM@mailbox.example", "Write to [the complainant]"),
    ("Lives at 41 quillwort  crescent, Eastbrook", "Lives at [the complainant], Eastbrook"),
    ("Served at 77 Hollowbrook Terrace", "Served at [a person subpoenaed]"),
    ("Korvalainenish and 5550142297123 stay", "Korvalainenish and 5550142297123 stay"),
    ("the thaddeus of it", "the thaddeus of it"),  # a lone word in lower case is not taken for a name
]


@pytest.mark.parametrize("text, expected", MASKED)
def test_the_masker_replaces_the_case_people_in_free_text(review_case, text, expected):
    masker = personal_data.Masker(personal_data.case_people(review_case.complaint))
    assert masker.text(text) == expected


def test_the_masker_works_on_html_text_and_never_inside_a_tag():
    masker = personal_data.Masker([("a witness", "Rosa O'Neill", "", "", ""), ("a witness", "Time Bandit", "", "", "")])
    markup = mark_safe(
        '<time datetime="2026">Rosa O&#x27;Neill</time><br>O&#x27;Neill &amp; <a href="/x/Rosa/">Rosa</a>'
    )
    assert masker.html(markup) == (
        '<time datetime="2026">[a witness]</time><br>[a witness] &amp; <a href="/x/Rosa/">[a witness]</a>'
    )
    assert masker.html("<script>Rosa</script>") == "&lt;script&gt;[a witness]&lt;/script&gt;"  # text is escaped
    assert personal_data.Masker().html("Rosa <b>") == "Rosa &lt;b&gt;"
    assert not personal_data.Masker()


def test_free_text_is_as_written_for_a_reader_with_the_permission(review_case, supervisor, board_member):
    text = "Thaddeus Korvalainen <saw> it"
    assert personal_data.free_text(supervisor, text, review_case.complaint) == "Thaddeus Korvalainen &lt;saw&gt; it"
    assert personal_data.free_text(board_member, text, review_case.complaint) == "[a witness] &lt;saw&gt; it"
    assert personal_data.free_text(board_member, text, None) == "Thaddeus Korvalainen &lt;saw&gt; it"
