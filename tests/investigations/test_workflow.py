import itertools

import pytest

from complaints.models import Complaint, PublicTimelineEntry
from investigations.models import StatusChange
from investigations.services.transitions import TransitionRefused, complaint_transition
from investigations.workflow import TRANSITIONS
from oversight.models import AuditEvent

pytestmark = pytest.mark.django_db

S = Complaint.Status
# The legal moves, by hand (the lifecycle drawn in the architecture); who may make each is in
# test_permission_matrix.py.
LEGAL = {
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
}
# Moves only their owning service makes; the generic move refuses them whoever asks.
OWNED = {
    (S.IN_TRIAGE, S.UNDER_INVESTIGATION),
    (S.IN_TRIAGE, S.REFERRED),
    (S.IN_TRIAGE, S.ADMINISTRATIVELY_CLOSED),
    (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED),
    (S.BOARD_REVIEW, S.DECIDED),
    (S.BOARD_REVIEW, S.UNDER_INVESTIGATION),
}


def test_every_other_pair_is_refused_as_not_allowed_and_writes_nothing(supervisor, complaint):
    for source, target in itertools.product(S.values, S.values):
        if (source, target) in LEGAL:
            continue
        Complaint.objects.filter(pk=complaint.pk).update(status=source)
        complaint.refresh_from_db()
        before = (StatusChange.objects.count(), PublicTimelineEntry.objects.count())
        with pytest.raises(TransitionRefused) as refused:
            complaint_transition(complaint=complaint, to_status=target, actor=supervisor, reason="because")
        assert refused.value.code == "not_allowed", (source, target)
        assert Complaint.objects.get(pk=complaint.pk).status == source
        assert (StatusChange.objects.count(), PublicTimelineEntry.objects.count()) == before


def test_the_generic_move_refuses_every_owned_move_whoever_asks(supervisor, complaint):
    for source, target in sorted(OWNED):
        Complaint.objects.filter(pk=complaint.pk).update(status=source)
        complaint.refresh_from_db()
        with pytest.raises(TransitionRefused) as refused:
            complaint_transition(complaint=complaint, to_status=target, actor=supervisor, reason="because")
        assert refused.value.code == "owned", (source, target)
        assert Complaint.objects.get(pk=complaint.pk).status == source


def test_the_table_has_exactly_the_legal_moves():
    assert {(t.source, t.target) for t in TRANSITIONS} == LEGAL
    assert {(t.source, t.target) for t in TRANSITIONS if t.owner} == OWNED


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
