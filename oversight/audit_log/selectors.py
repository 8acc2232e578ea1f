"""Reads of the audit trail for the audit log page and its export.

The list runs newest first on (``occurred_at``, ``id``). Each filter has an index that starts with
the filtered column and ends in that order (``oversight/models/audit.py``: ``audit_log_*_idx``), so
the database reads a page, however deep, as one short range of one index: the page costs the same at
a thousand events or ten million. The target type and id use ``audit_target_idx`` (one object's
events are few).
"""

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from oversight import personal_data
from oversight.models import AuditEvent

AUDIT_LOG_ORDER = ("-occurred_at", "-id")
DETAILS_MAX_CHARS = 160


@dataclass(frozen=True)
class AuditLogFilters:
    """What the page is asked to show. Empty values filter nothing."""

    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    tracking_number: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_data(self) -> dict[str, str]:
        """The filters that are set, as text: for the page's links and for the audit event."""
        return {name: str(value) for name, value in asdict(self).items() if value not in ("", None)}


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events_filtered(filters: AuditLogFilters) -> QuerySet[AuditEvent]:
    """The events matching ``filters``, newest first, with the actor's account (for their name).

    The actor is matched on the username kept with each event, so events of an account since
    deleted are found too; the tracking number on the target's label, which is the tracking
    number for a complaint (and for a refused look-up of one)."""
    events = AuditEvent.objects.all()
    if filters.actor:
        events = events.filter(actor_username=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.target_type:
        events = events.filter(target_type=filters.target_type)
    if filters.target_id:
        events = events.filter(target_id=filters.target_id)
    if filters.tracking_number:
        events = events.filter(target_label=filters.tracking_number)
    if filters.date_from:
        events = events.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return events.select_related("actor").order_by(*AUDIT_LOG_ORDER)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= DETAILS_MAX_CHARS else text[: DETAILS_MAX_CHARS - 1] + "…"


def event_details(event: AuditEvent) -> str:
    """The event's details in a line a person reads: for a read of personal data, the kinds shown
    (and how many targets, for a list); otherwise each detail as "name: value"."""
    data = event.data or {}
    if event.action == personal_data.ACTION:
        text = ", ".join(personal_data.kind_label(kind) for kind in data.get("what", []))
        count = len(data.get("targets", [])) + int(data.get("more_targets", 0))
        if count > 1:
            text += " · " + ngettext("%(count)d target", "%(count)d targets", count) % {"count": count}
        return text
    return "; ".join(f"{name}: {_short(value)}" for name, value in sorted(data.items()))
