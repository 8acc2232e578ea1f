"""Reads for the deadline page. The case itself is already scoped by ``case_get_for_user``."""

from datetime import date
from typing import Any

from ..deadlines import Deadline, tolling_periods_with_deadline
from ..models import Investigation, TollingPeriod
from ._lookup import get_or_404


def investigation_tolling_periods(
    *, investigation: Investigation, today: date | None = None
) -> tuple[list[TollingPeriod], Deadline]:
    """The investigation's tolling periods (oldest first, with who recorded them) and the deadline
    they give on ``today``, from one query."""
    return tolling_periods_with_deadline(investigation, today=today)


def tolling_period_get_for_case(*, investigation: Investigation, period_id: Any) -> TollingPeriod:
    """One tolling period of this investigation; ``Http404`` if missing or another case's."""
    period = get_or_404(TollingPeriod.objects.all(), pk=period_id, investigation=investigation)
    period.investigation = investigation
    return period
