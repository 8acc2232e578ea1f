"""Who may make each move, written out by hand and checked through the services.

The expectations below are the oversight body's rules, not a copy of the lifecycle tables: if the
table lets an investigator reopen a case, or a guard stops refusing an assigned supervisor's
approval, these tests fail. Each cell builds a case where every precondition of the move holds
(so a refusal can only be about who acts), calls the service that owns the move, and checks the
status moved, or did not move and the refusal was "not allowed to do this".
"""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from complaints.models import Complaint
from investigations.board.models import BoardDecision, BoardMembership, DecisionFinding, Recusal, SubpoenaVote, Vote
from investigations.board.services.decisions import decision_record
from investigations.board.services.subpoena_votes import subpoena_authorize_by_vote
from investigations.models import Disposition, Finding, Investigation, InvestigatorAssignment, StatusChange, Subpoena
from investigations.services import findings as finding_services
from investigations.services import triage
from investigations.services.subpoenas import subpoena_transition
from investigations.services.transitions import TransitionRefused, complaint_transition
from oversight import permissions
from oversight.permissions import Role

from ..factories import AllegationFactory, ComplaintFactory, SubjectOfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Complaint.Status
P = Subpoena.Status

ROLES = [
    "intake_coordinator",
    "assigned_investigator",
    "other_investigator",
    "supervisor",
    "assigned_supervisor",
    "board_member",
    "recused_member",
    "chair",
    "publisher",
    "sysadmin",
    "anonymous",
]

# --- The rules, by hand -------------------------------------------------------------------------

TRIAGE = {"intake_coordinator", "supervisor", "assigned_supervisor"}
COMPLAINT_MOVES: dict[str, set[str]] = {
    "claim": TRIAGE,
    "accept": TRIAGE,
    "mediate": TRIAGE,
    "refer": TRIAGE,
    "close": TRIAGE,
    "mediation_succeeded": TRIAGE,
    "mediation_failed": TRIAGE,
    "submit": {"assigned_investigator", "supervisor", "assigned_supervisor"},
    # Nobody approves an investigation they are assigned to (see OWN_INVESTIGATION).
    "approve": {"supervisor"},
    "send_back": {"supervisor", "assigned_supervisor"},
    # The board decides, through its chair: not a supervisor, not a member.
    "decide": {"chair"},
    "remand": {"chair"},
    "close_case": {"supervisor", "assigned_supervisor"},
    "reopen": {"supervisor", "assigned_supervisor"},
}
# The supervisor assigned to the case holds the permission, but the move refuses them: their own work.
OWN_INVESTIGATION = {("approve", "assigned_supervisor")}
WORK = {"assigned_investigator", "supervisor", "assigned_supervisor"}
SUBPOENA_MOVES: dict[str, set[str]] = {
    "authorize": {"supervisor", "assigned_supervisor"},
    "issue": WORK,
    "serve": WORK,
    "comply": WORK,
    "comply_partly": WORK,
    "not_comply": WORK,
    "refer_enforcement": {"supervisor", "assigned_supervisor"},
    "quash": WORK,
    "withdraw": WORK,
}
# Under SUBPOENA_AUTHORIZATION = "board_vote", with a passed vote on the subpoena.
BOARD_VOTE_AUTHORIZE = {"supervisor", "assigned_supervisor", "chair"}

# Where each move starts and ends (also by hand).
COMPLAINT_FROM_TO = {
    "claim": (S.RECEIVED, S.IN_TRIAGE),
    "accept": (S.IN_TRIAGE, S.UNDER_INVESTIGATION),
    "mediate": (S.IN_TRIAGE, S.IN_MEDIATION),
    "refer": (S.IN_TRIAGE, S.REFERRED),
    "close": (S.IN_TRIAGE, S.ADMINISTRATIVELY_CLOSED),
    "mediation_succeeded": (S.IN_MEDIATION, S.MEDIATED),
    "mediation_failed": (S.IN_MEDIATION, S.UNDER_INVESTIGATION),
    "submit": (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED),
    "approve": (S.FINDINGS_PROPOSED, S.BOARD_REVIEW),
    "send_back": (S.FINDINGS_PROPOSED, S.UNDER_INVESTIGATION),
    "decide": (S.BOARD_REVIEW, S.DECIDED),
    "remand": (S.BOARD_REVIEW, S.UNDER_INVESTIGATION),
    "close_case": (S.DECIDED, S.CLOSED),
    "reopen": (S.CLOSED, S.UNDER_INVESTIGATION),
}
SUBPOENA_FROM_TO = {
    "authorize": (P.DRAFTED, P.AUTHORIZED),
    "issue": (P.AUTHORIZED, P.ISSUED),
    "serve": (P.ISSUED, P.SERVED),
    "comply": (P.SERVED, P.COMPLIED),
    "comply_partly": (P.SERVED, P.PARTIALLY_COMPLIED),
    "not_comply": (P.SERVED, P.NOT_COMPLIED),
    "refer_enforcement": (P.NOT_COMPLIED, P.ENFORCEMENT_REFERRED),
    "quash": (P.ISSUED, P.QUASHED),
    "withdraw": (P.DRAFTED, P.WITHDRAWN),
}


