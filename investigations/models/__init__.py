from .board import (
    BoardDecision,
    BoardMeeting,
    BoardMembership,
    DecisionFinding,
    DepartmentResponse,
    Recusal,
    Vote,
    VoteProposal,
)
from .case import CaseNote, Investigation, InvestigatorAssignment, StatusChange
from .deadlines import DeadlineReminder, TollingPeriod
from .evidence import CustodyEvent, EvidenceItem
from .findings import Disposition, Finding
from .interviews import Interview
from .subpoenas import Subpoena, SubpoenaEvent

__all__ = [
    "BoardDecision",
    "BoardMeeting",
    "BoardMembership",
    "DecisionFinding",
    "DepartmentResponse",
    "Recusal",
    "Vote",
    "VoteProposal",
    "CaseNote",
    "CustodyEvent",
    "DeadlineReminder",
    "Disposition",
    "EvidenceItem",
    "Finding",
    "Interview",
    "Investigation",
    "InvestigatorAssignment",
    "StatusChange",
    "Subpoena",
    "SubpoenaEvent",
    "TollingPeriod",
]
