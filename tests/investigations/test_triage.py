import threading

import pytest
from django.core import mail
from django.db import connection, connections

from complaints.models import Complaint, PublicTimelineEntry
from investigations.models import Investigation, StatusChange
from investigations.services import assignment, triage
from investigations.services.transitions import TransitionRefused, complaint_transition
from oversight import permissions
from tests.factories import AttachmentFactory, ComplaintFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def in_triage(complaint, intake_coordinator):
    triage.triage_claim(complaint=complaint, actor=intake_coordinator)
    return complaint


def test_accepting_creates_the_investigation_and_turns_uploads_into_evidence(in_triage, intake_coordinator):
    attachment = AttachmentFactory(complaint=in_triage)
    triage.triage_accept(complaint=in_triage, actor=intake_coordinator, priority="high")
    investigation = Investigation.objects.get(complaint=in_triage)
    assert investigation.priority == "high"
    assert investigation.discovery_date == in_triage.received_at.date()
    item = in_triage.evidence.get()
    assert (item.sha256, item.file.name, item.from_attachment) == (attachment.sha256, attachment.file.name, attachment)
    assert item.custody_events.get().action == "received"
    assert in_triage.status == S.UNDER_INVESTIGATION
    assert PublicTimelineEntry.objects.filter(complaint=in_triage, stage="under_investigation").exists()


def test_referral_names_the_agency_publicly(in_triage, intake_coordinator):
    triage.triage_refer(
        complaint=in_triage, actor=intake_coordinator, agency="State Attorney General", reason="Criminal"
    )
    in_triage.refresh_from_db()
    assert (in_triage.status, in_triage.referred_to) == (S.REFERRED, "State Attorney General")
    entry = PublicTimelineEntry.objects.get(complaint=in_triage, stage="closed")
    assert "State Attorney General" in entry.detail


