"""The retention schedule: how long a closed case is kept, and from when.

The periods are settings (California Penal Code 832.5 by default): ``RETENTION_YEARS_NOT_SUSTAINED``
(5) for a case with no sustained finding, ``RETENTION_YEARS_SUSTAINED`` (15) for a case where any
allegation's final disposition is sustained. Both count from the local date of the case's last
closing, and a case becomes due on the anniversary: closed on 3 May 2021 and not sustained, it is
due on 3 May 2026. A case closed on 29 February is due on 1 March of a year with no 29 February.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from complaints.models import Complaint

from .models import Schedule

S = Complaint.Status
# The statuses a complaint ends in: closed after a decision, resolved through mediation, referred
# to another agency, or closed in triage. Only ``closed`` can be reopened.
CLOSED_STATUSES = (S.CLOSED, S.MEDIATED, S.REFERRED, S.ADMINISTRATIVELY_CLOSED)


def years_for(schedule: str) -> int:
    if schedule == Schedule.SUSTAINED:
        return settings.RETENTION_YEARS_SUSTAINED
    return settings.RETENTION_YEARS_NOT_SUSTAINED


def schedule_for(sustained: bool) -> str:
    return Schedule.SUSTAINED if sustained else Schedule.NOT_SUSTAINED


def add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` on; 29 February becomes 1 March in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def due_on(closed_on: date, schedule: str) -> date:
    return add_years(closed_on, years_for(schedule))


def latest_closing_due(today: date, schedule: str) -> date:
    """The last closing date whose case is due on ``today``: ``due_on(d) <= today`` exactly when
    ``d <= latest_closing_due(today)``."""
    years = years_for(schedule)
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February: a case closed on 28 February is due, one closed on 1 March is not
        return date(today.year - years, 2, 28)


def closed_before(today: date, schedule: str) -> datetime:
    """The moment before which a case must have closed to be due on ``today``: the start of the
    local day after ``latest_closing_due``."""
    day = latest_closing_due(today, schedule) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()