# --- People and cases ----------------------------------------------------------------------------


@pytest.fixture
def people(db):
    start = timezone.localdate() - timedelta(days=365)

    def member(username: str, chair: bool = False):
        user = UserFactory(username=username, roles=[Role.BOARD_MEMBER])
        BoardMembership.objects.create(member=user, is_chair=chair, term_start=start)
        return user

    return {
        "intake_coordinator": UserFactory(username="pm_intake", roles=[Role.INTAKE_COORDINATOR]),
        "assigned_investigator": UserFactory(username="pm_assigned", roles=[Role.INVESTIGATOR]),
        "other_investigator": UserFactory(username="pm_other", roles=[Role.INVESTIGATOR]),
        "supervisor": UserFactory(username="pm_supervisor", roles=[Role.SUPERVISOR]),
        "assigned_supervisor": UserFactory(username="pm_assigned_supervisor", roles=[Role.SUPERVISOR]),
        "board_member": member("pm_member"),
        "recused_member": member("pm_recused"),
        "chair": member("pm_chair", chair=True),
        "voter": member("pm_voter"),
        "voter2": member("pm_voter2"),
        "publisher": UserFactory(username="pm_publisher", roles=[Role.PUBLISHER]),
        "sysadmin": UserFactory(username="pm_sysadmin", roles=[Role.SYSADMIN], is_staff=True),
        "anonymous": AnonymousUser(),
    }


def _case(people, status: str) -> Complaint:
    """A case in ``status`` where every move out of it may be made: investigation and assignments,
    proposals with rationales and a public summary, the board's grants, recusal and quorum, and
    final findings with the board's decision once decided."""
    complaint = ComplaintFactory(status=S.RECEIVED)
    subject = SubjectOfficerFactory(complaint=complaint)
    allegations = [AllegationFactory(complaint=complaint, subject_officer=subject) for _ in range(2)]
    Recusal.objects.create(complaint=complaint, member=people["recused_member"], reason="Knows the officer.")
    if status in (S.RECEIVED, S.IN_TRIAGE, S.IN_MEDIATION):
        Complaint.objects.filter(pk=complaint.pk).update(status=status)
        complaint.refresh_from_db()
        return complaint
    investigation = Investigation.objects.create(
        complaint=complaint, discovery_date=date.today() - timedelta(days=30), public_summary="A stop on Main Street."
    )
    for who in ("assigned_investigator", "assigned_supervisor"):
        InvestigatorAssignment.objects.create(investigation=investigation, investigator=people[who])
        permissions.grant(people[who], "complaints.view_complaint", complaint)
        permissions.grant(people[who], "complaints.change_complaint", complaint)
    for allegation in allegations:
        Finding.objects.create(
            allegation=allegation, proposed_disposition=Disposition.NOT_SUSTAINED, rationale="Accounts conflict."
        )
    if status in (S.BOARD_REVIEW, S.DECIDED, S.CLOSED):
        StatusChange.objects.create(
            complaint=complaint, action="approve", from_status=S.FINDINGS_PROPOSED, to_status=S.BOARD_REVIEW
        )
        for who in ("board_member", "chair", "voter", "voter2"):
            permissions.grant(people[who], "complaints.view_complaint", complaint)
        # Four eligible members (five, one recused): three votes make quorum.
        for who in ("chair", "board_member", "voter"):
            Vote.objects.create(complaint=complaint, member=people[who], choice=Vote.Choice.CONCUR)
    if status in (S.DECIDED, S.CLOSED):
        decision = BoardDecision.objects.create(
            complaint=complaint, kind=BoardDecision.Kind.ADOPT, recorded_by=people["chair"]
        )
        for finding in Finding.objects.filter(allegation__complaint=complaint):
            DecisionFinding.objects.create(
                decision=decision, finding=finding, final_disposition=finding.proposed_disposition
            )
            Finding.objects.filter(pk=finding.pk).update(final_disposition=finding.proposed_disposition)
    Complaint.objects.filter(pk=complaint.pk).update(status=status)
    complaint.refresh_from_db()
    return complaint


