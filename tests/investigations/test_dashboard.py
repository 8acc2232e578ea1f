"""The "My work" dashboard: supervisors see every open investigation whose statutory deadline has
passed or is close, soonest due first; investigators do not get that section."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from investigations import selectors
from investigations.models import Investigation, InvestigatorAssignment, TollingPeriod
from oversight import permissions
from tests.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Complaint.Status
HEADING = "Investigations overdue or due soon"


def _case(*, due_in_days: int, status: str = S.UNDER_INVESTIGATION, lead=None) -> Complaint:
    """A case whose untolled due date (discovery + 365 days) is ``due_in_days`` from today."""
    complaint = ComplaintFactory()
    Complaint.objects.filter(pk=complaint.pk).update(status=status)
    complaint.refresh_from_db()
    discovery = timezone.localdate() + timedelta(days=due_in_days - 365)
    investigation = Investigation.objects.create(complaint=complaint, discovery_date=discovery)
    if lead is not None:
        InvestigatorAssignment.objects.create(investigation=investigation, investigator=lead, is_lead=True)
    return complaint


def _dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str) -> str:
    match = re.search(r'<section aria-labelledby="deadline-watch-heading">(.*?)</section>', page, re.S)
    assert match, "the deadline section is missing"
    return match.group(1)


def test_supervisor_sees_an_overdue_case_with_its_lead_investigator(client, supervisor):
    lead = UserFactory(username="lena_lead", first_name="Lena", last_name="Ortiz")
    overdue = _case(due_in_days=-20, lead=lead)
    section = _section(_dashboard(client, supervisor))
    assert overdue.tracking_number in section
    assert reverse("cases:overview", args=[overdue.tracking_number]) in section
    assert "Overdue" in section
    assert "Lena Ortiz" in section
    assert "Under investigation" in section
    assert (timezone.localdate() - timedelta(days=20)).isoformat() in section


def test_a_case_due_in_200_days_is_not_listed(client, supervisor):
    later = _case(due_in_days=200)
    section = _section(_dashboard(client, supervisor))
    assert later.tracking_number not in section
    assert "No investigation is overdue or due soon." in section


def test_soonest_due_first_and_due_soon_is_tagged(client, supervisor):
    soon = _case(due_in_days=10, status=S.FINDINGS_PROPOSED)
    overdue = _case(due_in_days=-3)
    section = _section(_dashboard(client, supervisor))
    assert section.index(overdue.tracking_number) < section.index(soon.tracking_number)
    assert "Due soon" in section
    assert "No lead assigned" in section


def test_tolling_that_moves_the_due_date_out_of_the_window_keeps_the_case_off(client, supervisor):
    tolled = _case(due_in_days=-10)
    start = timezone.localdate() - timedelta(days=200)
    TollingPeriod.objects.create(
        investigation=tolled.investigation,
        reason=TollingPeriod.Reason.CRIMINAL_PROCEEDING,
        start=start,
        end=start + timedelta(days=99),
    )
    # 100 tolled days: due 90 days from now, outside the 30-day window.
    assert tolled.tracking_number not in _section(_dashboard(client, supervisor))


def test_decided_and_closed_cases_are_not_listed(client, supervisor):
    decided = _case(due_in_days=-50, status=S.DECIDED)
    closed = _case(due_in_days=-50, status=S.CLOSED)
    section = _section(_dashboard(client, supervisor))
    assert decided.tracking_number not in section
    assert closed.tracking_number not in section


def test_supervisor_with_nothing_due_sees_the_empty_state(client, supervisor):
    section = _section(_dashboard(client, supervisor))
    assert HEADING in section
    assert "No investigation is overdue or due soon." in section


def test_investigators_do_not_get_the_section_even_on_their_own_overdue_case(client, other_investigator):
    mine = _case(due_in_days=-20, lead=other_investigator)
    permissions.grant(other_investigator, "complaints.view_complaint", mine)
    page = _dashboard(client, other_investigator)
    assert mine.tracking_number in page  # in "My cases"
    assert HEADING not in page
    assert "No investigation is overdue or due soon." not in page


def test_the_list_is_capped_and_says_how_many_more(supervisor):
    for days in (-5, -4, -3, 1, 2):
        _case(due_in_days=days)
    watch = selectors.investigations_overdue_or_due_soon(user=supervisor, limit=3)
    assert [i.deadline.days_left for i in watch.investigations] == [-5, -4, -3]
    assert (watch.total, watch.more) == (5, 2)


def test_tolled_and_never_tolled_cases_are_listed_together_soonest_due_first(supervisor):
    untolled = [_case(due_in_days=days) for days in (-30, -10, 5, 20)]
    tolled = _case(due_in_days=-40)  # 25 days tolled: due 15 days ago
    TollingPeriod.objects.create(
        investigation=tolled.investigation,
        reason=TollingPeriod.Reason.WRITTEN_WAIVER,
        start=tolled.investigation.discovery_date + timedelta(days=10),
        end=tolled.investigation.discovery_date + timedelta(days=34),
    )
    pushed_out = _case(due_in_days=-5)  # tolled 60 days: due in 55 days, no longer due soon
    TollingPeriod.objects.create(
        investigation=pushed_out.investigation,
        reason=TollingPeriod.Reason.WRITTEN_WAIVER,
        start=pushed_out.investigation.discovery_date + timedelta(days=1),
        end=pushed_out.investigation.discovery_date + timedelta(days=60),
    )
    watch = selectors.investigations_overdue_or_due_soon(user=supervisor, limit=4)
    listed = [i.complaint_id for i in watch.investigations]
    assert listed == [untolled[0].pk, tolled.pk, untolled[1].pk, untolled[2].pk]
    assert [i.deadline.days_left for i in watch.investigations] == [-30, -15, -10, 5]
    assert (watch.total, watch.more) == (5, 1)


@pytest.mark.parametrize("tolled", [True, False], ids=["tolled", "never tolled"])
@pytest.mark.parametrize("cases", [3, 55])
def test_dashboard_queries_do_not_grow_with_the_number_of_cases_due(
    client, supervisor, cases, tolled, django_assert_max_num_queries
):
    lead = UserFactory(username="lena_lead", first_name="Lena", last_name="Ortiz")
    for n in range(cases):
        complaint = _case(due_in_days=-n, lead=lead)
        if tolled:
            TollingPeriod.objects.create(
                investigation=complaint.investigation,
                reason=TollingPeriod.Reason.WRITTEN_WAIVER,
                start=complaint.investigation.discovery_date + timedelta(days=400),
            )
    for _ in range(4):
        _case(due_in_days=300)
    client.force_login(supervisor)
    # A first visit fills the process's caches (content types, which a migration test earlier in
    # the worker may have cleared), so the count below is the page's own.
    client.get(reverse("cases:dashboard"))
    # Bounded whatever the number of cases: the page's reads (the messages panel's unread answers
    # among them), the session's second-factor device and the user's roles for the menu (on
    # PostgreSQL a savepoint, its planner setting and its release around the deadline read).
    with django_assert_max_num_queries(19):
        response = client.get(reverse("cases:dashboard"))
    section = _section(response.content.decode())
    assert section.count("Lena Ortiz") == min(cases, 50)
    if cases > 50:
        assert f"And {cases - 50} more investigations, not listed here." in section
    else:
        assert "more investigation" not in section


def test_the_watch_costs_the_same_queries_with_or_without_tolled_cases(supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.investigations_overdue_or_due_soon(user=supervisor)
        return len(ctx.captured_queries)

    for days in (-3, -2, 4):
        _case(due_in_days=days)
    queries()  # the supervisor's role permissions are read once per user object
    untolled_only = queries()
    tolled = _case(due_in_days=-8)
    TollingPeriod.objects.create(
        investigation=tolled.investigation,
        reason=TollingPeriod.Reason.WRITTEN_WAIVER,
        start=tolled.investigation.discovery_date + timedelta(days=2),
        end=tolled.investigation.discovery_date + timedelta(days=3),
    )
    assert queries() == untolled_only <= 7  # four reads; on PostgreSQL a planner setting in a savepoint
