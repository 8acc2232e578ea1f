"""The schedule: California Penal Code 832.5 by default, counted from the last closing."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from complaints.models import Complaint
from investigations.models import Disposition
from investigations.retention.selectors import case_standing, cases_due
from investigations.retention.services import RetentionRefused, case_destroy
from tests.retention.conftest import record_closing

pytestmark = pytest.mark.django_db

S = Complaint.Status


def _due_numbers(**kwargs) -> set[str]:
    return set(cases_due(**kwargs).values_list("tracking_number", flat=True))


def _ago(**delta) -> date:
    return timezone.localdate() - relativedelta(**delta)


def test_not_sustained_case_closed_4_years_11_months_ago_is_kept(closed_case):
    case = closed_case(closed_on=_ago(years=4, months=11))
    assert _due_numbers() == set()
    assert case_standing(case).is_due() is False


def test_not_sustained_case_closed_5_years_and_a_day_ago_is_due(closed_case):
    closed_on = _ago(years=5, days=1)
    case = closed_case(closed_on=closed_on)
    assert _due_numbers() == {case.tracking_number}
    standing = case_standing(case)
    assert standing.is_due() is True
    assert standing.schedule == "not_sustained"
    assert standing.closed_on == closed_on
    assert standing.due_on == closed_on + relativedelta(years=5)


def test_a_sustained_finding_keeps_the_case_14_years_11_months_later(closed_case):
    closed_case(closed_on=_ago(years=14, months=11), dispositions=(Disposition.NOT_SUSTAINED, Disposition.SUSTAINED))
    assert _due_numbers() == set()


def test_a_sustained_case_is_due_15_years_and_a_day_later(closed_case):
    closed_on = _ago(years=15, days=1)
    case = closed_case(closed_on=closed_on, dispositions=(Disposition.EXONERATED, Disposition.SUSTAINED))
    assert _due_numbers() == {case.tracking_number}
    standing = case_standing(case)
    assert standing.schedule == "sustained"
    assert standing.due_on == closed_on + relativedelta(years=15)


def test_a_sustained_case_is_not_due_after_the_shorter_period(closed_case):
    closed_case(closed_on=_ago(years=6), dispositions=(Disposition.SUSTAINED,))
    assert _due_numbers() == set()


def test_every_closed_status_counts_from_its_closing(closed_case):
    mediated = closed_case(closed_on=_ago(years=5, days=2), dispositions=(), status=S.MEDIATED)
    referred = closed_case(closed_on=_ago(years=5, days=3), dispositions=(), status=S.REFERRED)
    closed_in_triage = closed_case(closed_on=_ago(years=5, days=4), dispositions=(), status=S.ADMINISTRATIVELY_CLOSED)
    assert _due_numbers() == {mediated.tracking_number, referred.tracking_number, closed_in_triage.tracking_number}


def test_an_open_case_is_never_due_however_old(closed_case, supervisor):
    case = closed_case(closed_on=_ago(years=20))
    # Reopened: it is under investigation again, its old closing no longer counts.
    Complaint.objects.filter(pk=case.pk).update(status=S.UNDER_INVESTIGATION)
    case.refresh_from_db()
    assert _due_numbers() == set()
    assert case_standing(case).is_due() is False
    with pytest.raises(RetentionRefused) as refused:
        case_destroy(complaint=case, actor=supervisor, reason="Old case")
    assert refused.value.code == "precondition"
    assert "This case is not closed (it is “Under investigation”)" in refused.value.message


def test_a_reopened_and_closed_again_case_counts_from_its_last_closing(closed_case):
    case = closed_case(closed_on=_ago(years=7))
    record_closing(case, _ago(years=1), source=S.DECIDED)  # reopened since, decided again and closed
    assert _due_numbers() == set()
    assert case_standing(case).due_on == _ago(years=1) + relativedelta(years=5)


def test_the_closing_date_is_the_recorded_closing_not_the_last_edit(closed_case):
    case = closed_case(closed_on=_ago(years=5, days=1))
    Complaint.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    assert _due_numbers() == {case.tracking_number}


def test_a_case_closed_before_moves_were_recorded_counts_from_its_status_date(closed_case):
    case = closed_case(closed_on=_ago(years=5, days=1))
    case.status_changes.all().delete()
    assert _due_numbers() == {case.tracking_number}
    assert case_standing(case).closed_on == _ago(years=5, days=1)


def test_a_case_closed_on_29_february_is_due_on_1_march(closed_case):
    case = closed_case(closed_on=date(2016, 2, 29))
    assert case_standing(case).due_on == date(2021, 3, 1)
    assert _due_numbers(today=date(2021, 2, 28)) == set()
    assert _due_numbers(today=date(2021, 3, 1)) == {case.tracking_number}


def test_the_periods_come_from_settings(closed_case, settings):
    settings.RETENTION_YEARS_NOT_SUSTAINED = 3
    settings.RETENTION_YEARS_SUSTAINED = 10
    short = closed_case(closed_on=_ago(years=3, days=1))
    long = closed_case(closed_on=_ago(years=10, days=1), dispositions=(Disposition.SUSTAINED,))
    closed_case(closed_on=_ago(years=9), dispositions=(Disposition.SUSTAINED,))
    assert _due_numbers() == {short.tracking_number, long.tracking_number}
