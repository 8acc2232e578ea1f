from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from complaints.models import Complaint
from investigations import reminders
from investigations.deadlines import (
    DUE_SOON,
    ON_TRACK,
    OVERDUE,
    compute_deadline,
    deadline_for,
    investigations_with_deadlines,
)
from investigations.models import DeadlineReminder, Investigation, InvestigatorAssignment, TollingPeriod
from investigations.services import triage
from investigations.services.deadlines import investigation_discovery_date_set, tolling_add, tolling_end
from investigations.tasks import send_deadline_reminders
from oversight.models import AuditEvent, SentNotification
from oversight.permissions import Role

from ..factories import ComplaintFactory, UserFactory

S = Complaint.Status
D = date.fromisoformat
R = TollingPeriod.Reason


def due(discovery, tolling=(), today=None, days=365):
    return compute_deadline(discovery_date=discovery, tolling=tolling, today=today or discovery, days=days)


# --- The date arithmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("discovery", "tolling", "today", "expected_due", "expected_tolled"),
    [
        # No tolling: discovery + 365 days (one year, or a day short of it across a 29 February).
        ("2026-03-14", [], "2026-03-14", "2027-03-14", 0),
        ("2027-03-14", [], "2027-03-14", "2028-03-13", 0),
        ("2026-01-01", [], "2026-01-01", "2027-01-01", 0),
        # Ten days tolled, ten days later.
        ("2026-01-01", [("2026-02-01", "2026-02-10")], "2026-03-01", "2027-01-11", 10),
        # Overlapping periods count once: 1–15 February.
        ("2026-01-01", [("2026-02-01", "2026-02-10"), ("2026-02-05", "2026-02-15")], "2026-03-01", "2027-01-16", 15),
        # Adjacent periods: no day twice.
        ("2026-01-01", [("2026-02-01", "2026-02-10"), ("2026-02-11", "2026-02-20")], "2026-03-01", "2027-01-21", 20),
        # Entirely before discovery: nothing.
        ("2026-01-01", [("2025-12-01", "2025-12-31")], "2026-03-01", "2027-01-01", 0),
        # Straddling discovery: only the days from the discovery date.
        ("2026-01-01", [("2025-12-25", "2026-01-05")], "2026-03-01", "2027-01-06", 5),
        # Starts after the un-tolled due date but before the extended one: counts too.
        (
            "2026-01-01",
            [("2026-06-01", "2026-06-30"), ("2027-01-15", "2027-01-20")],
            "2027-01-25",
            "2027-02-06",
            36,
        ),
        # Starts after the extended due date: too late to count.
        ("2026-01-01", [("2026-06-01", "2026-06-30"), ("2027-02-10", "2027-02-12")], "2027-03-01", "2027-01-31", 30),
        # Starts on the due date itself: counts.
        ("2026-01-01", [("2027-01-01", "2027-01-01")], "2027-01-02", "2027-01-02", 1),
        # Open period: tolls through today.
        ("2026-01-01", [("2026-06-01", None)], "2026-06-10", "2027-01-11", 10),
        # Open period that starts after the due date: nothing.
        ("2026-01-01", [("2027-02-01", None)], "2027-02-05", "2027-01-01", 0),
    ],
)
def test_the_statute_example_table(discovery, tolling, today, expected_due, expected_tolled):
    periods = [(D(s), D(e) if e else None) for s, e in tolling]
    deadline = compute_deadline(discovery_date=D(discovery), tolling=periods, today=D(today), days=365)
    assert deadline.due_date == D(expected_due)
    assert deadline.tolled_days == expected_tolled


def test_the_period_comes_from_settings(settings):
    settings.DEADLINE_DAYS = 180
    assert compute_deadline(discovery_date=D("2026-01-01"), today=D("2026-01-01")).due_date == D("2026-06-30")