def test_closing_needs_a_reason_code(in_triage, intake_coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        triage.triage_close(complaint=in_triage, actor=intake_coordinator, reason_code="because")
    triage.triage_close(
        complaint=in_triage, actor=intake_coordinator, reason_code="no_jurisdiction", note="County jail"
    )
    in_triage.refresh_from_db()
    assert (in_triage.status, in_triage.closure_reason) == (S.ADMINISTRATIVELY_CLOSED, "no_jurisdiction")
    assert StatusChange.objects.filter(complaint=in_triage).latest("id").reason == "County jail"


def test_a_duplicate_carries_its_people_officers_and_allegations_to_the_surviving_complaint(
    in_triage, intake_coordinator
):
    from tests.factories import AllegationFactory

    original = ComplaintFactory()
    PartyFactory(complaint=in_triage, role="witness", first_name="Lena", last_name="Ortiz")
    AllegationFactory(subject_officer=in_triage.subject_officers.get())
    triage.triage_mark_duplicate(complaint=in_triage, original=original, actor=intake_coordinator)
    in_triage.refresh_from_db()
    assert in_triage.duplicate_of == original
    assert in_triage.status == S.ADMINISTRATIVELY_CLOSED
    assert original.parties.filter(last_name="Ortiz").exists()
    assert original.parties.filter(last_name="Delgado").exists()
    assert original.subject_officers.count() == 1
    assert original.allegations.count() == 1
    assert in_triage.parties.count() == 2  # the duplicate keeps its own record too


def test_mediation_then_failure_opens_an_investigation(in_triage, intake_coordinator):
    triage.triage_mediate(complaint=in_triage, actor=intake_coordinator)
    triage.mediation_failed(complaint=in_triage, actor=intake_coordinator, reason="Officer declined")
    assert Investigation.objects.filter(complaint=in_triage).exists()
    assert Complaint.objects.get(pk=in_triage.pk).status == S.UNDER_INVESTIGATION


def test_assignment_grants_access_and_unassignment_revokes_it(
    in_triage, intake_coordinator, supervisor, other_investigator
):
    triage.triage_accept(complaint=in_triage, actor=intake_coordinator)
    investigation = Investigation.objects.get(complaint=in_triage)
    record = assignment.investigator_assign(
        investigation=investigation, investigator=other_investigator, actor=supervisor
    )
    assert permissions.user_can(other_investigator, "complaints.change_complaint", in_triage)
    assignment.investigator_unassign(assignment=record, actor=supervisor)
    assert not permissions.user_can(other_investigator, "complaints.view_complaint", in_triage)
    record.refresh_from_db()
    assert record.ended_at is not None and record.ended_by == supervisor


def test_only_supervisors_assign(in_triage, intake_coordinator, other_investigator):
    from django.core.exceptions import PermissionDenied

    triage.triage_accept(complaint=in_triage, actor=intake_coordinator)
    with pytest.raises(PermissionDenied):
        assignment.investigator_assign(
            investigation=in_triage.investigation, investigator=other_investigator, actor=intake_coordinator
        )


def test_assigned_investigator_is_emailed_once(
    in_triage, intake_coordinator, supervisor, other_investigator, django_capture_on_commit_callbacks
):
    triage.triage_accept(complaint=in_triage, actor=intake_coordinator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignment.investigator_assign(
            investigation=in_triage.investigation, investigator=other_investigator, actor=supervisor
        )
        assignment.investigator_assign(
            investigation=in_triage.investigation, investigator=other_investigator, actor=supervisor
        )
    assert [m.to for m in mail.outbox] == [[other_investigator.email]]
    assert in_triage.tracking_number in mail.outbox[0].subject


# --- Complainant notifications ---------------------------------------------------------------------


def test_complainant_is_told_in_their_language_once(intake_coordinator, django_capture_on_commit_callbacks):
    complaint = ComplaintFactory(language="es")
    PartyFactory(complaint=complaint, email="ana@example.com", preferred_language="es")
    with django_capture_on_commit_callbacks(execute=True):
        triage.triage_claim(complaint=complaint, actor=intake_coordinator)
        triage.triage_accept(complaint=complaint, actor=intake_coordinator)
    assert len(mail.outbox) == 1  # claiming is internal; accepting is news
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject == f"Su queja {complaint.tracking_number} será investigada"
    assert "investigación" in message.body
    assert complaint.narrative not in message.body
    # Running the notification again for the same change sends nothing.
    from investigations.tasks import send_status_notifications

    change = StatusChange.objects.filter(complaint=complaint, to_status=S.UNDER_INVESTIGATION).get()
    assert send_status_notifications(change.pk) == 0
    assert len(mail.outbox) == 1


def test_anonymous_complainants_get_no_email(intake_coordinator, django_capture_on_commit_callbacks):
    complaint = ComplaintFactory(anonymity="anonymous")
    with django_capture_on_commit_callbacks(execute=True):
        triage.triage_claim(complaint=complaint, actor=intake_coordinator)
        triage.triage_refer(complaint=complaint, actor=intake_coordinator, agency="Sheriff", reason="County")
    assert mail.outbox == []


def test_referral_and_closure_emails_explain_in_plain_words(intake_coordinator, django_capture_on_commit_callbacks):
    referred, closed = ComplaintFactory(), ComplaintFactory()
    for c in (referred, closed):
        PartyFactory(complaint=c, email=f"{c.pk}@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        for c in (referred, closed):
            triage.triage_claim(complaint=c, actor=intake_coordinator)
        triage.triage_refer(complaint=referred, actor=intake_coordinator, agency="Transit Police", reason="Transit")
        triage.triage_close(complaint=closed, actor=intake_coordinator, reason_code="insufficient_information")
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "Transit Police" in bodies[f"{referred.pk}@example.com"]
    assert "did not have enough information" in bodies[f"{closed.pk}@example.com"]


# --- Concurrency --------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_acting_at_once_one_wins_and_the_other_is_told():
    assert connection.vendor == "postgresql"
    from investigations.models import Finding
    from oversight.permissions import Role

    from ..factories import AllegationFactory, SubjectOfficerFactory

    complaint = ComplaintFactory()
    Complaint.objects.filter(pk=complaint.pk).update(status=S.DECIDED)
    # A decided case as the board leaves it: a final finding on its allegation (closing needs it).
    allegation = AllegationFactory(complaint=complaint, subject_officer=SubjectOfficerFactory(complaint=complaint))
    Finding.objects.create(
        allegation=allegation, proposed_disposition="unfounded", rationale="r", final_disposition="unfounded"
    )
    first = UserFactory(username="sup_one", roles=[Role.SUPERVISOR])
    second = UserFactory(username="sup_two", roles=[Role.SUPERVISOR])
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def act(user, target):
        try:
            barrier.wait(timeout=30)
            fresh = Complaint.objects.get(pk=complaint.pk)
            complaint_transition(complaint=fresh, to_status=target, actor=user, expected_status=S.DECIDED, reason="r")
            results[user.username] = "moved"
        except TransitionRefused as refused:
            results[user.username] = refused.code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(first, S.CLOSED)),
        threading.Thread(target=act, args=(second, S.CLOSED)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results.values()) == ["conflict", "moved"]
    assert StatusChange.objects.filter(complaint=complaint).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).status == S.CLOSED
