"""Every response that shows personal data records exactly one ``personal_data.viewed`` event.

The walk visits every URL under ``/staff/`` and every admin page of the registered models, as a
supervisor (who may see people's details) against one case that has a complainant and a witness,
an interview with the witness, evidence with a file, a note, a person subpoenaed, a change in its
history and a packet; the supervisor also has a staff entry under way and a receipt. For each
response three things are compared, each written here by hand:

* the templates rendered (``django.test.signals.template_rendered``) against ``SHOWS_PERSONAL_DATA``,
  the templates and fragments that display personal data, plus the downloads and admin pages that
  do (``SHOWS_WITHOUT_TEMPLATE``);
* the body against ``PEOPLE`` and ``CONTENT``, the case's personal data as typed into it: a page
  whose body holds any of it must be one of the above, so a new page that shows personal data
  fails here until it is listed, and then fails until it marks the read;
* the events recorded: exactly one for a listed page that answered 200, none for any other
  response, with the kinds of personal data in ``EXPECTED_KINDS``.

A user without ``view_personal_data`` walks the same URLs: people's details never reach them, and
a page whose personal data was all withheld records nothing.
"""

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from complaints.models import AllegationCategory, Complaint, Party
from investigations.board.documents import BoardPacket
from investigations.models import Disposition, EvidenceItem, GeneratedDocument, Interview, Subpoena
from investigations.services import triage
from investigations.services.allegations import allegation_add
from investigations.services.evidence import evidence_add
from investigations.services.findings import finding_propose, findings_submit, investigation_public_summary_set
from investigations.services.interviews import interview_record
from investigations.services.notes import note_add
from investigations.services.subpoenas import subpoena_draft
from investigations.services.transitions import complaint_transition
from oversight import personal_data
from oversight.context import acting_as
from oversight.models import AuditEvent
from oversight.permissions import Role
from public_portal.intake import STEP_SLUGS
from tests.factories import PNG_BYTES, AttachmentFactory, PartyFactory, UserFactory
from tests.public_portal.intake_flow import STAFF, Filing, fill_to_review, incident

pytestmark = pytest.mark.django_db
S = Complaint.Status
VIEWED = "personal_data.viewed"

# People's details on the case and in the staff entry: shown only with view_personal_data.
PEOPLE = [
    "Delgado",  # the complainant (and the staff entry's filer)
    "rosa.delgado@example.com",
    "Whitcombe-Ashby",  # the witness, a party interviewed
    "Quintanilla-Okoro",  # the person subpoenaed
    "Larkspur Lane",  # the subpoenaed person's address
]
# Case content carrying personal data: shown to whoever may see the case, and audited.
CONTENT = [
    "pushed me against the wall outside the laundromat",  # the narrative (and its history)
    "saw the blue van leave without lights",  # the interview's summary
    "Photo of the bruised forearm",  # the evidence item
    "forearm-close-up.png",  # the evidence item's file
    "complaint-photo.png",  # the file sent with the complaint
    "Second call: the van was a rental",  # the case note
    "took my phone when I asked why",  # the narrative of the staff entry under way
    "entry-photo.png",  # the file added to the staff entry
]

