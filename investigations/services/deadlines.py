"""Writes to the deadline clock: tolling periods and the discovery date."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight import audit

from ..deadlines import CLOCK_STOPPED_STATUSES, deadline_for
from ..models import Investigation, TollingPeriod
from ..selectors import can_work


def _lock(investigation: Investigation) -> Investigation:
    return Investigation.objects.select_for_update().select_related("complaint").get(pk=investigation.pk)


def _refuse_if_clock_stopped(investigation: Investigation) -> None:
    if investigation.complaint.status in CLOCK_STOPPED_STATUSES:
        raise ValidationError(_("The deadline clock of a decided or closed case cannot be changed."))


@transaction.atomic
def tolling_add(
    *,
    investigation: Investigation,
    actor: Any,
    reason: str,
    start: date,
    end: date | None = None,
    note: str = "",
) -> TollingPeriod:
    """Record a period that stops the deadline clock.

    Only someone who works the case may (an assigned investigator or a supervisor), on a case whose
    clock still runs. The period must have started (not in the future); an end, if known, is on or
    after the start. Leave ``end`` empty while the period lasts.
    """
    if not can_work(actor, investigation.complaint):
        raise PermissionDenied
    locked = _lock(investigation)
    _refuse_if_clock_stopped(locked)
    errors: dict[str, list[str]] = {}
    if reason not in TollingPeriod.Reason.values:
        errors.setdefault("reason", []).append(_("Choose why the clock stops."))
    today = timezone.localdate()
    if start > today:
        errors.setdefault("start", []).append(_("The start cannot be in the future."))
    if end is not None and end < start:
        errors.setdefault("end", []).append(_("The end cannot be before the start."))
    if errors:
        raise ValidationError(errors)
    before = deadline_for(locked, today)
    period = TollingPeriod.objects.create(
        investigation=locked,
        reason=reason,
        start=start,
        end=end,
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    after = deadline_for(locked, today)
    # The note may name people: it stays out of the audit trail.
    audit.record(
        "tolling.added",
        target=locked.complaint,
        actor=actor,
        data={
            "period_id": period.pk,
            "reason": reason,
            "start": start.isoformat(),
            "end": end.isoformat() if end else None,
            "due_date_before": before.due_date.isoformat(),
            "due_date_after": after.due_date.isoformat(),
        },
    )
    return period


@transaction.atomic
def tolling_end(*, period: TollingPeriod, actor: Any, end: date) -> TollingPeriod:
    """Record the day a tolling period ended (the last day it tolls).

    For a period still open, or one whose recorded end has not come yet (it ended early). The end
    cannot be before the start or in the future.
    """
    investigation = period.investigation
    if not can_work(actor, investigation.complaint):
        raise PermissionDenied
    locked = _lock(investigation)
    _refuse_if_clock_stopped(locked)
    period = TollingPeriod.objects.select_for_update().get(pk=period.pk, investigation=locked)
    today = timezone.localdate()
    if period.end is not None and period.end <= today:
        raise ValidationError(_("This tolling period has already ended."))
    if end < period.start:
        raise ValidationError({"end": [_("The end cannot be before the start.")]})
    if end > today:
        raise ValidationError({"end": [_("The end cannot be in the future.")]})
    before = deadline_for(locked, today)
    previous_end = period.end
    period.end = end
    period.save(update_fields=["end", "updated_at"])
    after = deadline_for(locked, today)
    audit.record(
        "tolling.ended",
        target=locked.complaint,
        actor=actor,
        data={
            "period_id": period.pk,
            "reason": period.reason,
            "start": period.start.isoformat(),
            "end": end.isoformat(),
            "previous_end": previous_end.isoformat() if previous_end else None,
            "due_date_before": before.due_date.isoformat(),
            "due_date_after": after.due_date.isoformat(),
        },
    )
    return period


@transaction.atomic
def investigation_discovery_date_set(
    *, investigation: Investigation, actor: Any, discovery_date: date
) -> Investigation:
    """Change the date the deadline clock starts from. A supervisor's decision
    (``investigations.approve_findings``); the date cannot be in the future."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm("investigations.approve_findings"):
        raise PermissionDenied
    locked = _lock(investigation)
    _refuse_if_clock_stopped(locked)
    if discovery_date > timezone.localdate():
        raise ValidationError({"discovery_date": [_("The discovery date cannot be in the future.")]})
    previous = locked.discovery_date
    if previous == discovery_date:
        return locked
    locked.discovery_date = discovery_date
    locked.save(update_fields=["discovery_date", "updated_at"])
    audit.record(
        "investigation.updated",
        target=locked.complaint,
        actor=actor,
        data={"field": "discovery_date", "from": previous.isoformat(), "to": discovery_date.isoformat()},
    )
    investigation.discovery_date = discovery_date
    return locked
