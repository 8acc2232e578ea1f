from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from investigations.board.models import (
    BoardDecision,
    BoardMembership,
    DecisionFinding,
    DepartmentResponse,
    Recusal,
    Vote,
)
from investigations.board.selectors import department_responses_overdue
from investigations.board.services.decisions import decision_record, department_response_record
from investigations.models import Disposition, Finding, Investigation, StatusChange
from oversight import permissions
from oversight.models import AuditEvent
from oversight.permissions import Role

from ..factories import AllegationFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Complaint.Status
K = BoardDecision.Kind

pages = pytest.mark.django_db


@pytest.fixture
def members(board_chair):
    today = timezone.localdate()
    others = [UserFactory(username=f"board_{i}", roles=[Role.BOARD_MEMBER]) for i in range(2)]
    for other in others:
        BoardMembership.objects.create(member=other, term_start=today - timedelta(days=100))
    return [board_chair, *others]


@pytest.fixture
def case(complaint, assigned_investigator, members):
    Complaint.objects.filter(pk=complaint.pk).update(status=S.BOARD_REVIEW)
    complaint.refresh_from_db()
    Investigation.objects.update_or_create(complaint=complaint, defaults={"discovery_date": date(2026, 3, 14)})
    subject = complaint.subject_officers.get()
    for allegation, disposition in [
        (AllegationFactory(subject_officer=subject), Disposition.SUSTAINED),
        (AllegationFactory(subject_officer=subject), Disposition.NOT_SUSTAINED),
    ]:
        Finding.objects.create(
            allegation=allegation,
            proposed_disposition=disposition,
            rationale="Video.",
            proposed_by=assigned_investigator,
        )
    for member in members:
        permissions.grant(member, "complaints.view_complaint", complaint)
    return complaint


@pytest.fixture
def quorum(case, members):
    for member in members[:2]:
        Vote.objects.create(complaint=case, member=member, choice=Vote.Choice.CONCUR)
    return case


def _allegations(case):
    return list(case.allegations.order_by("id"))


def _adopt(case, actor, **kwargs):
    sustained = _allegations(case)[0]
    return decision_record(complaint=case, actor=actor, kind=K.ADOPT, discipline={sustained.pk: "reprimand"}, **kwargs)


# --- The decision ---------------------------------------------------------------------------------------


def test_adopt_moves_to_decided_and_sets_finals(quorum, board_chair):
    decision = _adopt(quorum, board_chair)
    quorum.refresh_from_db()
    assert quorum.status == S.DECIDED
    first, second = _allegations(quorum)
    assert Finding.objects.get(allegation=first).final_disposition == Disposition.SUSTAINED
    assert Finding.objects.get(allegation=second).final_disposition == Disposition.NOT_SUSTAINED
    assert decision.findings.count() == 2
    assert decision.findings.get(finding__allegation=first).recommended_discipline == "reprimand"
    assert decision.votes_counted["concur"] == 2
    response = DepartmentResponse.objects.get()
    assert response.finding.allegation == first
    assert response.due_date == timezone.localdate() + timedelta(days=30)
    event = AuditEvent.objects.get(action="board.decided", outcome="success")
    assert event.data["kind"] == "adopt"


def test_sustained_needs_a_recommended_discipline(quorum, board_chair):
    with pytest.raises(ValidationError) as refused:
        decision_record(complaint=quorum, actor=board_chair, kind=K.ADOPT)
    assert "discipline" in " ".join(refused.value.messages)
    quorum.refresh_from_db()
    assert quorum.status == S.BOARD_REVIEW
    assert not BoardDecision.objects.exists()


