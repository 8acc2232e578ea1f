"""Interviews: recorded by people on the case, about people on this complaint, with recordings that
are this case's evidence items."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from investigations.models import EvidenceItem, Interview
from investigations.services.evidence import evidence_add
from investigations.services.interviews import interview_record
from oversight.models import AuditEvent
from tests.factories import PartyFactory, SubjectOfficerFactory

pytestmark = pytest.mark.django_db

MP3_BYTES = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64


def _url(complaint):
    return reverse("cases:interviews", args=[complaint.tracking_number])


def _recording(complaint, actor):
    return evidence_add(
        complaint=complaint,
        actor=actor,
        kind=EvidenceItem.Kind.AUDIO,
        source="Interview room 2 recorder",
        description="Audio of the witness interview",
        stream=io.BytesIO(MP3_BYTES),
        original_name="interview.mp3",
    )


def _record(complaint, actor, **overrides):
    values = {
        "person_name": "",
        "role": Interview.Role.COMPLAINANT,
        "conducted_at": timezone.now() - timedelta(days=1),
        "location": "Commission office",
        "interviewer": actor,
        "recorded": False,
        "summary": "Described being pushed against the wall.",
    }
    values.update(overrides)
    return interview_record(complaint=complaint, actor=actor, **values)


def test_interview_with_a_party_takes_their_name_and_links_recordings(complaint, assigned_investigator):
    party = complaint.parties.get()
    recording = _recording(complaint, assigned_investigator)
    interview = _record(complaint, assigned_investigator, party=party, recorded=True, recording_items=[recording])
    assert interview.person_name == "Rosa Delgado"
    assert interview.party == party
    assert list(interview.recordings.all()) == [recording]
    audit_event = AuditEvent.objects.get(action="interview.recorded")
    assert audit_event.actor == assigned_investigator
    assert audit_event.data["recordings"] == ["E-001"]
    assert "Rosa" not in str(audit_event.data) and "Rosa" not in audit_event.target_label


def test_interview_with_a_party_of_another_complaint_is_refused(complaint, other_complaint, assigned_investigator):
    stranger = PartyFactory(complaint=other_complaint, first_name="Other", last_name="Person")
    with pytest.raises(ValidationError) as refused:
        _record(complaint, assigned_investigator, party=stranger)
    assert "person" in refused.value.error_dict
    assert not Interview.objects.exists()


def test_interview_with_a_subject_officer_of_another_complaint_is_refused(
    complaint, other_complaint, assigned_investigator
):
    officer = SubjectOfficerFactory(complaint=other_complaint)
    with pytest.raises(ValidationError):
        _record(complaint, assigned_investigator, subject_officer=officer, role=Interview.Role.SUBJECT_OFFICER)
    assert not Interview.objects.exists()


def test_subject_officer_interview_has_the_subject_officer_role(complaint, assigned_investigator):
    officer = complaint.subject_officers.get()
    with pytest.raises(ValidationError) as refused:
        _record(complaint, assigned_investigator, subject_officer=officer, role=Interview.Role.WITNESS)
    assert "role" in refused.value.error_dict
    interview = _record(complaint, assigned_investigator, subject_officer=officer, role=Interview.Role.SUBJECT_OFFICER)
    assert interview.person_name == str(officer)


def test_recording_from_another_case_is_refused(complaint, other_complaint, assigned_investigator, supervisor):
    foreign = _recording(other_complaint, supervisor)
    with pytest.raises(ValidationError) as refused:
        _record(complaint, assigned_investigator, person_name="A witness", recorded=True, recording_items=[foreign])
    assert "recordings" in refused.value.error_dict


def test_interviewer_must_work_the_case_or_be_a_supervisor(
    complaint, assigned_investigator, other_investigator, supervisor
):
    with pytest.raises(ValidationError) as refused:
        _record(complaint, assigned_investigator, person_name="A witness", interviewer=other_investigator)
    assert "interviewer" in refused.value.error_dict
    interview = _record(complaint, assigned_investigator, person_name="A witness", interviewer=supervisor)
    assert interview.interviewer == supervisor


def test_people_not_on_the_case_cannot_record_interviews(complaint, other_investigator, board_member):
    for user in (other_investigator, board_member):
        with pytest.raises(PermissionDenied):
            _record(complaint, user, person_name="A witness")


def test_an_interview_cannot_be_in_the_future(complaint, assigned_investigator):
    with pytest.raises(ValidationError) as refused:
        _record(complaint, assigned_investigator, person_name="A witness", conducted_at=timezone.now() + timedelta(1))
    assert "conducted_at" in refused.value.error_dict


# --- The page ---------------------------------------------------------------------------------------------


def _form_data(**overrides):
    when = timezone.localtime() - timedelta(days=2)
    data = {
        "role": Interview.Role.WITNESS,
        "person": "",
        "person_name": "Jordan Witness",
        "conducted_date": when.date().isoformat(),
        "conducted_time": when.strftime("%H:%M"),
        "location": "By phone",
        "summary": "Saw the officer push the complainant.",
    }
    data.update(overrides)
    return data


def test_assigned_investigator_records_an_interview_through_the_page(client, complaint, assigned_investigator):
    party = complaint.parties.get()
    recording = _recording(complaint, assigned_investigator)
    client.force_login(assigned_investigator)
    page = client.get(_url(complaint)).content.decode()
    assert "first add it on the Evidence tab" in page
    assert f'value="party:{party.pk}"' in page
    response = client.post(
        _url(complaint),
        _form_data(
            role=Interview.Role.COMPLAINANT,
            person=f"party:{party.pk}",
            person_name="",
            interviewer=assigned_investigator.pk,
            recorded="on",
            recordings=[recording.pk],
        ),
    )
    assert response.status_code == 302
    interview = Interview.objects.get()
    assert (interview.party, interview.person_name, interview.recorded) == (party, "Rosa Delgado", True)
    assert list(interview.recordings.all()) == [recording]
    listing = client.get(_url(complaint)).content.decode()
    assert "Rosa Delgado" in listing
    assert "E-001" in listing


def test_page_refuses_a_party_of_another_complaint(client, complaint, other_complaint, assigned_investigator):
    stranger = PartyFactory(complaint=other_complaint)
    client.force_login(assigned_investigator)
    response = client.post(
        _url(complaint), _form_data(person=f"party:{stranger.pk}", interviewer=assigned_investigator.pk)
    )
    assert response.status_code == 400
    assert not Interview.objects.exists()


def test_page_refuses_a_recording_of_another_case(
    client, complaint, other_complaint, assigned_investigator, supervisor
):
    foreign = _recording(other_complaint, supervisor)
    client.force_login(assigned_investigator)
    response = client.post(
        _url(complaint),
        _form_data(interviewer=assigned_investigator.pk, recorded="on", recordings=[foreign.pk]),
    )
    assert response.status_code == 400
    assert not Interview.objects.exists()


def test_page_asks_for_a_name_when_the_person_is_not_on_the_list(client, complaint, assigned_investigator):
    client.force_login(assigned_investigator)
    response = client.post(_url(complaint), _form_data(person_name="", interviewer=assigned_investigator.pk))
    assert response.status_code == 400
    assert "Give the name of the person interviewed." in response.content.decode()


@pytest.mark.parametrize("persona", ["other_investigator", "board_member"])
def test_people_not_on_the_case_get_404_on_the_interviews_page(
    request, client, complaint, assigned_investigator, persona
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(complaint)).status_code == 404
    response = client.post(_url(complaint), _form_data(interviewer=assigned_investigator.pk))
    assert response.status_code == 404
    assert not Interview.objects.exists()


def test_someone_who_may_only_look_gets_no_form_and_403_on_post(
    client, complaint, assigned_investigator, intake_coordinator
):
    client.force_login(intake_coordinator)
    page = client.get(_url(complaint))
    assert page.status_code == 200
    assert "Record an interview" not in page.content.decode()
    assert client.post(_url(complaint), _form_data(interviewer=intake_coordinator.pk)).status_code == 403


def test_interview_list_query_count_does_not_grow(client, complaint, assigned_investigator):
    client.force_login(assigned_investigator)
    recording = _recording(complaint, assigned_investigator)
    _record(complaint, assigned_investigator, person_name="First", recorded=True, recording_items=[recording])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(complaint)).status_code == 200
        return len(queries)

    with_one = count()
    for n in range(5):
        _record(
            complaint, assigned_investigator, person_name=f"Witness {n}", recorded=True, recording_items=[recording]
        )
    assert count() == with_one
