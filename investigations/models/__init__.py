from .case import CaseNote, Investigation, InvestigatorAssignment, StatusChange
from .deadlines import DeadlineReminder, TollingPeriod
from .documents import GeneratedDocument
from .evidence import CustodyEvent, EvidenceItem
from .findings import Disposition, Finding
from .interviews import Interview
from .subpoenas import Subpoena, SubpoenaEvent

__all__ = [
    "CaseNote",
    "CustodyEvent",
    "DeadlineReminder",
    "Disposition",
    "EvidenceItem",
    "Finding",
    "GeneratedDocument",
    "Interview",
    "Investigation",
    "InvestigatorAssignment",
    "StatusChange",
    "Subpoena",
    "SubpoenaEvent",
    "TollingPeriod",
]