@pytest.mark.parametrize(
    ("days_left", "state"),
    [(365, ON_TRACK), (31, ON_TRACK), (30, DUE_SOON), (1, DUE_SOON), (0, DUE_SOON), (-1, OVERDUE), (-40, OVERDUE)],
)
def test_states_at_the_boundaries(days_left, state):
    discovery = D("2026-01-01")
    today = discovery + timedelta(days=365 - days_left)
    deadline = compute_deadline(discovery_date=discovery, today=today, days=365, soon=30)
    assert deadline.days_left == days_left
    assert deadline.state == state
    assert not deadline.is_tolled_now


def test_due_soon_days_come_from_settings(settings):
    settings.DEADLINE_DUE_SOON_DAYS = 60
    deadline = compute_deadline(discovery_date=D("2026-01-01"), today=D("2026-11-02"), days=365)
    assert (deadline.days_left, deadline.state) == (60, DUE_SOON)


def test_state_labels_are_translated():
    from django.utils import translation

    deadline = compute_deadline(discovery_date=D("2026-01-01"), today=D("2027-02-01"), days=365)
    assert deadline.state_label == "Overdue"
    with translation.override("es"):
        assert isinstance(deadline.state_label, str) and deadline.state_label


def test_tolled_is_a_flag_beside_the_state():
    deadline = compute_deadline(
        discovery_date=D("2026-01-01"), tolling=[(D("2026-12-01"), None)], today=D("2026-12-20"), days=365
    )
    assert deadline.is_tolled_now and deadline.is_provisional
    assert deadline.state == ON_TRACK or deadline.state == DUE_SOON
    ended = compute_deadline(
        discovery_date=D("2026-01-01"), tolling=[(D("2026-12-01"), D("2026-12-10"))], today=D("2026-12-20"), days=365
    )
    assert not ended.is_tolled_now and not ended.is_provisional


BASE = date(2024, 1, 1)
dates = st.integers(min_value=0, max_value=2000).map(lambda n: BASE + timedelta(days=n))
periods = st.lists(
    st.tuples(dates, st.integers(min_value=0, max_value=300), st.booleans()).map(
        lambda t: (t[0], None if t[2] else t[0] + timedelta(days=t[1]))
    ),
    max_size=6,
)


def _brute_force_due(discovery, days, tolling, today):
    """The least date D with D == discovery + days + (tolled days in [discovery, D]), day by day."""
    tolled = set()
    for start, end in tolling:
        end = today if end is None else end
        day = start
        while day <= end:
            if day >= discovery:
                tolled.add(day)
            day += timedelta(days=1)
    candidate = discovery + timedelta(days=days)
    while True:
        count = sum(1 for d in tolled if d <= candidate)
        if candidate == discovery + timedelta(days=days + count):
            return candidate, count
        candidate += timedelta(days=1)


@hsettings(max_examples=200, deadline=None)
@given(discovery=dates, days=st.integers(min_value=1, max_value=400), tolling=periods, today=dates)
def test_due_date_matches_day_by_day_counting(discovery, days, tolling, today):
    deadline = compute_deadline(discovery_date=discovery, days=days, tolling=tolling, today=today)
    assert (deadline.due_date, deadline.tolled_days) == _brute_force_due(discovery, days, tolling, today)


@hsettings(max_examples=300, deadline=None)
@given(discovery=dates, days=st.integers(min_value=1, max_value=800), tolling=periods, today=dates)
def test_overlapping_periods_count_once(discovery, days, tolling, today):
    once = compute_deadline(discovery_date=discovery, days=days, tolling=tolling, today=today)
    # The same periods twice, plus a copy of each closed one's first half: no new tolled day.
    halves = [(s, s + (e - s) / 2) for s, e in tolling if e is not None]
    again = compute_deadline(discovery_date=discovery, days=days, tolling=tolling + tolling + halves, today=today)
    assert (again.due_date, again.tolled_days) == (once.due_date, once.tolled_days)


@hsettings(max_examples=300, deadline=None)
@given(discovery=dates, days=st.integers(min_value=1, max_value=800), tolling=periods, today=dates)
def test_due_date_is_never_earlier_than_without_tolling(discovery, days, tolling, today):
    deadline = compute_deadline(discovery_date=discovery, days=days, tolling=tolling, today=today)
    assert deadline.due_date >= discovery + timedelta(days=days)
    assert deadline.due_date == discovery + timedelta(days=days + deadline.tolled_days)