def _make(action: str, complaint: Complaint, actor) -> None:
    """The move, through the service that owns it."""
    target = COMPLAINT_FROM_TO[action][1]
    if action == "claim":
        triage.triage_claim(complaint=complaint, actor=actor)
    elif action == "accept":
        triage.triage_accept(complaint=complaint, actor=actor)
    elif action == "mediate":
        triage.triage_mediate(complaint=complaint, actor=actor)
    elif action == "refer":
        triage.triage_refer(complaint=complaint, actor=actor, agency="State Police", reason="Their jurisdiction.")
    elif action == "close":
        triage.triage_close(complaint=complaint, actor=actor, reason_code="no_jurisdiction")
    elif action == "mediation_succeeded":
        triage.mediation_succeeded(complaint=complaint, actor=actor)
    elif action == "mediation_failed":
        triage.mediation_failed(complaint=complaint, actor=actor, reason="No agreement.")
    elif action == "submit":
        finding_services.findings_submit(complaint=complaint, actor=actor)
    elif action == "decide":
        decision_record(complaint=complaint, actor=actor, kind="adopt")
    elif action == "remand":
        decision_record(complaint=complaint, actor=actor, kind="remand", instructions="Interview the witness.")
    else:
        complaint_transition(complaint=complaint, to_status=target, actor=actor, reason="Reason given.")


def _outcome(make, *args, **kwargs) -> str:
    try:
        make(*args, **kwargs)
    except TransitionRefused as refused:
        if refused.code == "precondition" and "assigned to this investigation" in refused.message:
            return "own investigation"
        return "refused" if refused.code == "forbidden" else f"other: {refused.code}: {refused.message}"
    except PermissionDenied:
        return "refused"
    return "moved"


@pytest.mark.parametrize("action", sorted(COMPLAINT_MOVES))
def test_complaint_moves_by_role(people, action):
    source, target = COMPLAINT_FROM_TO[action]
    results = {}
    for role in ROLES:
        complaint = _case(people, source)
        outcome = _outcome(_make, action, complaint, people[role])
        status = Complaint.objects.get(pk=complaint.pk).status
        assert status == (target if outcome == "moved" else source), (role, outcome)
        results[role] = outcome
    expected = {
        role: "moved"
        if role in COMPLAINT_MOVES[action]
        else "own investigation"
        if (action, role) in OWN_INVESTIGATION
        else "refused"
        for role in ROLES
    }
    assert results == expected


def _subpoena(people, status: str) -> Subpoena:
    complaint = _case(people, S.UNDER_INVESTIGATION)
    now = timezone.now()
    return Subpoena.objects.create(
        complaint=complaint,
        number=1,
        recipient_kind="agency",
        recipient_name="Records Unit",
        demand="documents",
        description="Dispatch logs.",
        due_date=date.today() + timedelta(days=30),
        status=status,
        issued_at=now - timedelta(days=3) if status != P.DRAFTED else None,
    )


def _move_subpoena(action: str, subpoena: Subpoena, actor) -> None:
    target = SUBPOENA_FROM_TO[action][1]
    extra = {}
    if action == "serve":
        extra = {"service_method": "personal", "served_at": date.today()}
    subpoena_transition(subpoena=subpoena, to_status=target, actor=actor, note="Reason given.", **extra)


@pytest.mark.parametrize("action", sorted(SUBPOENA_MOVES))
def test_subpoena_moves_by_role(people, action):
    source, target = SUBPOENA_FROM_TO[action]
    results = {}
    for role in ROLES:
        subpoena = _subpoena(people, source)
        results[role] = _outcome(_move_subpoena, action, subpoena, people[role])
        status = Subpoena.objects.get(pk=subpoena.pk).status
        assert status == (target if results[role] == "moved" else source), (role, results[role])
    assert results == {role: ("moved" if role in SUBPOENA_MOVES[action] else "refused") for role in ROLES}


def test_authorizing_by_board_vote_by_role(people, settings):
    settings.SUBPOENA_AUTHORIZATION = "board_vote"
    results = {}
    for role in ROLES:
        subpoena = _subpoena(people, P.DRAFTED)
        permissions.grant(people["chair"], "complaints.view_complaint", subpoena.complaint)
        vote = SubpoenaVote.objects.create(subpoena=subpoena, votes_for=3, votes_against=0, recorded_by=people["chair"])
        results[role] = _outcome(subpoena_authorize_by_vote, subpoena=subpoena, actor=people[role], vote=vote)
    assert results == {role: ("moved" if role in BOARD_VOTE_AUTHORIZE else "refused") for role in ROLES}


def test_the_matrix_covers_every_move_of_both_lifecycles():
    from investigations.subpoena_workflow import SUBPOENA_LIFECYCLE
    from investigations.workflow import COMPLAINT_LIFECYCLE

    assert {m.action for m in COMPLAINT_LIFECYCLE.moves} == set(COMPLAINT_MOVES)
    assert {m.action for m in SUBPOENA_LIFECYCLE.moves} == set(SUBPOENA_MOVES)