def test_modify_without_rationale_for_a_change_is_refused(quorum, board_chair):
    first, second = _allegations(quorum)
    with pytest.raises(ValidationError) as refused:
        decision_record(
            complaint=quorum,
            actor=board_chair,
            kind=K.MODIFY,
            finals={first.pk: (Disposition.SUSTAINED, ""), second.pk: (Disposition.EXONERATED, "")},
            discipline={first.pk: "reprimand"},
        )
    assert str(second) in " ".join(refused.value.messages)
    quorum.refresh_from_db()
    assert quorum.status == S.BOARD_REVIEW
    assert not BoardDecision.objects.exists()
    assert not DecisionFinding.objects.exists()
    assert not Finding.objects.exclude(final_disposition="").exists()
    assert not DepartmentResponse.objects.exists()


def test_modify_with_rationale_sets_finals(quorum, board_chair):
    first, second = _allegations(quorum)
    decision_record(
        complaint=quorum,
        actor=board_chair,
        kind=K.MODIFY,
        finals={first.pk: (Disposition.SUSTAINED, ""), second.pk: (Disposition.SUSTAINED, "Body camera shows it.")},
        discipline={first.pk: "reprimand", second.pk: "training"},
    )
    quorum.refresh_from_db()
    assert quorum.status == S.DECIDED
    finding = Finding.objects.get(allegation=second)
    assert finding.final_disposition == Disposition.SUSTAINED
    assert finding.final_rationale == "Body camera shows it."
    assert DepartmentResponse.objects.count() == 2


def test_remand_moves_back_with_the_instructions(quorum, board_chair):
    decision = decision_record(
        complaint=quorum, actor=board_chair, kind=K.REMAND, instructions="Interview the second witness."
    )
    quorum.refresh_from_db()
    assert quorum.status == S.UNDER_INVESTIGATION
    change = StatusChange.objects.get(complaint=quorum, action="remand")
    assert change.reason == "Interview the second witness."
    assert decision.instructions == "Interview the second witness."
    assert not Finding.objects.exclude(final_disposition="").exists()
    assert not mail.outbox


def test_remand_needs_instructions(quorum, board_chair):
    with pytest.raises(ValidationError):
        decision_record(complaint=quorum, actor=board_chair, kind=K.REMAND, instructions=" ")
    quorum.refresh_from_db()
    assert quorum.status == S.BOARD_REVIEW


def test_a_non_chair_member_is_refused(quorum, members):
    with pytest.raises(PermissionDenied):
        _adopt(quorum, members[1])
    quorum.refresh_from_db()
    assert quorum.status == S.BOARD_REVIEW
    assert AuditEvent.objects.filter(action="board.decided", outcome="denied").exists()


def test_a_recused_chair_is_refused(quorum, board_chair):
    Recusal.objects.create(complaint=quorum, member=board_chair, reason="Knows the officer.")
    with pytest.raises(PermissionDenied):
        _adopt(quorum, board_chair)
    quorum.refresh_from_db()
    assert quorum.status == S.BOARD_REVIEW
    assert not BoardDecision.objects.exists()


def test_no_decision_before_quorum(case, board_chair, members):
    Vote.objects.create(complaint=case, member=members[1], choice=Vote.Choice.CONCUR)
    with pytest.raises(ValidationError) as refused:
        _adopt(case, board_chair)
    assert refused.value.code == "precondition"
    case.refresh_from_db()
    assert case.status == S.BOARD_REVIEW
    assert not BoardDecision.objects.exists()


def test_a_configured_quorum_counts_only_live_votes(case, board_chair, members, settings):
    settings.BOARD_QUORUM = 2
    first = Vote.objects.create(complaint=case, member=members[1], choice=Vote.Choice.CONCUR)
    Vote.objects.create(complaint=case, member=members[1], choice=Vote.Choice.ABSTAIN, corrects=first)
    with pytest.raises(ValidationError):
        _adopt(case, board_chair)
    Vote.objects.create(complaint=case, member=members[2], choice=Vote.Choice.CONCUR)
    _adopt(case, board_chair)


