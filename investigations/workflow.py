"""The complaint lifecycle as data: every allowed move, the action that makes it, and who may.

``complaint_transition`` (investigations/services/transitions.py) is the only writer of
``Complaint.status``; it refuses any (from, to) pair that is not in this table.

Who may, by ``rule``:
- ``triage``: intake coordinators and supervisors (``complaints.triage_complaint``);
- ``work``: whoever works the case — an assigned investigator (object permission
  ``complaints.change_complaint``) or a supervisor;
- ``board_chair``: the board's current chair, not recused on the case (decide, remand);
- any other value is a model permission the actor must hold (supervisor-level moves).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint

S = Complaint.Status


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    rule: str
    label: object
    reason_required: bool = False


TRANSITIONS: list[Transition] = [
    Transition("claim", S.RECEIVED, S.IN_TRIAGE, "triage", _("Start triage")),
    Transition("accept", S.IN_TRIAGE, S.UNDER_INVESTIGATION, "triage", _("Accept for investigation")),
    Transition("mediate", S.IN_TRIAGE, S.IN_MEDIATION, "triage", _("Offer mediation")),
    Transition("refer", S.IN_TRIAGE, S.REFERRED, "triage", _("Refer to another agency"), reason_required=True),
    Transition("close", S.IN_TRIAGE, S.ADMINISTRATIVELY_CLOSED, "triage", _("Close"), reason_required=True),
    Transition("mediation_succeeded", S.IN_MEDIATION, S.MEDIATED, "triage", _("Mediation succeeded")),
    Transition(
        "mediation_failed",
        S.IN_MEDIATION,
        S.UNDER_INVESTIGATION,
        "triage",
        _("Mediation failed: investigate"),
        reason_required=True,
    ),
    Transition("submit", S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, "work", _("Submit findings")),
    Transition(
        "approve", S.FINDINGS_PROPOSED, S.BOARD_REVIEW, "investigations.approve_findings", _("Approve for board review")
    ),
    Transition(
        "send_back",
        S.FINDINGS_PROPOSED,
        S.UNDER_INVESTIGATION,
        "investigations.approve_findings",
        _("Send back to the investigator"),
        reason_required=True,
    ),
    Transition("decide", S.BOARD_REVIEW, S.DECIDED, "board_chair", _("Record the board's decision")),
    Transition(
        "remand",
        S.BOARD_REVIEW,
        S.UNDER_INVESTIGATION,
        "board_chair",
        _("Remand to investigation"),
        reason_required=True,
    ),
    Transition("close_case", S.DECIDED, S.CLOSED, "investigations.approve_findings", _("Close the case")),
    Transition(
        "reopen", S.CLOSED, S.UNDER_INVESTIGATION, "investigations.reopen_case", _("Reopen"), reason_required=True
    ),
]

BY_PAIR: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}
BY_ACTION: dict[str, list[Transition]] = {}
for _t in TRANSITIONS:
    BY_ACTION.setdefault(_t.action, []).append(_t)


def transition_for(source: str, target: str) -> Transition | None:
    return BY_PAIR.get((source, target))


def transitions_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]
