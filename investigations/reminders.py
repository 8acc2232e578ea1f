"""Deadline reminders: the daily job that emails the people who must meet a case's deadline.

Who: the investigators assigned to the case now, and every active supervisor. When: 90, 30 and 7
days before the due date, and once it has passed. Each reminder goes out once per due date: a
``DeadlineReminder`` row records that it is done (its unique constraint settles races between two
workers) and ``notify_once`` keeps each recipient from getting the same email twice.

If the job did not run on the day a threshold was reached, it sends only the most urgent reminder
that applies and marks the less urgent ones for that due date as done, so a late run sends one
email, not three. When the due date moves (a tolling period was added), the reminders apply again
for the new date. While an open tolling period still pushes the due date back every day, nothing
is sent: the clock is stopped and the date not yet known.

An email that fails is tried again while its reminder is fresh (``RETRY_WINDOW``); the others
already sent are not repeated. Each email is written in its recipient's preferred language.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from oversight import audit, context
from oversight.notifications import notify_once
from oversight.permissions import Role
from oversight.staff_accounts.selectors import preferred_language

from .deadlines import CLOCK_STOPPED_STATUSES, Deadline, investigations_with_deadlines, period_days
from .models import DeadlineReminder, Investigation, InvestigatorAssignment

logger = logging.getLogger(__name__)

Kind = DeadlineReminder.Kind

# Most urgent first.
THRESHOLDS: list[tuple[str, int]] = [(Kind.DAYS_7, 7), (Kind.DAYS_30, 30), (Kind.DAYS_90, 90)]
EARLIEST = max(days for _kind, days in THRESHOLDS)
RETRY_WINDOW = timedelta(hours=20)


class ReminderDeliveryFailed(OSError):
    """Some reminder emails could not be sent; running the job again retries just those."""


@dataclass
class ReminderRun:
    today: date
    reminders: int = 0  # reminders that became due in this run (one per case and due date)
    emails: int = 0
    failures: int = 0

    def raise_for_failures(self) -> None:
        if self.failures:
            raise ReminderDeliveryFailed(f"{self.failures} deadline reminder email(s) could not be sent")


def reminder_kinds_due(days_left: int) -> list[str]:
    """The reminder kinds that apply with ``days_left`` days to go, most urgent first."""
    kinds = [Kind.OVERDUE] if days_left < 0 else []
    kinds += [kind for kind, days in THRESHOLDS if days_left <= days]
    return kinds


def _candidates(today: date) -> list[Any]:
    # Tolling only ever moves a due date later, so a case whose un-tolled due date is still more than
    # EARLIEST days away needs nothing today.
    latest_discovery = today + timedelta(days=EARLIEST) - timedelta(days=period_days())
    queryset = (
        Investigation.objects.exclude(complaint__status__in=CLOCK_STOPPED_STATUSES)
        .filter(discovery_date__lte=latest_discovery)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=InvestigatorAssignment.objects.filter(
                    ended_at__isnull=True, investigator__is_active=True
                ).select_related("investigator__staff_preference"),
                to_attr="active_assignments",
            )
        )
        .order_by("pk")
    )
    return investigations_with_deadlines(queryset, today=today)


def _sent(investigation_ids: list[int]) -> dict[tuple[int, date], dict[str, datetime]]:
    done: dict[tuple[int, date], dict[str, datetime]] = {}
    rows = DeadlineReminder.objects.filter(investigation_id__in=investigation_ids).values_list(
        "investigation_id", "due_date", "kind", "sent_at"
    )
    for investigation_id, due_date, kind, sent_at in rows:
        done.setdefault((investigation_id, due_date), {})[kind] = sent_at
    return done


def _supervisors() -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SUPERVISOR)
        .exclude(email="")
        .select_related("staff_preference")
        .order_by("pk")
        .distinct()
    )


def _recipients(investigation: Any, supervisors: list[Any]) -> list[tuple[Any, str]]:
    people: dict[int, tuple[Any, str]] = {}
    for assignment in investigation.active_assignments:
        if assignment.investigator.email:
            people[assignment.investigator.pk] = (assignment.investigator, "investigator")
    for user in supervisors:
        people.setdefault(user.pk, (user, "supervisor"))
    return list(people.values())


def _record(investigation: Any, deadline: Deadline, kinds: list[str], done: dict[str, datetime], recipients: int):
    """Mark the reminder (and the less urgent ones it stands in for) done for this due date.
    Returns False if another run already did."""
    try:
        with transaction.atomic():
            for kind in kinds:
                if kind not in done:
                    DeadlineReminder.objects.create(investigation=investigation, kind=kind, due_date=deadline.due_date)
            audit.record(
                "deadline.reminded",
                target=investigation.complaint,
                data={
                    "kind": kinds[0],
                    "due_date": deadline.due_date.isoformat(),
                    "days_left": deadline.days_left,
                    "recipients": recipients,
                    "also_marked_done": [k for k in kinds[1:] if k not in done],
                },
            )
    except IntegrityError:
        return False
    return True


def _send(investigation: Any, deadline: Deadline, kind: str, user: Any, role: str) -> bool:
    return notify_once(
        key=f"deadline:{investigation.pk}:{kind}:{deadline.due_date.isoformat()}:{user.pk}",
        to=user.email,
        template="investigations/email/deadline_overdue"
        if kind == Kind.OVERDUE
        else "investigations/email/deadline_upcoming",
        context={
            "name": user.first_name or user.get_username(),
            "role": role,
            "tracking_number": investigation.complaint.tracking_number,
            "due_date": deadline.due_date,
            "days_left": deadline.days_left,
            "days_overdue": deadline.days_overdue,
            "tolled_days": deadline.tolled_days,
        },
        # The recipient's own language (docs/notifications.md).
        language=preferred_language(user),
    )


def deadline_reminders_send(*, today: date | None = None) -> ReminderRun:
    """Send the deadline reminders due on ``today`` (default: the local date) for every case whose
    clock still runs. Safe to run more than once a day: nothing is sent twice."""
    today = today or timezone.localdate()
    run = ReminderRun(today=today)
    with context.acting_as(None):
        investigations = _candidates(today)
        if not investigations:
            return run
        done_by_due = _sent([i.pk for i in investigations])
        supervisors = _supervisors()
        fresh_since = timezone.now() - RETRY_WINDOW
        for investigation in investigations:
            deadline: Deadline = investigation.deadline
            if deadline.is_provisional:
                continue
            kinds = reminder_kinds_due(deadline.days_left)
            if not kinds:
                continue
            kind = kinds[0]
            recipients = _recipients(investigation, supervisors)
            done = done_by_due.get((investigation.pk, deadline.due_date), {})
            if kind in done:
                if done[kind] < fresh_since:
                    continue  # sent on an earlier day
                # Recorded in the last hours: deliver any email that failed then (the rest are skipped).
            elif _record(investigation, deadline, kinds, done, len(recipients)):
                run.reminders += 1
            else:
                continue
            for user, role in recipients:
                try:
                    run.emails += int(_send(investigation, deadline, kind, user, role))
                except Exception:
                    run.failures += 1
                    logger.exception(
                        "Deadline reminder %s for investigation %s to user %s failed", kind, investigation.pk, user.pk
                    )
    return run