@hsettings(max_examples=300, deadline=None)
@given(
    discovery=dates,
    days=st.integers(min_value=1, max_value=800),
    tolling=periods,
    extra=periods.filter(bool),
    today=dates,
)
def test_adding_a_tolling_period_never_moves_the_due_date_earlier(discovery, days, tolling, extra, today):
    before = compute_deadline(discovery_date=discovery, days=days, tolling=tolling, today=today)
    after = compute_deadline(discovery_date=discovery, days=days, tolling=tolling + extra, today=today)
    assert after.due_date >= before.due_date
    assert after.tolled_days >= before.tolled_days


@hsettings(max_examples=300, deadline=None)
@given(
    discovery=dates,
    days=st.integers(min_value=1, max_value=800),
    tolling=periods,
    back=st.integers(min_value=1, max_value=500),
    length=st.integers(min_value=0, max_value=400),
    today=dates,
)
def test_a_period_entirely_before_discovery_changes_nothing(discovery, days, tolling, back, length, today):
    end = discovery - timedelta(days=back)
    early = (end - timedelta(days=length), end)
    before = compute_deadline(discovery_date=discovery, days=days, tolling=tolling, today=today)
    after = compute_deadline(discovery_date=discovery, days=days, tolling=[*tolling, early], today=today)
    assert after == before


# --- Investigations ------------------------------------------------------------------------------------


@pytest.fixture
def accepted(request, complaint, supervisor):
    triage.triage_claim(complaint=complaint, actor=supervisor)
    triage.triage_accept(complaint=complaint, actor=supervisor)
    request.getfixturevalue("assigned_investigator")  # assigned once the case is accepted
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def investigation(accepted, assigned_investigator):
    return accepted.investigation


def _set_discovery(investigation, discovery):
    Investigation.objects.filter(pk=investigation.pk).update(discovery_date=discovery)
    investigation.refresh_from_db()


def test_deadline_for_an_investigation_uses_its_tolling_periods(investigation):
    _set_discovery(investigation, D("2026-01-01"))
    TollingPeriod.objects.create(
        investigation=investigation, reason=R.WRITTEN_WAIVER, start=D("2026-02-01"), end=D("2026-02-10")
    )
    deadline = deadline_for(investigation, today=D("2026-03-01"))
    assert deadline.due_date == D("2027-01-11")
    assert deadline.tolled_days == 10


