"""The lifecycle enforces its own rules whichever door is used: no decision without quorum and a
recorded decision, refusals stay in the audit trail, people land on pages they can see, and
``workflow_check`` finds every status its records contradict."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from investigations.board.models import BoardDecision, BoardMembership, Vote
from investigations.board.services.decisions import decision_record
from investigations.models import Disposition, Finding, Investigation, StatusChange
from investigations.services import findings as finding_services
from investigations.services.transitions import TransitionRefused, complaint_transition
from investigations.workflow import BOARD_DECISION
from oversight import audit
from oversight.models import AuditEvent
from oversight.permissions import Role

from ..factories import AllegationFactory, ComplaintFactory, PartyFactory, SubjectOfficerFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def voters(board_chair):
    start = timezone.localdate() - timedelta(days=100)
    others = [UserFactory(username=f"wi_member_{n}", roles=[Role.BOARD_MEMBER]) for n in range(2)]
    for member in others:
        BoardMembership.objects.create(member=member, term_start=start)
    return [board_chair, *others]  # three members: quorum is two


@pytest.fixture
def before_the_board(voters, supervisor):
    complaint = ComplaintFactory(status=S.FINDINGS_PROPOSED)
    PartyFactory(complaint=complaint, email="resident@example.com")
    subject = SubjectOfficerFactory(complaint=complaint)
    Investigation.objects.create(complaint=complaint, discovery_date=date(2026, 2, 1), public_summary="A stop.")
    for _ in range(2):
        allegation = AllegationFactory(complaint=complaint, subject_officer=subject)
        Finding.objects.create(allegation=allegation, proposed_disposition=Disposition.NOT_SUSTAINED, rationale="Why.")
    complaint_transition(complaint=complaint, to_status=S.BOARD_REVIEW, actor=supervisor)  # the referral
    complaint.refresh_from_db()
    return complaint


def _status(complaint) -> str:
    return Complaint.objects.get(pk=complaint.pk).status


def test_no_door_moves_a_case_to_decided_without_quorum_and_a_decision(client, before_the_board, board_chair):
    case = before_the_board
    number = case.tracking_number
    client.force_login(board_chair)

    # 1. The generic move endpoint, as the chair's button would post it: sent to the decision page.
    response = client.post(
        reverse("cases:move", args=[number]), {"expected_status": S.BOARD_REVIEW, "to_status": S.DECIDED}
    )
    assert response.status_code == 302 and response.url == reverse("board:decision", args=[number])
    assert _status(case) == S.BOARD_REVIEW

    # 2. The board page draws "Record the board's decision" as a link to that page, never a form posting the move.
    page = client.get(reverse("board:case", args=[number])).content.decode()
    assert f'href="{reverse("board:decision", args=[number])}"' in page
    assert f'name="to_status" value="{S.DECIDED}"' not in page

    # 3. The decision form, before quorum: refused on the page, nothing recorded.
    response = client.post(reverse("board:decision", args=[number]), {"kind": "adopt"})
    assert response.status_code == 400 and "has not reached quorum" in response.content.decode()
    assert _status(case) == S.BOARD_REVIEW and not BoardDecision.objects.filter(complaint=case).exists()

    # 4. The service itself, named as the owner but without a recorded decision: the guards refuse.
    with pytest.raises(TransitionRefused) as refused:
        complaint_transition(complaint=case, to_status=S.DECIDED, actor=board_chair, via=BOARD_DECISION)
    assert refused.value.code == "precondition"
    assert _status(case) == S.BOARD_REVIEW


def test_with_quorum_the_owner_needs_a_recorded_decision_and_then_the_resident_sees_the_outcome(
    client, before_the_board, voters, board_chair, resident
):
    case = before_the_board
    for member in voters[:2]:
        Vote.objects.create(complaint=case, member=member, choice=Vote.Choice.CONCUR)
    with pytest.raises(TransitionRefused) as refused:
        complaint_transition(complaint=case, to_status=S.DECIDED, actor=board_chair, via=BOARD_DECISION)
    assert "decision page" in refused.value.message
    client.force_login(board_chair)
    response = client.post(reverse("board:decision", args=[case.tracking_number]), {"kind": "adopt"})
    assert response.status_code == 302
    assert _status(case) == S.DECIDED
    decision = BoardDecision.objects.get(complaint=case)
    assert decision.kind == "adopt" and decision.votes_counted["concur"] == 2
    assert set(Finding.objects.filter(allegation__complaint=case).values_list("final_disposition", flat=True)) == {
        Disposition.NOT_SUSTAINED
    }


def test_votes_from_an_earlier_referral_do_not_count_after_a_remand(before_the_board, voters, board_chair, supervisor):
    case = before_the_board
    for member in voters[:2]:
        Vote.objects.create(complaint=case, member=member, choice=Vote.Choice.CONCUR)
    decision_record(complaint=case, actor=board_chair, kind="remand", instructions="Interview the witness.")
    assert _status(case) == S.UNDER_INVESTIGATION
    finding_services.findings_submit(complaint=case, actor=supervisor)
    complaint_transition(complaint=case, to_status=S.BOARD_REVIEW, actor=supervisor)
    # Back before the board: the two earlier votes are history, not quorum.
    with pytest.raises(ValidationError, match="quorum"):
        decision_record(complaint=case, actor=board_chair, kind="adopt")
    assert _status(case) == S.BOARD_REVIEW


def test_a_refusal_inside_an_outer_transaction_stays_in_the_audit_trail(before_the_board, voters, board_chair):
    case = before_the_board

    class Rollback(Exception):
        pass

    # The caller holds a transaction that rolls back after the refusal: the refusal is still kept.
    with pytest.raises(Rollback), audit.service_atomic():
        with pytest.raises(ValidationError):
            decision_record(complaint=case, actor=board_chair, kind="adopt")  # no quorum
        raise Rollback
    refused = AuditEvent.objects.filter(action="case.transitioned", outcome="denied", actor=board_chair).latest("id")
    assert refused.data["refused"] == "precondition" and "quorum" in refused.data["message"]

    member = voters[1]
    with pytest.raises(PermissionDenied):
        decision_record(complaint=case, actor=member, kind="adopt")
    assert AuditEvent.objects.filter(action="board.decided", outcome="denied", actor=member).exists()


def test_an_incomplete_submission_is_refused_and_the_refusal_is_audited(supervisor):
    complaint = ComplaintFactory(status=S.UNDER_INVESTIGATION)
    Investigation.objects.create(complaint=complaint, discovery_date=date(2026, 2, 1))
    AllegationFactory(complaint=complaint, subject_officer=SubjectOfficerFactory(complaint=complaint))
    with pytest.raises(ValidationError):
        finding_services.findings_submit(complaint=complaint, actor=supervisor)
    assert _status(complaint) == S.UNDER_INVESTIGATION
    event = AuditEvent.objects.filter(action="case.transitioned", outcome="denied").latest("id")
    assert event.data["refused"] == "precondition" and "public summary" in event.data["message"]


def test_an_assigned_supervisor_cannot_approve_their_own_investigation(client, before_the_board, supervisor):
    from investigations.models import InvestigatorAssignment

    case = ComplaintFactory(status=S.FINDINGS_PROPOSED)
    investigation = Investigation.objects.create(complaint=case, discovery_date=date(2026, 2, 1), public_summary="x")
    InvestigatorAssignment.objects.create(investigation=investigation, investigator=supervisor)
    client.force_login(supervisor)
    data = {"expected_status": S.FINDINGS_PROPOSED, "to_status": S.BOARD_REVIEW, "confirmed": "yes"}
    response = client.post(reverse("cases:move", args=[case.tracking_number]), data, follow=True)
    assert "someone else must approve its findings" in response.content.decode()
    assert _status(case) == S.FINDINGS_PROPOSED


def test_closing_needs_a_final_finding_on_every_allegation(supervisor):
    case = ComplaintFactory(status=S.DECIDED)
    allegation = AllegationFactory(complaint=case, subject_officer=SubjectOfficerFactory(complaint=case))
    Finding.objects.create(allegation=allegation, proposed_disposition=Disposition.SUSTAINED, rationale="Video.")
    with pytest.raises(TransitionRefused) as refused:
        complaint_transition(complaint=case, to_status=S.CLOSED, actor=supervisor)
    assert refused.value.code == "precondition" and "final finding" in refused.value.message


def test_the_intake_coordinator_accepts_from_the_queue_and_lands_on_the_queue(client, intake_coordinator):
    complaint = ComplaintFactory(status=S.RECEIVED)
    client.force_login(intake_coordinator)
    queue = client.get(reverse("complaints:intake_queue")).content.decode()
    assert complaint.tracking_number in queue
    overview = reverse("cases:overview", args=[complaint.tracking_number])
    claimed = client.post(
        reverse("cases:move", args=[complaint.tracking_number]),
        {"expected_status": S.RECEIVED, "to_status": S.IN_TRIAGE},
        follow=True,
    )
    assert claimed.redirect_chain[-1][0] == overview and "Accept for investigation" in claimed.content.decode()
    accepted = client.post(
        reverse("cases:accept", args=[complaint.tracking_number]),
        {"expected_status": S.IN_TRIAGE, "priority": "normal", "discovery_date": ""},
        follow=True,
    )
    assert accepted.status_code == 200
    assert accepted.redirect_chain[-1][0] == reverse("complaints:intake_queue")
    body = accepted.content.decode()
    assert f"{complaint.tracking_number} is now" in body and "Under investigation" in body
    assert _status(complaint) == S.UNDER_INVESTIGATION
    # They no longer see it, and going back to it is a plain 404 in the staff layout.
    gone = client.get(overview)
    assert gone.status_code == 404 and "Staff workspace" in gone.content.decode()


def test_workflow_check_lists_contradictions_and_fails(capsys):
    ok = ComplaintFactory(status=S.RECEIVED)
    decided = ComplaintFactory(status=S.DECIDED)
    Investigation.objects.create(complaint=decided, discovery_date=date(2026, 1, 1), public_summary="x")
    referred = ComplaintFactory(status=S.REFERRED)
    with pytest.raises(CommandError) as exited:
        call_command("workflow_check")
    # The referred one twice: it names no agency, and (made by a factory, not closed by the lifecycle)
    # its retention record holds no closing date.
    assert exited.value.returncode == 1 and "4 contradictions found" in str(exited.value)
    out = capsys.readouterr()
    assert ok.tracking_number not in out.out
    assert (
        f"{referred.tracking_number}\treferred\tit is closed but its retention record holds no closing date" in out.out
    )
    assert f"{decided.tracking_number}\tdecided\tdecided or closed but the board recorded no decision" in out.out
    assert f"{referred.tracking_number}\treferred\treferred but names no agency" in out.out
    assert "1  referred but names no agency" in out.err


def test_workflow_check_passes_when_records_agree(capsys, before_the_board):
    call_command("workflow_check")
    assert "agrees with its records" in capsys.readouterr().out


def test_demo_data_passes_workflow_check(capsys):
    call_command("seed_demo", complaints=400, quiet_logins=True)
    capsys.readouterr()
    call_command("workflow_check")
    assert "agrees with its records" in capsys.readouterr().out
    # The demo has every stage, decided cases included, so the check is not vacuous.
    assert Complaint.objects.filter(status__in=[S.DECIDED, S.CLOSED]).exists()
    assert StatusChange.objects.exists() and BoardDecision.objects.exists()
