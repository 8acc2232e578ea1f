import itertools

import pytest
from django.db import transaction

from complaints.models import Complaint, PublicTimelineEntry
from investigations.models import StatusChange
from investigations.services.transitions import TransitionRefused, complaint_transition
from investigations.workflow import TRANSITIONS, transition_for
from oversight.models import AuditEvent

pytestmark = pytest.mark.django_db

S = Complaint.Status
PERSONAS = [
    "intake_coordinator",
    "assigned_investigator",
    "other_investigator",
    "supervisor",
    "board_member",
    "publisher",
    "sysadmin",
]


def _expected(persona: str, rule: str, source: str) -> bool:
    if rule == "triage":
        # Intake coordinators act on complaints in intake or mediation; supervisors on all.
        return persona == "supervisor" or (persona == "intake_coordinator" and source in Complaint.TRIAGE_STATUSES)
    if rule == "work":
        return persona in ("assigned_investigator", "supervisor")
    if rule == "board_chair":
        return False  # none of these personas chairs the board (see tests/investigations/test_board*.py)
    return persona == "supervisor"  # approve, decide, reopen are supervisor permissions


class _Rollback(Exception):
    pass


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_pair_is_allowed_or_refused_exactly_as_the_table_says(request, persona, complaint):
    actor = request.getfixturevalue(persona)
    for source, target in itertools.product(S.values, S.values):
        Complaint.objects.filter(pk=complaint.pk).update(status=source)
        complaint.refresh_from_db()
        move = transition_for(source, target)
        allowed = move is not None and _expected(persona, move.rule, source)
        before = StatusChange.objects.count()
        try:
            with transaction.atomic():
                complaint_transition(complaint=complaint, to_status=target, actor=actor, reason="because")
                outcome = "moved"
                assert Complaint.objects.get(pk=complaint.pk).status == target
                assert StatusChange.objects.count() == before + 1
                raise _Rollback
        except _Rollback:
            pass
        except TransitionRefused as refused:
            outcome = refused.code
            assert Complaint.objects.get(pk=complaint.pk).status == source
            assert StatusChange.objects.count() == before
        assert (outcome == "moved") == allowed, (persona, source, target, outcome)
        if move is None:
            assert outcome == "not_allowed"


def test_the_table_covers_the_lifecycle():
    pairs = {(t.source, t.target) for t in TRANSITIONS}
    for required in [
        (S.RECEIVED, S.IN_TRIAGE),
        (S.IN_TRIAGE, S.UNDER_INVESTIGATION),
        (S.IN_TRIAGE, S.IN_MEDIATION),
        (S.IN_TRIAGE, S.REFERRED),
        (S.IN_TRIAGE, S.ADMINISTRATIVELY_CLOSED),
        (S.IN_MEDIATION, S.MEDIATED),
        (S.IN_MEDIATION, S.UNDER_INVESTIGATION),
        (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED),
        (S.FINDINGS_PROPOSED, S.BOARD_REVIEW),
        (S.FINDINGS_PROPOSED, S.UNDER_INVESTIGATION),
        (S.BOARD_REVIEW, S.DECIDED),
        (S.BOARD_REVIEW, S.UNDER_INVESTIGATION),
        (S.DECIDED, S.CLOSED),
        (S.CLOSED, S.UNDER_INVESTIGATION),
    ]:
        assert required in pairs


def test_a_move_writes_a_status_change_a_public_entry_and_an_audit_event(supervisor, complaint):
    change = complaint_transition(complaint=complaint, to_status=S.IN_TRIAGE, actor=supervisor)
    assert (change.from_status, change.to_status, change.action, change.actor) == (
        S.RECEIVED,
        S.IN_TRIAGE,
        "claim",
        supervisor,
    )
    assert PublicTimelineEntry.objects.filter(complaint=complaint, stage="under_review").exists()
    event = AuditEvent.objects.filter(action="case.transitioned", outcome="success").latest("id")
    assert event.data == {"from": S.RECEIVED, "to": S.IN_TRIAGE, "action": "claim"}


def test_a_stale_page_gets_a_clear_conflict(supervisor, complaint):
    complaint_transition(complaint=complaint, to_status=S.IN_TRIAGE, actor=supervisor)
    with pytest.raises(TransitionRefused) as refused:
        complaint_transition(complaint=complaint, to_status=S.IN_TRIAGE, actor=supervisor, expected_status=S.RECEIVED)
    assert refused.value.code == "conflict"
    assert "Someone else changed this case" in refused.value.message


def test_a_refused_actor_is_audited_as_denied(other_investigator, complaint):
    with pytest.raises(TransitionRefused):
        complaint_transition(complaint=complaint, to_status=S.IN_TRIAGE, actor=other_investigator)
    assert AuditEvent.objects.filter(action="case.transitioned", outcome="denied", actor=other_investigator).exists()


def test_reasons_are_required_where_the_table_says(supervisor, complaint):
    Complaint.objects.filter(pk=complaint.pk).update(status=S.CLOSED)
    complaint.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        complaint_transition(complaint=complaint, to_status=S.UNDER_INVESTIGATION, actor=supervisor, reason="  ")
    assert refused.value.code == "reason_required"


def test_nothing_else_writes_status_through_forms_or_admin(client, supervisor, complaint):
    from django.urls import reverse

    client.force_login(supervisor)
    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert 'name="status"' not in page