def test_selector_query_count_does_not_grow_with_investigations(db, django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            investigation = Investigation.objects.create(complaint=ComplaintFactory(), discovery_date=D("2026-01-01"))
            TollingPeriod.objects.create(
                investigation=investigation, reason=R.CIVIL_LITIGATION, start=D("2026-02-01"), end=D("2026-02-03")
            )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            rows = investigations_with_deadlines(Investigation.objects.all(), today=D("2026-06-01"))
            assert all(row.deadline.tolled_days == 3 for row in rows)
            assert all(row.complaint.tracking_number for row in rows)
        return len(ctx.captured_queries)

    make(2)
    few = count()
    make(10)
    assert count() == few
    with django_assert_max_num_queries(2):
        investigations_with_deadlines(today=D("2026-06-01"))


# --- Services ---------------------------------------------------------------------------------------------


def test_assigned_investigator_adds_a_tolling_period_and_the_due_date_moves(investigation, assigned_investigator):
    today = timezone.localdate()
    before = deadline_for(investigation)
    period = tolling_add(
        investigation=investigation,
        actor=assigned_investigator,
        reason=R.CRIMINAL_PROCEEDING,
        start=max(investigation.discovery_date, today - timedelta(days=9)),
        end=today,
        note="Rosa Delgado's criminal case, docket 26-CR-1",
    )
    after = deadline_for(investigation)
    assert after.due_date > before.due_date
    assert period.created_by == assigned_investigator
    event = AuditEvent.objects.filter(action="tolling.added").latest("occurred_at")
    assert event.actor == assigned_investigator
    assert event.data["due_date_after"] == after.due_date.isoformat()
    assert "Rosa" not in str(event.data) and "Delgado" not in event.target_label


def test_someone_who_cannot_work_the_case_cannot_add_tolling(investigation, other_investigator, board_member):
    for user in (other_investigator, board_member):
        with pytest.raises(PermissionDenied):
            tolling_add(investigation=investigation, actor=user, reason=R.WRITTEN_WAIVER, start=timezone.localdate())
    assert not TollingPeriod.objects.exists()


@pytest.mark.parametrize(
    ("start_offset", "end_offset", "field"),
    [(1, None, "start"), (0, -1, "end")],
)
def test_tolling_dates_are_checked(investigation, supervisor, start_offset, end_offset, field):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        tolling_add(
            investigation=investigation,
            actor=supervisor,
            reason=R.WRITTEN_WAIVER,
            start=today + timedelta(days=start_offset),
            end=None if end_offset is None else today + timedelta(days=end_offset),
        )
    assert field in error.value.message_dict
    assert not TollingPeriod.objects.exists()


def test_an_unknown_reason_is_refused(investigation, supervisor):
    with pytest.raises(ValidationError):
        tolling_add(investigation=investigation, actor=supervisor, reason="vacation", start=timezone.localdate())


def test_ending_an_open_period(investigation, assigned_investigator):
    today = timezone.localdate()
    start = max(investigation.discovery_date, today - timedelta(days=5))
    period = tolling_add(investigation=investigation, actor=assigned_investigator, reason=R.WRITTEN_WAIVER, start=start)
    assert deadline_for(investigation).is_tolled_now
    tolling_end(period=period, actor=assigned_investigator, end=today)
    period.refresh_from_db()
    assert period.end == today
    assert AuditEvent.objects.filter(action="tolling.ended", actor=assigned_investigator).exists()
    with pytest.raises(ValidationError):
        tolling_end(period=period, actor=assigned_investigator, end=today)


def test_ending_needs_an_end_on_or_after_the_start_and_not_in_the_future(investigation, assigned_investigator):
    today = timezone.localdate()
    period = tolling_add(investigation=investigation, actor=assigned_investigator, reason=R.WRITTEN_WAIVER, start=today)
    for end in (today - timedelta(days=1), today + timedelta(days=1)):
        with pytest.raises(ValidationError):
            tolling_end(period=period, actor=assigned_investigator, end=end)


def test_other_investigator_cannot_end_tolling(investigation, assigned_investigator, other_investigator):
    period = tolling_add(
        investigation=investigation, actor=assigned_investigator, reason=R.WRITTEN_WAIVER, start=timezone.localdate()
    )
    with pytest.raises(PermissionDenied):
        tolling_end(period=period, actor=other_investigator, end=timezone.localdate())


def test_the_clock_of_a_closed_case_cannot_change(investigation, supervisor):
    Complaint.objects.filter(pk=investigation.complaint_id).update(status=S.CLOSED)
    investigation.complaint.refresh_from_db()
    with pytest.raises(ValidationError):
        tolling_add(investigation=investigation, actor=supervisor, reason=R.WRITTEN_WAIVER, start=timezone.localdate())


def test_supervisor_changes_the_discovery_date(investigation, supervisor):
    new = investigation.discovery_date - timedelta(days=30)
    investigation_discovery_date_set(investigation=investigation, actor=supervisor, discovery_date=new)
    investigation.refresh_from_db()
    assert investigation.discovery_date == new
    event = AuditEvent.objects.get(action="investigation.updated")
    assert event.data == {
        "field": "discovery_date",
        "from": (new + timedelta(days=30)).isoformat(),
        "to": new.isoformat(),
    }


def test_investigator_cannot_change_the_discovery_date(investigation, assigned_investigator):
    with pytest.raises(PermissionDenied):
        investigation_discovery_date_set(
            investigation=investigation, actor=assigned_investigator, discovery_date=D("2026-01-01")
        )


def test_discovery_date_cannot_be_in_the_future(investigation, supervisor):
    with pytest.raises(ValidationError):
        investigation_discovery_date_set(
            investigation=investigation, actor=supervisor, discovery_date=timezone.localdate() + timedelta(days=1)
        )


# --- Pages --------------------------------------------------------------------------------------------------


def _url(name, complaint, *args):
    return reverse(f"cases:{name}", args=[complaint.tracking_number, *args])


def test_assigned_investigator_sees_the_clock_and_the_tolling_form(client, investigation, assigned_investigator):
    TollingPeriod.objects.create(
        investigation=investigation, reason=R.CIVIL_LITIGATION, start=investigation.discovery_date, end=None
    )
    client.force_login(assigned_investigator)
    response = client.get(_url("deadline", investigation.complaint))
    assert response.status_code == 200
    page = response.content.decode()
    deadline = deadline_for(investigation)
    assert deadline.due_date.isoformat() in page
    assert investigation.discovery_date.isoformat() in page
    assert "Civil litigation" in page and "Still open" in page
    assert "Add tolling period" in page and "End tolling" in page
    assert "Change discovery date" not in page
    assert '<th scope="col">' in page and "<caption" in page


def test_supervisor_also_gets_the_discovery_date_form(client, investigation, supervisor):
    client.force_login(supervisor)
    page = client.get(_url("deadline", investigation.complaint)).content.decode()
    assert "Change discovery date" in page


def test_unassigned_investigator_gets_404_on_the_deadline_page(client, investigation, other_investigator):
    client.force_login(other_investigator)
    for name in ("deadline", "deadline_tolling_add", "deadline_discovery"):
        assert client.get(_url(name, investigation.complaint)).status_code == 404
        assert client.post(_url(name, investigation.complaint)).status_code == 404


def test_adding_tolling_through_the_page_moves_the_due_date(client, investigation, assigned_investigator):
    client.force_login(assigned_investigator)
    before = deadline_for(investigation).due_date
    today = timezone.localdate()
    start = max(investigation.discovery_date, today - timedelta(days=4))
    response = client.post(
        _url("deadline_tolling_add", investigation.complaint),
        {"reason": R.OFFICER_UNAVAILABLE, "start": start.isoformat(), "end": today.isoformat(), "note": ""},
    )
    assert response.status_code == 302
    after = deadline_for(investigation).due_date
    assert after == before + timedelta(days=(today - start).days + 1)
    page = client.get(response["Location"]).content.decode()
    assert after.isoformat() in page


def test_a_future_start_is_shown_as_an_error_on_the_field(client, investigation, assigned_investigator):
    client.force_login(assigned_investigator)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        _url("deadline_tolling_add", investigation.complaint), {"reason": R.WRITTEN_WAIVER, "start": tomorrow}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The start cannot be in the future." in page
    assert 'id="id_start_error"' in page
    assert not TollingPeriod.objects.exists()


def test_ending_tolling_through_the_page(client, investigation, assigned_investigator):
    today = timezone.localdate()
    period = TollingPeriod.objects.create(investigation=investigation, reason=R.WRITTEN_WAIVER, start=today)
    client.force_login(assigned_investigator)
    response = client.post(
        _url("deadline_tolling_end", investigation.complaint, period.pk), {f"end-{period.pk}-end": today.isoformat()}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.end == today


def test_investigator_cannot_post_a_new_discovery_date(client, investigation, assigned_investigator):
    client.force_login(assigned_investigator)
    response = client.post(_url("deadline_discovery", investigation.complaint), {"discovery_date": "2026-01-01"})
    assert response.status_code == 403


def test_supervisor_changes_the_discovery_date_through_the_page(client, investigation, supervisor):
    client.force_login(supervisor)
    new = investigation.discovery_date - timedelta(days=10)
    response = client.post(_url("deadline_discovery", investigation.complaint), {"discovery_date": new.isoformat()})
    assert response.status_code == 302
    investigation.refresh_from_db()
    assert investigation.discovery_date == new


def test_a_case_not_yet_accepted_explains_the_clock(client, complaint, supervisor):
    client.force_login(supervisor)
    response = client.get(_url("deadline", complaint))
    assert response.status_code == 200
    assert "starts when the complaint is accepted" in response.content.decode()


# --- Reminders ----------------------------------------------------------------------------------------------

DISCOVERY = D("2026-03-14")
DUE = D("2027-03-14")


@pytest.fixture
def reminder_case(investigation, supervisor, other_investigator):
    _set_discovery(investigation, DISCOVERY)
    return investigation


def _run(day: date) -> reminders.ReminderRun:
    return reminders.deadline_reminders_send(today=day)


def _sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_the_90_day_reminder_goes_to_assigned_investigators_and_supervisors(reminder_case):
    run = _run(DUE - timedelta(days=90))
    assert run.emails == 2
    assert _sent_to() == ["alice_investigator@oversight.example", "sofia_supervisor@oversight.example"]
    assert DeadlineReminder.objects.filter(investigation=reminder_case, kind="90", due_date=DUE).exists()
    message = mail.outbox[0]
    assert reminder_case.complaint.tracking_number in message.subject
    assert "90 days" in message.subject
    assert "March 14, 2027" in message.body
    # No complainant data.
    for secret in ("Rosa", "Delgado", "laundromat"):
        assert secret not in message.subject and secret not in message.body
    assert AuditEvent.objects.filter(action="deadline.reminded").count() == 1


def test_running_the_job_twice_sends_nothing_new(reminder_case):
    _run(DUE - timedelta(days=90))
    second = _run(DUE - timedelta(days=90))
    assert second.emails == 0 and second.reminders == 0
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="deadline.reminded").count() == 1


def test_each_threshold_once_then_overdue(reminder_case):
    for offset in [120, 90, 89, 60, 30, 29, 7, 3, 0, -1, -2, -30]:
        _run(DUE - timedelta(days=offset))
    kinds = sorted(DeadlineReminder.objects.filter(investigation=reminder_case).values_list("kind", flat=True))
    assert kinds == ["30", "7", "90", "overdue"]
    assert len(mail.outbox) == 4 * 2
    assert sum("past its deadline" in m.subject for m in mail.outbox) == 2


def test_unassigned_and_former_investigators_get_nothing(reminder_case, other_investigator, supervisor):
    former = UserFactory(username="fred_former", roles=[Role.INVESTIGATOR])
    InvestigatorAssignment.objects.create(
        investigation=reminder_case, investigator=former, assigned_by=supervisor, ended_at=timezone.now()
    )
    UserFactory(username="ines_inactive_supervisor", roles=[Role.SUPERVISOR], is_active=False)
    _run(DUE - timedelta(days=30))
    recipients = _sent_to()
    assert other_investigator.email not in recipients
    assert former.email not in recipients
    assert "ines_inactive_supervisor@oversight.example" not in recipients
    assert recipients == ["alice_investigator@oversight.example", "sofia_supervisor@oversight.example"]


def test_a_late_run_sends_only_the_most_urgent_reminder(reminder_case):
    run = _run(DUE - timedelta(days=20))
    assert run.reminders == 1
    assert len(mail.outbox) == 2  # one email each, not three
    assert all("20 days" in m.subject for m in mail.outbox)
    marked = set(
        DeadlineReminder.objects.filter(investigation=reminder_case, due_date=DUE).values_list("kind", flat=True)
    )
    assert marked == {"90", "30"}
    # The 90-day one is not sent later either.
    _run(DUE - timedelta(days=19))
    assert len(mail.outbox) == 2


def test_a_run_after_the_due_date_sends_one_overdue_email(reminder_case):
    _run(DUE + timedelta(days=5))
    assert len(mail.outbox) == 2
    assert all("past its deadline" in m.subject for m in mail.outbox)
    assert "5 days overdue" in mail.outbox[0].body


def test_a_moved_due_date_arms_the_reminders_again(reminder_case):
    today = DUE - timedelta(days=7)
    _run(today)
    assert len(mail.outbox) == 2
    # Tolling recorded afterwards: ten days in the past, the due date moves ten days later.
    TollingPeriod.objects.create(
        investigation=reminder_case,
        reason=R.WRITTEN_WAIVER,
        start=today - timedelta(days=20),
        end=today - timedelta(days=11),
    )
    run = _run(today)
    new_due = DUE + timedelta(days=10)
    assert run.reminders == 1
    assert DeadlineReminder.objects.filter(investigation=reminder_case, due_date=new_due, kind="30").exists()
    assert len(mail.outbox) == 4
    assert "17 days" in mail.outbox[-1].subject
    _run(new_due - timedelta(days=7))
    assert len(mail.outbox) == 6


def test_no_reminders_while_an_open_tolling_period_pushes_the_date(reminder_case):
    TollingPeriod.objects.create(investigation=reminder_case, reason=R.CRIMINAL_PROCEEDING, start=DISCOVERY)
    assert _run(DUE + timedelta(days=30)).emails == 0
    assert mail.outbox == []


@pytest.mark.parametrize("status", [S.CLOSED, S.DECIDED, S.REFERRED, S.MEDIATED, S.ADMINISTRATIVELY_CLOSED])
def test_closed_cases_get_no_reminders(reminder_case, status):
    Complaint.objects.filter(pk=reminder_case.complaint_id).update(status=status)
    assert _run(DUE + timedelta(days=3)).emails == 0
    assert mail.outbox == []
    assert not DeadlineReminder.objects.exists()


@pytest.mark.parametrize("status", [S.FINDINGS_PROPOSED, S.BOARD_REVIEW, S.IN_MEDIATION])
def test_cases_still_open_get_reminders(reminder_case, status):
    Complaint.objects.filter(pk=reminder_case.complaint_id).update(status=status)
    assert _run(DUE - timedelta(days=7)).emails == 2


def test_a_failed_email_is_retried_without_repeating_the_others(reminder_case, monkeypatch):
    from oversight import notifications

    real_send = notifications.send_mail

    def flaky(subject, body, sender, to, **kwargs):
        if to == ["alice_investigator@oversight.example"]:
            raise OSError("mail server down")
        return real_send(subject, body, sender, to, **kwargs)

    monkeypatch.setattr(notifications, "send_mail", flaky)
    run = _run(DUE - timedelta(days=7))
    assert (run.emails, run.failures) == (1, 1)
    with pytest.raises(OSError):
        run.raise_for_failures()
    monkeypatch.setattr(notifications, "send_mail", real_send)
    retry = _run(DUE - timedelta(days=7))
    assert (retry.emails, retry.failures) == (1, 0)
    assert _sent_to() == ["alice_investigator@oversight.example", "sofia_supervisor@oversight.example"]


def test_reminders_are_recorded_with_notify_once_keys(reminder_case, supervisor):
    _run(DUE - timedelta(days=7))
    keys = set(SentNotification.objects.values_list("key", flat=True))
    assert f"deadline:{reminder_case.pk}:7:{DUE.isoformat()}:{supervisor.pk}" in keys


def test_the_management_command_takes_a_date(reminder_case):
    from io import StringIO

    out = StringIO()
    call_command("send_deadline_reminders", "--today", (DUE - timedelta(days=30)).isoformat(), stdout=out)
    assert "2 email(s) sent" in out.getvalue()
    assert len(mail.outbox) == 2


def test_the_task_runs_the_job_and_is_scheduled_daily(reminder_case, settings):
    assert send_deadline_reminders((DUE - timedelta(days=90)).isoformat()) == 2
    schedule = [
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"].endswith(".send_deadline_reminders")
    ]
    assert schedule and schedule[0]["task"] == "investigations.tasks.send_deadline_reminders"
    assert schedule[0]["schedule"] == 86400.0
