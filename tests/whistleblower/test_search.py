"""Staff search never finds a police employee's report by who reported it, for anyone.

The reporter's name, email and phone are kept out of the case index entirely: out of the people
searched by readers of residents' details, and masked in the texts searched as written (a narrative
the employee signed, a note that names them, an interview of them). The case is still found by
what happened. Both backends index the same bodies (``search.sources``); both are run.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.models import Party
from investigations.models import Interview
from investigations.services import triage
from investigations.services.interviews import interview_record
from investigations.services.notes import note_add
from oversight import permissions
from search import backends
from search.sources import case_sources
from tests.factories import ComplaintFactory, PartyFactory

pytestmark = pytest.mark.django_db

SEARCH = "/staff/search/"
REPORTER_WORDS = ["Quarrington-Oyelaran", "Philippa", "p.quarrington.home@mailbox.example", "555-017-4433"]
PERSONAS = ["intake_coordinator", "assigned_investigator", "supervisor", "board_member", "publisher", "sysadmin"]


@pytest.fixture(params=["database", "elasticsearch"])
def search_backend(request, settings, db):
    clone = None
    if request.param == "elasticsearch":
        clone = request.getfixturevalue("osmem_server").clone()
        settings.ELASTICSEARCH_URL = clone.url
    settings.SEARCH_BACKEND = request.param
    backends.reset()
    backend = backends.backend()
    backend.clear()
    yield backend
    backends.reset()
    if clone is not None:
        clone.close()


@pytest.fixture
def indexed(request, search_backend, complaint, supervisor, board_member):
    """The report accepted, with the reporter's name in the narrative, a note and an interview,
    every persona let in, and a resident's case whose complainant is found by name (the control)."""
    from complaints.models import Complaint

    Complaint.objects.filter(pk=complaint.pk).update(
        narrative=f"{complaint.narrative} Signed, Philippa Quarrington-Oyelaran, 555-017-4433."
    )
    triage.triage_claim(complaint=complaint, actor=supervisor)
    triage.triage_accept(complaint=complaint, actor=supervisor)
    request.getfixturevalue("assigned_investigator")
    for persona in ("intake_coordinator", "board_member", "publisher"):
        permissions.grant(request.getfixturevalue(persona), "complaints.view_complaint", complaint)
    complaint.refresh_from_db()
    note_add(
        complaint=complaint, actor=supervisor, body="Write to p.quarrington.home@mailbox.example only.", kind="note"
    )
    interview_record(
        complaint=complaint,
        actor=supervisor,
        person_name="",
        role=Interview.Role.COMPLAINANT,
        party=complaint.parties.get(role=Party.Role.EMPLOYEE),
        conducted_at=timezone.now() - timedelta(days=1),
        location="Away from headquarters",
        interviewer=supervisor,
        recorded=False,
        summary="Confirmed the log was changed.",
    )
    resident = ComplaintFactory(narrative="The officer shouted at me outside the library.")
    PartyFactory(complaint=resident, first_name="Cordelia", last_name="Brightwater-Nakamura")
    search_backend.index("cases", [complaint.pk, resident.pk])
    return complaint, resident


def _numbers(response) -> list[str]:
    return re.findall(r'<h3 class="margin-y-0"><a href="/staff/cases/([^/"]+)/">', response.content.decode())


@pytest.mark.parametrize("persona", PERSONAS)
def test_searching_for_the_reporter_finds_nothing_for_anyone(request, client, indexed, persona):
    report, _resident = indexed
    client.force_login(request.getfixturevalue(persona))
    for words in REPORTER_WORDS:
        response = client.get(SEARCH, {"q": words})
        assert response.status_code == 200
        assert _numbers(response) == [], (persona, words)
        # The words searched for come back in the search box; the report does not.
        assert report.tracking_number not in response.content.decode(), (persona, words)


def test_the_report_is_found_by_what_happened_and_the_resident_by_name(client, indexed, supervisor):
    report, resident = indexed
    client.force_login(supervisor)
    assert _numbers(client.get(SEARCH, {"q": "evidence room"})) == [report.tracking_number]
    assert _numbers(client.get(SEARCH, {"q": "Brightwater-Nakamura"})) == [resident.tracking_number]


def test_the_indexed_body_holds_nothing_of_the_reporter(indexed):
    report, resident = indexed
    body = case_sources([report.pk])[report.pk]
    text = " ".join(str(value) for value in body.values())
    for words in [*REPORTER_WORDS, "Quarrington", "Oyelaran", "12 Juniper Hollow Road"]:
        assert words not in text, words
    assert "Signed, [identity withheld (police employee report)]" in body["narrative"]
    assert "Signed, [identity withheld (police employee report)]" in body["narrative_masked"]
    assert body["people"] == ""
    assert "Cordelia Brightwater-Nakamura" in case_sources([resident.pk])[resident.pk]["people"]