def test_a_decision_is_immutable_and_a_correction_references_it(quorum, board_chair):
    original = _adopt(quorum, board_chair)
    original.instructions = "changed"
    with pytest.raises(ValueError):
        original.save()
    first, second = _allegations(quorum)
    correction = decision_record(
        complaint=quorum,
        actor=board_chair,
        kind=K.MODIFY,
        finals={second.pk: (Disposition.EXONERATED, "The stop was lawful.")},
        discipline={first.pk: "training"},
        corrects=original,
    )
    assert correction.corrects == original
    assert Finding.objects.get(allegation=second).final_disposition == Disposition.EXONERATED
    assert correction.findings.get(finding__allegation=first).recommended_discipline == "training"
    with pytest.raises(ValidationError):
        _adopt(quorum, board_chair, corrects=original)
    assert AuditEvent.objects.filter(action="board.decided", data__corrects=original.pk).exists()


def test_decision_quorum_counts_live_votes_of_eligible_members(case, members, settings):
    from investigations.board.selectors import decision_quorum

    Vote.objects.create(complaint=case, member=members[1], choice=Vote.Choice.ABSTAIN)
    expected = {"reached": False, "required": 2, "voted": 1, "members": 3}
    assert decision_quorum(case) == expected
    Recusal.objects.create(complaint=case, member=members[2], reason="Conflict.")
    Vote.objects.create(complaint=case, member=members[2], choice=Vote.Choice.CONCUR)  # recused: not counted
    expected = {"reached": False, "required": 2, "voted": 1, "members": 2}
    assert decision_quorum(case) == expected
    Vote.objects.create(complaint=case, member=members[0], choice=Vote.Choice.CONCUR)
    expected = {"reached": True, "required": 2, "voted": 2, "members": 2}
    assert decision_quorum(case) == expected


# --- The complainant's email -------------------------------------------------------------------------------


