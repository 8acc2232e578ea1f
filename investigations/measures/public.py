"""The management measures the periodic public reports print: the same numbers as the measures
page for the same period, counted by the same functions, with nothing about a person (no
investigator's name, no case).

``public_measures`` counts them now. Given ``basis`` (the moment of the public statistics a report
is built from, when that is the dashboard's snapshot), it keeps what it counted in
``ReportedMeasures`` and gives that back for the same period and basis: a report rebuilt from the
same snapshot prints the same numbers and reads no case table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from oversight import audit

from .expressions import Spread
from .models import ReportedMeasures
from .selectors import (
    STAGES,
    MeasureFilters,
    Moment,
    caseload,
    days_to_assignment,
    days_to_close,
    days_to_department_response,
    deadline_counts,
    stage_stays,
)

S = Complaint.Status

# The stages of the lifecycle in the public's words.
PUBLIC_STAGE_LABELS: dict[str, Any] = {
    S.RECEIVED: _("Waiting to be screened"),
    S.IN_TRIAGE: _("Being screened"),
    S.IN_MEDIATION: _("In mediation"),
    S.UNDER_INVESTIGATION: _("Under investigation"),
    S.FINDINGS_PROPOSED: _("Findings waiting for a supervisor's review"),
    S.BOARD_REVIEW: _("With the board"),
    S.DECIDED: _("Decided, waiting to be closed"),
}


@dataclass(frozen=True)
class PublicMeasures:
    start: date
    end: date
    computed_at: datetime
    # Complaints closed in the period: days from received to closed (every way of closing).
    days_to_close: Spread = Spread()
    # Complaints first assigned to an investigator in the period: days from received to assigned.
    days_to_assignment: Spread = Spread()
    # Recommended discipline decided in the period and answered: days from decision to response.
    days_to_department_response: Spread = Spread()
    # Stays that ended in the period, by stage (an internal status).
    stage_days: dict[str, Spread] = field(default_factory=dict)
    # Open cases per investigator now, over those carrying at least one.
    caseload_median: float | None = None
    caseload_most: int | None = None

    def as_data(self) -> dict[str, Any]:
        return {
            "computed_at": self.computed_at.isoformat(),
            "days_to_close": self.days_to_close.as_data(),
            "days_to_assignment": self.days_to_assignment.as_data(),
            "days_to_department_response": self.days_to_department_response.as_data(),
            "stage_days": {status: spread.as_data() for status, spread in self.stage_days.items()},
            "caseload_median": self.caseload_median,
            "caseload_most": self.caseload_most,
        }

    @classmethod
    def from_data(cls, start: date, end: date, data: dict[str, Any]) -> PublicMeasures:
        return cls(
            start=start,
            end=end,
            computed_at=datetime.fromisoformat(data["computed_at"]),
            days_to_close=Spread.from_data(data.get("days_to_close")),
            days_to_assignment=Spread.from_data(data.get("days_to_assignment")),
            days_to_department_response=Spread.from_data(data.get("days_to_department_response")),
            stage_days={status: Spread.from_data(value) for status, value in (data.get("stage_days") or {}).items()},
            caseload_median=data.get("caseload_median"),
            caseload_most=data.get("caseload_most"),
        )


def count_public_measures(*, start: date, end: date, now: datetime | None = None) -> PublicMeasures:
    """The public measures of the period, counted now from the case tables (every district and category)."""
    filters = MeasureFilters(start=start, end=end)
    moment = Moment.of(filters, now)
    _closings, closed = days_to_close(filters, moment)
    stays = stage_stays(filters, moment)
    load = caseload(filters, moment, deadline_counts(filters, moment))
    return PublicMeasures(
        start=start,
        end=end,
        computed_at=moment.now,
        days_to_close=closed,
        days_to_assignment=days_to_assignment(filters, moment),
        days_to_department_response=days_to_department_response(filters, moment),
        stage_days={status: stays[status] for status in STAGES if status in stays},
        caseload_median=load.median,
        caseload_most=load.most,
    )


def public_measures(*, start: date, end: date, basis: datetime | None = None) -> PublicMeasures:
    """The public measures of the period: counted now, or, with ``basis``, those kept for that period
    and basis (counted and kept the first time, audited as ``measures.recorded``). Only the latest
    basis of a period is kept."""
    if basis is None:
        return count_public_measures(start=start, end=end)
    kept = ReportedMeasures.objects.filter(period_start=start, period_end=end, basis=basis).first()
    if kept is not None:
        return PublicMeasures.from_data(start, end, kept.data)
    measures = count_public_measures(start=start, end=end)
    try:
        with audit.service_atomic():
            ReportedMeasures.objects.filter(period_start=start, period_end=end, basis__lt=basis).delete()
            row = ReportedMeasures.objects.create(
                period_start=start,
                period_end=end,
                basis=basis,
                computed_at=measures.computed_at,
                data=measures.as_data(),
            )
            audit.record(
                "measures.recorded",
                target=row,
                data={"period_start": start, "period_end": end, "basis": basis},
            )
    except IntegrityError:
        # Another build kept the same period and basis a moment ago: print what it kept.
        kept = ReportedMeasures.objects.filter(period_start=start, period_end=end, basis=basis).first()
        if kept is not None:
            return PublicMeasures.from_data(start, end, kept.data)
    return measures
