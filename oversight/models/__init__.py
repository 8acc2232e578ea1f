from .audit import AuditChainHead, AuditEvent
from .base import HistoryContext, TimeStampedModel, history
from .notifications import SentNotification
from .roster import Agency, Demographic, District, Officer

__all__ = [
    "Agency",
    "AuditChainHead",
    "AuditEvent",
    "Demographic",
    "District",
    "HistoryContext",
    "Officer",
    "SentNotification",
    "TimeStampedModel",
    "history",
]