# The templates and fragments that display personal data, by hand.
SHOWS_PERSONAL_DATA = {
    "investigations/case_overview.html",
    "investigations/case_notes.html",
    "investigations/case_history.html",
    "investigations/interviews/list.html",
    "investigations/evidence/list.html",
    "investigations/evidence/detail.html",
    "investigations/subpoenas/subpoena_list.html",
    "investigations/subpoenas/subpoena_detail.html",
    "complaints/complaint_detail.html",
    "public_portal/intake/step_incident.html",
    "public_portal/intake/step_evidence.html",
    "public_portal/intake/step_about.html",
    "public_portal/intake/review.html",
    "public_portal/intake/receipt.html",
}
# Responses that show personal data without a template of their own: files, and the admin's
# generic templates on these models.
SHOWS_WITHOUT_TEMPLATE = {
    "cases:evidence_download",
    "board:packet",
    "board:packet_file",
    "staff_intake:intake_receipt",
    "admin:complaints_complaint_change",
    "admin:complaints_complaint_history",
    "admin:complaints_complaint_simple_history",
    "admin:complaints_party_changelist",
    "admin:complaints_party_change",
    "admin:complaints_party_history",
    "admin:complaints_party_simple_history",
}
# What the supervisor's event says was shown, page by page.
EXPECTED_KINDS = {
    "cases:overview": {"narrative", "parties", "evidence"},
    "complaints:detail": {"narrative", "parties", "evidence"},
    "cases:notes": {"notes"},
    "cases:history": {"history"},
    "cases:interviews": {"interviewees", "interview_summaries", "parties"},
    "cases:evidence": {"evidence"},
    "cases:evidence_detail": {"evidence"},
    "cases:evidence_download": {"evidence"},
    "cases:subpoenas": {"subpoena_recipients"},
    "cases:subpoena_detail": {"subpoena_recipients"},
    "board:packet": {"narrative", "interview_summaries", "evidence"},
    "board:packet_file": {"narrative", "interview_summaries", "evidence"},
    "staff_intake:intake_receipt": {"narrative", "parties", "evidence"},
    "staff_intake:intake_receipt_html": {"narrative", "parties", "evidence"},
    "staff_intake:intake_step:incident": {"narrative"},
    "staff_intake:intake_step:evidence": {"evidence"},
    "staff_intake:intake_step:about": {"parties"},
    "staff_intake:intake_step:review": {"narrative", "parties", "evidence"},
    "admin:complaints_complaint_change": {"narrative", "parties", "evidence"},
    "admin:complaints_complaint_history": {"history"},
    "admin:complaints_complaint_simple_history": {"narrative"},
    "admin:complaints_party_changelist": {"parties"},
    "admin:complaints_party_change": {"parties"},
    "admin:complaints_party_history": {"parties"},
    "admin:complaints_party_simple_history": {"parties"},
}
PEOPLE_KINDS = {"parties", "interviewees", "subpoena_recipients"}


@dataclass
class Case:
    complaint: Complaint
    witness: Party
    document: GeneratedDocument
    values: dict[str, list[Any]]


