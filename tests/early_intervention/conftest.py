"""Crafted officer histories for the early-intervention tests.

The rules the data migration seeds are taken out before every test, so each test evaluates only the
rules it makes (``make_rule``). ``name_in`` files a complaint naming an officer, received at a given
moment, with allegations in given categories and, optionally, final findings. Every moment is
written relative to ``AS_OF``, the evaluation's moment.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from complaints.models import AllegationCategory, Complaint
from investigations.early_intervention.models import Flag, FlagEvent, Threshold, ThresholdVersion
from investigations.models import Finding
from tests.factories import AllegationFactory, ComplaintFactory, OfficerFactory, SubjectOfficerFactory

LOCAL = ZoneInfo("America/New_York")
# The evaluation's moment in every test: noon, 30 June 2026, local time.
AS_OF = datetime(2026, 6, 30, 12, 0, tzinfo=LOCAL)
# 12 months before it, to the minute (the first moment inside a 12-month period).
YEAR_BEFORE = datetime(2025, 6, 30, 12, 0, tzinfo=LOCAL)
SIX_MONTHS_BEFORE = datetime(2025, 12, 30, 12, 0, tzinfo=LOCAL)
TWO_YEARS_BEFORE = datetime(2024, 6, 30, 12, 0, tzinfo=LOCAL)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _only_the_rules_each_test_makes(db):
    Threshold.objects.update(current_version=None)
    FlagEvent.objects.all().delete()
    Flag.objects.all().delete()
    ThresholdVersion.objects.all().delete()
    Threshold.objects.all().delete()


def category(code: str) -> AllegationCategory:
    return AllegationCategory.objects.get(code=code)


@pytest.fixture
def make_rule(db):
    def make(kind: str, name: str | None = None, *, active: bool = True, **parameters) -> Threshold:
        if "category" in parameters and isinstance(parameters["category"], str):
            parameters["category"] = category(parameters["category"])
        if "percentile" in parameters:
            parameters["percentile"] = Decimal(str(parameters["percentile"]))
        threshold = Threshold.objects.create(name=name or f"{kind} rule", kind=kind, is_active=active)
        version = ThresholdVersion.objects.create(threshold=threshold, number=1, **parameters)
        threshold.current_version = version
        threshold.save(update_fields=["current_version"])
        return threshold

    return make


@pytest.fixture
def name_in(db):
    def make(
        officer,
        received_at: datetime,
        categories: tuple[str, ...] = ("disc-words",),
        finals: tuple[str, ...] = (),
        proposed: tuple[str, ...] = (),
        **fields,
    ) -> Complaint:
        complaint = ComplaintFactory(received_at=received_at, **fields)
        subject = SubjectOfficerFactory(complaint=complaint, officer=officer)
        for index, code in enumerate(categories):
            allegation = AllegationFactory(complaint=complaint, subject_officer=subject, category=category(code))
            final = finals[index] if index < len(finals) else ""
            wanted = proposed[index] if index < len(proposed) else final
            if final or wanted:
                Finding.objects.create(
                    allegation=allegation, proposed_disposition=wanted, rationale="Video.", final_disposition=final
                )
        return complaint

    return make


@pytest.fixture
def officer(db):
    return OfficerFactory(first_name="Dana", last_name="Whitlock", badge_number="4471", rank="Sergeant", unit="Traffic")