def test_the_decision_email_in_english(quorum, board_chair, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _adopt(quorum, board_chair)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa.delgado@example.com"]
    assert quorum.tracking_number in message.subject
    assert "Hello Rosa," in message.body
    assert "Sustained. The evidence showed the officer did what was alleged" in message.body
    assert "Not sustained. There was not enough evidence" in message.body
    assert "police department" in message.body


def test_the_decision_email_in_spanish(quorum, board_chair, django_capture_on_commit_callbacks):
    quorum.parties.update(preferred_language="es")
    with django_capture_on_commit_callbacks(execute=True):
        _adopt(quorum, board_chair)
    body = mail.outbox[0].body
    assert "Fundada" in body
    assert "Hola" in body


def test_no_decision_email_for_an_anonymous_complaint(quorum, board_chair, django_capture_on_commit_callbacks):
    Complaint.objects.filter(pk=quorum.pk).update(anonymity=Complaint.Anonymity.ANONYMOUS)
    quorum.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        _adopt(quorum, board_chair)
    assert not mail.outbox


# --- The department's response ------------------------------------------------------------------------------


def test_the_response_is_overdue_after_the_configured_days(quorum, board_chair, supervisor, settings):
    settings.DEPARTMENT_RESPONSE_DAYS = 10
    _adopt(quorum, board_chair)
    response = DepartmentResponse.objects.get()
    assert response.due_date == timezone.localdate() + timedelta(days=10)
    assert not response.is_overdue
    assert not department_responses_overdue().exists()
    later = timezone.localdate() + timedelta(days=11)
    assert list(department_responses_overdue(today=later)) == [response]
    DepartmentResponse.objects.filter(pk=response.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    response.refresh_from_db()
    assert response.is_overdue
    assert list(department_responses_overdue()) == [response]
    department_response_record(
        response=response,
        actor=supervisor,
        kind=DepartmentResponse.Response.ACCEPTED,
        responded_on=timezone.localdate(),
        discipline_imposed="Written reprimand",
    )
    response.refresh_from_db()
    assert not response.is_overdue
    assert not department_responses_overdue().exists()
    assert AuditEvent.objects.filter(action="department.responded", outcome="success").exists()


def test_only_a_supervisor_records_the_response(quorum, board_chair):
    _adopt(quorum, board_chair)
    with pytest.raises(PermissionDenied):
        department_response_record(
            response=DepartmentResponse.objects.get(),
            actor=board_chair,
            kind=DepartmentResponse.Response.REJECTED,
            responded_on=timezone.localdate(),
            discipline_imposed="",
        )


# --- Pages ----------------------------------------------------------------------------------------------------


def _url(case, name="board:decision", *args):
    return reverse(name, args=[case.tracking_number, *args])


@pages
def test_the_chair_sees_the_form_and_quorum(client, quorum, board_chair):
    client.force_login(board_chair)
    response = client.get(_url(quorum))
    assert response.status_code == 200
    assert b"Quorum reached" in response.content
    assert b"2 of 3 eligible members have voted; 2 needed." in response.content
    assert b'name="kind"' in response.content


@pages
def test_the_chair_adopts_through_the_page(client, quorum, board_chair):
    client.force_login(board_chair)
    first, second = _allegations(quorum)
    response = client.post(
        _url(quorum),
        {
            "kind": "adopt",
            f"final_{first.pk}": "sustained",
            f"final_{second.pk}": "not_sustained",
            f"discipline_{first.pk}": "reprimand",
        },
    )
    assert response.status_code == 302
    quorum.refresh_from_db()
    assert quorum.status == S.DECIDED


@pages
def test_the_page_refuses_a_modify_without_rationale(client, quorum, board_chair):
    client.force_login(board_chair)
    first, second = _allegations(quorum)
    response = client.post(
        _url(quorum),
        {
            "kind": "modify",
            f"final_{first.pk}": "sustained",
            f"final_{second.pk}": "exonerated",
            f"discipline_{first.pk}": "reprimand",
        },
    )
    assert response.status_code == 400
    quorum.refresh_from_db()
    assert quorum.status == S.BOARD_REVIEW


@pages
def test_a_member_sees_the_decision_but_no_form_and_cannot_post(client, quorum, board_chair, members):
    _adopt(quorum, board_chair)
    client.force_login(members[1])
    response = client.get(_url(quorum))
    assert response.status_code == 200
    assert b'name="kind"' not in response.content
    assert b"Reprimand" in response.content or b"reprimand" in response.content


@pages
def test_a_recused_member_gets_404(client, quorum, recused_board_member):
    client.force_login(recused_board_member)
    assert client.get(_url(quorum)).status_code == 404
    assert client.post(_url(quorum), {"kind": "adopt"}).status_code == 404


@pages
def test_a_supervisor_records_a_response_and_sees_overdue(client, quorum, board_chair, supervisor):
    _adopt(quorum, board_chair)
    dept = DepartmentResponse.objects.get()
    DepartmentResponse.objects.filter(pk=dept.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    client.force_login(supervisor)
    page = client.get(_url(quorum))
    assert b"Overdue" in page.content
    response = client.post(
        _url(quorum, "board:department_response", dept.pk),
        {
            f"r{dept.pk}-response": "accepted",
            f"r{dept.pk}-responded_on": timezone.localdate().isoformat(),
            f"r{dept.pk}-discipline_imposed": "Written reprimand",
        },
    )
    assert response.status_code == 302
    dept.refresh_from_db()
    assert dept.response == "accepted"
    assert b"Overdue" not in client.get(_url(quorum)).content


def test_overdue_department_responses_appear_on_the_supervisors_dashboard(client, supervisor, settings):
    from datetime import timedelta

    from django.utils import timezone

    from investigations.board.models import DepartmentResponse
    from investigations.models import Finding
    from tests.factories import AllegationFactory

    allegation = AllegationFactory()
    finding = Finding.objects.create(
        allegation=allegation, proposed_disposition="sustained", rationale="r", final_disposition="sustained"
    )
    DepartmentResponse.objects.create(finding=finding, due_date=timezone.localdate() - timedelta(days=1))
    client.force_login(supervisor)
    page = client.get("/staff/cases/").content.decode()
    assert "Department responses overdue" in page
    assert allegation.complaint.tracking_number in page