@pytest.fixture
def case(request, complaint, supervisor, board_member) -> Case:
    """``complaint`` worked under investigation and approved for board review (which lets the seated
    ``board_member`` in), with a packet the supervisor asked for."""
    triage.triage_claim(complaint=complaint, actor=supervisor)
    triage.triage_accept(complaint=complaint, actor=supervisor)
    investigator = request.getfixturevalue("assigned_investigator")
    complaint.refresh_from_db()
    AttachmentFactory(complaint=complaint, original_name="complaint-photo.png")
    witness = PartyFactory(
        complaint=complaint, role=Party.Role.WITNESS, first_name="Walter", last_name="Whitcombe-Ashby"
    )
    interview_record(
        complaint=complaint,
        actor=investigator,
        person_name="Walter Whitcombe-Ashby",
        role=Interview.Role.WITNESS,
        party=witness,
        conducted_at=timezone.now() - timedelta(days=1),
        location="Commission office",
        interviewer=investigator,
        recorded=False,
        summary="He saw the blue van leave without lights.",
    )
    evidence_add(
        complaint=complaint,
        actor=investigator,
        kind=EvidenceItem.Kind.PHOTO,
        source="Laundromat camera",
        description="Photo of the bruised forearm",
        stream=io.BytesIO(PNG_BYTES),
        original_name="forearm-close-up.png",
    )
    note_add(complaint=complaint, actor=investigator, body="Second call: the van was a rental.", kind="note")
    subpoena_draft(
        complaint=complaint,
        actor=investigator,
        recipient_kind=Subpoena.RecipientKind.PERSON,
        recipient_name="Priya Quintanilla-Okoro",
        recipient_address="14 Larkspur Lane",
        demand=Subpoena.Demand.TESTIMONY,
        description="Testimony about the stop.",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    allegation = allegation_add(
        complaint=complaint,
        subject_officer=complaint.subject_officers.get(),
        category=AllegationCategory.objects.get(code="force-physical"),
        actor=investigator,
    )
    finding_propose(allegation=allegation, actor=investigator, disposition=Disposition.SUSTAINED, rationale="Video.")
    investigation = complaint.investigation
    investigation.complaint = complaint
    investigation_public_summary_set(investigation=investigation, actor=investigator, text="A push outside a shop.")
    with acting_as(supervisor):  # a change in the complaint's row history
        complaint.narrative = "Officer pushed me against the wall outside the laundromat, twice."
        complaint.save()
    findings_submit(complaint=complaint, actor=investigator)
    complaint_transition(complaint=complaint, to_status=S.BOARD_REVIEW, actor=supervisor)
    complaint.refresh_from_db()
    document = GeneratedDocument.objects.create(
        kind=GeneratedDocument.Kind.BOARD_PACKET, complaint=complaint, requested_by=supervisor
    )
    document.file.save("packet.pdf", ContentFile(BoardPacket(complaint).render()), save=False)
    GeneratedDocument.objects.filter(pk=document.pk).update(file=document.file.name, ready_at=timezone.now())
    values = {
        "tracking_number": [complaint.tracking_number],
        "number": [1],  # the case's first (and only) evidence item, and its first subpoena
        "assignment_id": [investigation.assignments.get().pk],
        "allegation_id": [allegation.pk],
        "period_id": [1],
        "to_status": [Subpoena.Status.AUTHORIZED],
        "response_id": [1],
        "document_id": [document.pk],
        "hold_id": [1],
        "file_id": [1],  # a file sent with a message (none here: the page answers 404)
        "flag_id": [1],  # an early-intervention flag (none here)
        "threshold_id": [1],  # an early-intervention rule
        "table": ["caseload", "times"],  # management measures as CSV
        "user_id": [1],  # a staff account's page (supervisors): names of staff, no resident's data
        "officer_id": [complaint.subject_officers.get().officer_id],  # the roster entry and case list
        "pk": [1],  # a public report (none exists: its pages show no personal data either way)
        "meeting_id": [1],  # a board meeting (none exists here)
        "action": ["publish_agenda"],  # a meeting's step
        "comment_id": [1],  # a public comment to moderate (none exists here)
        "step": STEP_SLUGS,
        # A password reset link (of no one: its page says the link does not work).
        "uidb64": ["MQ"],
        "token": ["set-password"],
    }
    return Case(complaint, witness, document, values)


def _staff_entry_and_receipt(client, case: Case) -> None:
    """A staff entry filled in up to its review page, and the case's receipt held by the session."""
    filing = Filing(
        incident=incident(channel="phone", received_date="2026-03-13"), files=[("entry-photo.png", PNG_BYTES)]
    )
    fill_to_review(client, filing, base=STAFF)
    session = client.session
    session["intake_receipts"] = {case.complaint.tracking_number: "TEST-CODE"}
    session.save()


# --- The URLs -----------------------------------------------------------------------------------------


def _staff_routes(patterns=None, prefix: str = "", namespace: str = ""):
    """(route, URL name) of every pattern, with its namespace."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _staff_routes(pattern.url_patterns, route, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, f"{namespace}:{pattern.name}".lstrip(":")


def _staff_requests(case: Case) -> list[tuple[str, str]]:
    """(URL name, path) for every staff URL, each converter filled with the case's values."""
    requests = []
    for route, name in _staff_routes():
        if not route.startswith("staff/"):
            continue
        converters = re.findall(r"<(?:\w+:)?(\w+)>", route)
        unknown = [c for c in converters if c not in case.values]
        assert not unknown, f"{name} takes {unknown}: give the walk a value for it"
        combos: list[dict[str, Any]] = [{}]
        for converter in converters:
            combos = [{**combo, converter: value} for combo in combos for value in case.values[converter]]
        for kwargs in combos:
            label = f"{name}:{kwargs['step']}" if "step" in kwargs else name
            requests.append((label, reverse(name, kwargs=kwargs)))
    return requests


def _admin_requests(case: Case) -> list[tuple[str, str]]:
    """(URL name, path) for every page of every registered model's admin, on one of its objects."""
    objects = {Complaint: case.complaint, Party: case.witness}
    requests = [("admin:index", reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        obj = objects.get(model) or model.objects.order_by("pk").first()
        for pattern in model_admin.get_urls():
            if not pattern.name:
                continue
            name = f"admin:{pattern.name}"
            view = pattern.name.removeprefix(f"{model._meta.app_label}_{model._meta.model_name}_")
            if view in ("changelist", "add"):
                args = []
            elif view in ("change", "history", "delete", "password_change"):
                args = [obj.pk] if obj is not None else None
            elif view == "simple_history":
                record = obj.history.order_by("history_id").last() if obj is not None else None
                args = [obj.pk, record.history_id] if record is not None else None
            else:
                raise AssertionError(f"{name}: the walk does not know the admin view {view!r}")
            if args is not None:
                requests.append((name, reverse(name, args=args)))
    return requests


# --- One request, observed ----------------------------------------------------------------------------


@dataclass
class Seen:
    status: int
    templates: set[str]
    body: str
    events: list[AuditEvent]


def _get(client, path: str) -> Seen:
    templates: set[str] = set()

    def rendered(sender, template, context, **kwargs):
        templates.add(template.name)

    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    template_rendered.connect(rendered)
    try:
        response = client.get(path)
        raw = b"".join(response.streaming_content) if response.streaming else response.content
    finally:
        template_rendered.disconnect(rendered)
    text = raw.decode("utf-8", errors="replace") if "pdf" not in response.get("Content-Type", "") else ""
    events = list(AuditEvent.objects.filter(id__gt=before, action=VIEWED).order_by("id"))
    return Seen(response.status_code, templates, unescape(text), events)


def _shown(seen: Seen, texts: list[str]) -> list[str]:
    return [text for text in texts if text in seen.body]


def _walk(client, case: Case) -> list[tuple[str, str, Seen]]:
    return [(name, path, _get(client, path)) for name, path in _staff_requests(case) + _admin_requests(case)]


# --- The tests ------------------------------------------------------------------------------------------


def test_every_response_that_shows_personal_data_records_exactly_one_read(client, case, supervisor):
    client.force_login(supervisor)
    _staff_entry_and_receipt(client, case)
    marked_pages = set()
    for name, path, seen in _walk(client, case):
        declared = bool(seen.templates & SHOWS_PERSONAL_DATA) or name in SHOWS_WITHOUT_TEMPLATE
        shown = _shown(seen, PEOPLE + CONTENT)
        assert declared or not shown, f"{path} ({name}) shows {shown} but is not listed as showing personal data"
        if declared and seen.status == 200:
            assert len(seen.events) == 1, (path, name, seen.status, sorted(seen.templates), len(seen.events))
            marked_pages.add(name)
            event = seen.events[0]
            assert set(event.data["what"]) == EXPECTED_KINDS[name], (path, event.data)
            assert event.actor == supervisor
            if name.startswith("staff_intake:intake_step"):
                assert event.target_type == "public_portal.intakedraft"
            elif name != "admin:complaints_party_changelist" or len(event.data["targets"]) == 1:
                assert (event.target_type, event.target_id) == ("complaints.complaint", str(case.complaint.pk)), path
                assert event.target_label == case.complaint.tracking_number
            for text in PEOPLE + CONTENT:
                assert text not in event.target_label and text not in str(event.data), (path, text)
        else:
            assert seen.events == [], (path, name, seen.status, [e.data for e in seen.events])
    # The walk reached every page listed by hand (a page that stopped showing its data would hide here).
    assert marked_pages == set(EXPECTED_KINDS), sorted(set(EXPECTED_KINDS) ^ marked_pages)


@pytest.fixture
def supervisor_without_personal_data(db):
    """A supervisor in every way but one: no ``complaints.view_personal_data``."""
    from oversight.permissions import ROLE_PERMISSIONS

    user = UserFactory(username="vera_no_details", first_name="Vera", last_name="Withheld", is_staff=True)
    for name in ROLE_PERMISSIONS[Role.SUPERVISOR]:
        app_label, codename = name.split(".")
        if name != personal_data.PERMISSION:
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


@pytest.mark.parametrize("persona", ["supervisor_without_personal_data", "board_member"])
def test_without_view_personal_data_people_are_withheld_and_withheld_pages_record_nothing(
    request, client, case, persona
):
    user = request.getfixturevalue(persona)
    # The pages name the signed-in user: a name fixed here can never be one of the case's people.
    user.first_name, user.last_name = "Vera", "Withheld"
    user.save(update_fields=["first_name", "last_name"])
    client.force_login(user)
    assert not user.has_perm(personal_data.PERMISSION)
    walked = _walk(client, case)
    assert any(seen.status == 200 for _name, _path, seen in walked)
    for name, path, seen in walked:
        assert _shown(seen, PEOPLE) == [], (persona, path)
        for event in seen.events:
            assert not set(event.data["what"]) & PEOPLE_KINDS, (persona, path, event.data)
        # Case content the case's readers work from stays, and its reading is recorded; a page whose
        # only personal data was people's details shows it withheld and records nothing.
        shows_content = bool(_shown(seen, CONTENT)) or (name in SHOWS_WITHOUT_TEMPLATE and seen.status == 200)
        assert len(seen.events) == (1 if shows_content and seen.status == 200 else 0), (persona, path, name)


def test_the_subpoena_and_interview_pages_withhold_people_and_say_so(client, case, board_member):
    client.force_login(board_member)
    number = case.complaint.tracking_number
    for url in (reverse("cases:subpoenas", args=[number]), reverse("cases:subpoena_detail", args=[number, 1])):
        body = client.get(url).content.decode()
        assert "A person subpoenaed" in body and "Quintanilla-Okoro" not in body and "Larkspur" not in body
    before = AuditEvent.objects.filter(action=VIEWED).count()
    body = client.get(reverse("cases:subpoenas", args=[number])).content.decode()
    assert AuditEvent.objects.filter(action=VIEWED).count() == before  # nothing but the withheld name
    interviews = client.get(reverse("cases:interviews", args=[number])).content.decode()
    assert "A witness" in interviews and "Whitcombe-Ashby" not in interviews
    assert "saw the blue van leave without lights" in interviews
    event = AuditEvent.objects.filter(action=VIEWED).latest("id")
    assert event.data["what"] == ["interview_summaries"] and event.actor == board_member
    assert body


def _add_interviews(case: Case, actor, count: int) -> None:
    for n in range(count):
        interview_record(
            complaint=case.complaint,
            actor=actor,
            person_name=f"Witness Number{n}",
            role=Interview.Role.WITNESS,
            conducted_at=timezone.now() - timedelta(hours=n + 2),
            location="Commission office",
            interviewer=actor,
            recorded=False,
            summary=f"Summary {n}.",
        )


def _reading(client, url: str) -> tuple[int, int, int]:
    """(queries, inserts into the audit table, read events) for one GET, after a warm-up GET."""
    client.get(url)
    before = AuditEvent.objects.filter(action=VIEWED).count()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    inserts = [q for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "oversight_auditevent"')]
    return len(captured.captured_queries), len(inserts), AuditEvent.objects.filter(action=VIEWED).count() - before


def test_marking_costs_one_insert_per_response_and_nothing_per_row(client, case, supervisor):
    Complaint.objects.filter(pk=case.complaint.pk).update(status=S.UNDER_INVESTIGATION)
    client.force_login(supervisor)
    url = reverse("cases:interviews", args=[case.complaint.tracking_number])
    _add_interviews(case, supervisor, 2)
    queries_few, inserts_few, events_few = _reading(client, url)
    _add_interviews(case, supervisor, 12)
    queries_many, inserts_many, events_many = _reading(client, url)
    assert (inserts_few, events_few) == (inserts_many, events_many) == (1, 1)
    assert queries_many == queries_few


def test_a_form_shown_again_with_its_errors_records_the_read_and_a_refusal_records_none(client, case, supervisor):
    client.force_login(supervisor)
    url = reverse("cases:notes", args=[case.complaint.tracking_number])
    before = AuditEvent.objects.filter(action=VIEWED).count()
    assert client.post(url, {"kind": "note", "body": ""}).status_code == 400
    assert AuditEvent.objects.filter(action=VIEWED).count() == before + 1
    client.force_login(UserFactory(username="otto_outsider", roles=[Role.INVESTIGATOR]))
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action=VIEWED).count() == before + 1


def test_outside_a_request_a_read_is_recorded_for_the_acting_user_and_not_for_nobody(case, supervisor):
    before = AuditEvent.objects.filter(action=VIEWED).count()
    BoardPacket(case.complaint).render()  # a task building a packet: nobody read it
    personal_data.shown(None, case.complaint, ["narrative"])
    assert AuditEvent.objects.filter(action=VIEWED).count() == before
    with acting_as(supervisor):
        personal_data.shown(None, case.complaint, ["narrative", "parties"])
    event = AuditEvent.objects.filter(action=VIEWED).latest("id")
    assert (event.actor, event.target_label, event.data) == (
        supervisor,
        case.complaint.tracking_number,
        {"what": ["narrative", "parties"], "targets": [f"complaints.complaint:{case.complaint.pk}"]},
    )


def test_an_unknown_kind_is_refused():
    with pytest.raises(personal_data.UnknownKind):
        personal_data.shown(None, None, ["party_details"])


def test_the_party_list_names_each_complaint_once_in_one_event(client, case, supervisor):
    others = [PartyFactory(), PartyFactory(), PartyFactory()]
    client.force_login(supervisor)
    response = client.get(reverse("admin:complaints_party_changelist"))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action=VIEWED).latest("id")
    expected = {f"complaints.complaint:{pk}" for pk in [case.complaint.pk, *(p.complaint_id for p in others)]}
    assert (event.target_type, event.target_label, event.data["what"]) == ("", "", ["parties"])
    assert set(event.data["targets"]) == expected
    assert AuditEvent.objects.filter(action=VIEWED, request_id=event.request_id).count() == 1
