"""Random sequences of workflow actions by random staff, board members and the chair never reach an
illegal state, and every outcome matches an oracle written here by hand (not read from the
lifecycle table): the generic move, the owning services (accept, findings, votes, decisions), and
the board's quorum and decision rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from complaints.models import Complaint
from investigations.board.models import BoardDecision, BoardMembership
from investigations.board.services.decisions import decision_record
from investigations.board.services.review import vote_record
from investigations.models import Disposition, Investigation, StatusChange
from investigations.services import findings as finding_services
from investigations.services import triage
from investigations.services.transitions import TransitionRefused, complaint_transition
from oversight import permissions
from oversight.permissions import Role
from tests.factories import AllegationFactory, ComplaintFactory, SubjectOfficerFactory, UserFactory

S = Complaint.Status
TRIAGE = {"intake", "supervisor"}
WORK = {"investigator", "supervisor"}
MEMBERS = {"chair", "member1", "member2", "member3"}
QUORUM = 3  # a majority of four eligible members

# Moves the generic endpoint makes, and who may make each (the oracle, by hand).
GENERIC = {
    (S.RECEIVED, S.IN_TRIAGE): TRIAGE,
    (S.IN_TRIAGE, S.IN_MEDIATION): TRIAGE,
    (S.IN_MEDIATION, S.MEDIATED): TRIAGE,
    (S.IN_MEDIATION, S.UNDER_INVESTIGATION): TRIAGE,
    (S.FINDINGS_PROPOSED, S.BOARD_REVIEW): {"supervisor"},
    (S.FINDINGS_PROPOSED, S.UNDER_INVESTIGATION): {"supervisor"},
    (S.DECIDED, S.CLOSED): {"supervisor"},
    (S.CLOSED, S.UNDER_INVESTIGATION): {"supervisor"},
}
LEGAL = {
    *GENERIC,
    (S.IN_TRIAGE, S.UNDER_INVESTIGATION),
    (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED),
    (S.BOARD_REVIEW, S.DECIDED),
    (S.BOARD_REVIEW, S.UNDER_INVESTIGATION),
}
REFUSED = (TransitionRefused, PermissionDenied, ValidationError)


@pytest.mark.django_db
def test_random_action_sequences_keep_the_lifecycle_legal():
    staff = {
        "intake": UserFactory(username="sm_intake", roles=[Role.INTAKE_COORDINATOR]),
        "supervisor": UserFactory(username="sm_supervisor", roles=[Role.SUPERVISOR]),
        "investigator": UserFactory(username="sm_investigator", roles=[Role.INVESTIGATOR]),
        "outsider": UserFactory(username="sm_outsider", roles=[Role.INVESTIGATOR]),
        **{name: UserFactory(username=f"sm_{name}", roles=[Role.BOARD_MEMBER]) for name in sorted(MEMBERS)},
    }
    start = timezone.localdate() - timedelta(days=30)
    for name in MEMBERS:
        BoardMembership.objects.create(member=staff[name], is_chair=name == "chair", term_start=start)
    everyone = sorted(staff)
    reached: dict[str, int] = {"decided": 0, "remanded": 0, "closed": 0, "reopened": 0}

    class Lifecycle(RuleBasedStateMachine):
        @initialize()
        def file(self):
            self.complaint = ComplaintFactory()
            subject = SubjectOfficerFactory(complaint=self.complaint)
            self.allegations = [AllegationFactory(complaint=self.complaint, subject_officer=subject) for _ in range(2)]
            permissions.grant(staff["investigator"], "complaints.change_complaint", self.complaint)
            permissions.grant(staff["investigator"], "complaints.view_complaint", self.complaint)
            # The oracle's own picture of the case.
            self.status = S.RECEIVED
            self.proposed = False
            self.votes: set[str] = set()
            self.moves = 0
            self.decisions = 0

        def _attempt(self, expected: bool, make, target: str | None = None) -> None:
            before = Complaint.objects.get(pk=self.complaint.pk).status
            try:
                make()
            except REFUSED:
                assert not expected, f"refused but the oracle allows it (status {before})"
                assert Complaint.objects.get(pk=self.complaint.pk).status == before
                return
            assert expected, f"made but the oracle refuses it (status {before})"
            if target is not None:
                self.moves += 1
                self.status = target

        @rule(who=st.sampled_from(everyone), to=st.sampled_from(S.values), stale=st.booleans())
        def generic_move(self, who, to, stale):
            expected_status = S.RECEIVED if stale and self.status != S.RECEIVED else self.status
            allowed = who in GENERIC.get((self.status, to), set()) and not (stale and expected_status != self.status)
            self._attempt(
                allowed,
                lambda: complaint_transition(
                    complaint=self.complaint,
                    to_status=to,
                    actor=staff[who],
                    reason="because",
                    expected_status=expected_status,
                ),
                to,
            )
            if allowed and to == S.BOARD_REVIEW:
                self.votes = set()

        @rule(who=st.sampled_from(everyone))
        def accept(self, who):
            allowed = self.status == S.IN_TRIAGE and who in TRIAGE
            self._attempt(
                allowed, lambda: triage.triage_accept(complaint=self.complaint, actor=staff[who]), S.UNDER_INVESTIGATION
            )

        @rule(who=st.sampled_from(everyone))
        def propose(self, who):
            allowed = self.status == S.UNDER_INVESTIGATION and who in WORK

            def make():
                for allegation in self.allegations:
                    finding_services.finding_propose(
                        allegation=allegation, actor=staff[who], disposition=Disposition.NOT_SUSTAINED, rationale="Why."
                    )
                investigation = Investigation.objects.get(complaint=self.complaint)
                finding_services.investigation_public_summary_set(
                    investigation=investigation, actor=staff[who], text="A summary."
                )

            self._attempt(allowed, make)
            self.proposed = self.proposed or allowed

        @rule(who=st.sampled_from(everyone))
        def submit(self, who):
            allowed = self.status == S.UNDER_INVESTIGATION and who in WORK and self.proposed
            self._attempt(
                allowed,
                lambda: finding_services.findings_submit(complaint=self.complaint, actor=staff[who]),
                S.FINDINGS_PROPOSED,
            )

        @rule(who=st.sampled_from(everyone))
        def vote(self, who):
            allowed = self.status == S.BOARD_REVIEW and who in MEMBERS and who not in self.votes
            self._attempt(allowed, lambda: vote_record(complaint=self.complaint, member=staff[who], choice="concur"))
            if allowed:
                self.votes.add(who)

        @rule(who=st.sampled_from(everyone), kind=st.sampled_from(["adopt", "remand"]))
        def decide(self, who, kind):
            allowed = self.status == S.BOARD_REVIEW and who == "chair" and len(self.votes) >= QUORUM
            target = S.DECIDED if kind == "adopt" else S.UNDER_INVESTIGATION
            self._attempt(
                allowed,
                lambda: decision_record(
                    complaint=self.complaint, actor=staff[who], kind=kind, instructions="Look again."
                ),
                target,
            )
            if allowed:
                self.decisions += 1
                reached["decided" if kind == "adopt" else "remanded"] += 1

        @rule()
        def advance(self):
            """The right next step by the right person, so random runs reach the board's decisions."""
            if self.status == S.RECEIVED:
                self.generic_move("intake", S.IN_TRIAGE, False)
            elif self.status == S.IN_TRIAGE:
                self.accept("supervisor")
            elif self.status == S.UNDER_INVESTIGATION:
                if self.proposed:
                    self.submit("investigator")
                else:
                    self.propose("investigator")
            elif self.status == S.FINDINGS_PROPOSED:
                self.generic_move("supervisor", S.BOARD_REVIEW, False)
            elif self.status == S.BOARD_REVIEW:
                waiting = sorted(MEMBERS - self.votes)
                if len(self.votes) >= QUORUM:
                    # Take turns, so every run exercises both decisions.
                    self.decide("chair", "adopt" if reached["decided"] <= reached["remanded"] else "remand")
                else:
                    self.vote(waiting[0])
            elif self.status == S.DECIDED:
                self.generic_move("supervisor", S.CLOSED, False)
                reached["closed"] += 1
            elif self.status == S.CLOSED:
                self.generic_move("supervisor", S.UNDER_INVESTIGATION, False)
                reached["reopened"] += 1

        @invariant()
        def records_match_the_oracle(self):
            if not hasattr(self, "complaint"):
                return
            assert Complaint.objects.get(pk=self.complaint.pk).status == self.status
            changes = list(StatusChange.objects.filter(complaint=self.complaint).order_by("id"))
            assert len(changes) == self.moves
            current = S.RECEIVED
            for change in changes:
                assert change.from_status == current
                assert (change.from_status, change.to_status) in LEGAL
                if change.to_status == S.DECIDED:
                    assert change.actor == staff["chair"]
                current = change.to_status
            assert BoardDecision.objects.filter(complaint=self.complaint).count() == self.decisions
            if self.status in (S.DECIDED, S.CLOSED):
                latest = BoardDecision.objects.filter(complaint=self.complaint).latest("created_at", "id")
                assert latest.kind == "adopt"
                assert latest.votes_counted["concur"] >= QUORUM

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,  # the same sequences every run: a failure here is always reproducible
            suppress_health_check=list(HealthCheck),
        ),
    )
    # The runs went all the way: the board decided, remanded, and decided cases were closed and reopened.
    assert all(reached.values()), reached
