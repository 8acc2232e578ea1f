"""Random sequences of workflow actions by random staff never reach an illegal state."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from complaints.models import Complaint
from investigations.models import StatusChange
from investigations.services.transitions import TransitionRefused, complaint_transition
from investigations.workflow import BY_PAIR
from oversight import permissions
from oversight.permissions import Role
from tests.factories import ComplaintFactory, UserFactory

S = Complaint.Status


@pytest.mark.django_db
def test_random_action_sequences_keep_the_lifecycle_legal():
    staff = {
        "intake": UserFactory(username="sm_intake", roles=[Role.INTAKE_COORDINATOR]),
        "supervisor": UserFactory(username="sm_supervisor", roles=[Role.SUPERVISOR]),
        "investigator": UserFactory(username="sm_investigator", roles=[Role.INVESTIGATOR]),
        "outsider": UserFactory(username="sm_outsider", roles=[Role.INVESTIGATOR]),
    }

    class Lifecycle(RuleBasedStateMachine):
        @initialize()
        def file(self):
            self.complaint = ComplaintFactory()
            permissions.grant(staff["investigator"], "complaints.change_complaint", self.complaint)
            permissions.grant(staff["investigator"], "complaints.view_complaint", self.complaint)
            self.moves = 0

        @rule(who=st.sampled_from(sorted(staff)), to=st.sampled_from(S.values), stale=st.booleans())
        def act(self, who, to, stale):
            before = Complaint.objects.get(pk=self.complaint.pk).status
            expected = S.RECEIVED if stale and before != S.RECEIVED else before
            try:
                complaint_transition(
                    complaint=self.complaint,
                    to_status=to,
                    actor=staff[who],
                    reason="because",
                    expected_status=expected,
                )
            except TransitionRefused as refused:
                assert Complaint.objects.get(pk=self.complaint.pk).status == before
                assert refused.code in {"conflict", "not_allowed", "forbidden", "reason_required"}
                if stale and expected != before:
                    assert refused.code == "conflict"
            else:
                self.moves += 1
                assert (before, to) in BY_PAIR
                assert who != "outsider"

        @invariant()
        def history_matches(self):
            if not hasattr(self, "complaint"):
                return
            changes = list(StatusChange.objects.filter(complaint=self.complaint).order_by("id"))
            assert len(changes) == self.moves
            current = S.RECEIVED
            for change in changes:
                assert change.from_status == current
                assert (change.from_status, change.to_status) in BY_PAIR
                current = change.to_status
            assert Complaint.objects.get(pk=self.complaint.pk).status == current

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=25, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
