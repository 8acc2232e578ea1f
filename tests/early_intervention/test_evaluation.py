"""The evaluation as a whole: idempotent, a closed flag stays closed until new complaints trip the
rule, an open flag is brought up to date, flags keep the rule version that raised them, a constant
number of queries, and the three ways it runs (command, import, task)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investigations.early_intervention.evaluation import evaluate
from investigations.early_intervention.models import EvaluationRun, Flag, FlagCase, FlagEvent
from investigations.early_intervention.services import flag_close, threshold_update
from oversight.models import AuditEvent
from tests.factories import AgencyFactory, OfficerFactory

from .conftest import AS_OF, YEAR_BEFORE

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_in_a_year(make_rule):
    return make_rule("complaints", "Three in a year", count=3, window_months=12)


def _numbers(flag: Flag) -> set[str]:
    return set(flag.cases.values_list("complaint__tracking_number", flat=True))


def test_a_second_run_creates_no_duplicate_flags(three_in_a_year, name_in, officer):
    for days in (1, 2, 3):
        name_in(officer, AS_OF - timedelta(days=days))

    first = evaluate(trigger="command", as_of=AS_OF)
    second = evaluate(trigger="command", as_of=AS_OF)

    assert (first.opened, first.refreshed) == (1, 0)
    assert (second.opened, second.refreshed, second.tripped) == (0, 1, 1)
    assert Flag.objects.count() == 1
    assert FlagCase.objects.count() == 3
    assert list(FlagEvent.objects.values_list("kind", flat=True)) == ["opened"]


def test_an_open_flag_gets_the_complaints_received_since_it_opened(three_in_a_year, name_in, officer):
    for days in (10, 20, 30):
        name_in(officer, AS_OF - timedelta(days=days))
    evaluate(trigger="command", as_of=AS_OF - timedelta(days=5))
    flag = Flag.objects.get()
    later = name_in(officer, AS_OF - timedelta(days=2))

    run = evaluate(trigger="command", as_of=AS_OF)

    flag.refresh_from_db()
    assert run.opened == 0 and Flag.objects.count() == 1
    assert (flag.count, flag.latest_count) == (3, 4)
    assert later.tracking_number in _numbers(flag) and len(_numbers(flag)) == 4
    event = FlagEvent.objects.get(kind="cases_added")
    assert (event.flag, event.data, event.run) == (flag, {"added": 1, "count": 4}, run)


def test_a_closed_flag_stays_closed_until_new_complaints_trip_the_rule_again(
    three_in_a_year, name_in, officer, supervisor
):
    first = [name_in(officer, AS_OF - timedelta(days=100 + n)) for n in range(3)]
    evaluate(trigger="command", as_of=AS_OF)
    closed = flag_close(flag=Flag.objects.get(), actor=supervisor, action="counseling", note="Counseled.")

    # The same complaints, evaluated again: nothing new.
    assert evaluate(trigger="command", as_of=AS_OF).opened == 0
    # Two new complaints: with the three closed ones that would be five, but only new ones count.
    name_in(officer, AS_OF - timedelta(days=5))
    name_in(officer, AS_OF - timedelta(days=4))
    assert evaluate(trigger="command", as_of=AS_OF).opened == 0
    closed.refresh_from_db()
    assert closed.status == "closed" and _numbers(closed) == {c.tracking_number for c in first}

    # A third new complaint: three not behind the closed flag, so a new flag opens.
    third = name_in(officer, AS_OF - timedelta(days=3))
    run = evaluate(trigger="command", as_of=AS_OF)

    assert run.opened == 1
    fresh = Flag.objects.exclude(pk=closed.pk).get()
    assert fresh.status == "open" and fresh.count == 3
    assert third.tracking_number in _numbers(fresh)
    assert not _numbers(fresh) & _numbers(closed)
    closed.refresh_from_db()
    assert closed.status == "closed" and closed.action == "counseling"


def test_closing_covers_the_complaints_added_while_the_flag_was_open(three_in_a_year, name_in, officer, supervisor):
    for days in (10, 20, 30):
        name_in(officer, AS_OF - timedelta(days=days))
    evaluate(trigger="command", as_of=AS_OF - timedelta(days=5))
    name_in(officer, AS_OF - timedelta(days=2))
    evaluate(trigger="command", as_of=AS_OF)
    flag_close(flag=Flag.objects.get(), actor=supervisor, action="monitoring", note="Watched.")
    name_in(officer, AS_OF - timedelta(days=1))
    name_in(officer, AS_OF - timedelta(hours=1))

    # Two complaints since the closing (the four behind it do not count again): no new flag.
    assert evaluate(trigger="command", as_of=AS_OF).opened == 0


def test_flags_keep_the_version_that_raised_them(three_in_a_year, name_in, officer, supervisor):
    for days in (1, 2, 3):
        name_in(officer, AS_OF - timedelta(days=days))
    evaluate(trigger="command", as_of=AS_OF)
    old = Flag.objects.get()
    flag_close(flag=old, actor=supervisor, action="no_action", note="Reviewed.")

    threshold, changed = threshold_update(
        threshold=three_in_a_year,
        actor=supervisor,
        name="Three in a year",
        values={"count": 2, "window_months": 12},
        is_active=True,
        note="Lowered after the annual review.",
    )

    assert changed
    versions = list(threshold.versions.order_by("number").values_list("number", "count"))
    assert versions == [(1, 3), (2, 2)]
    for days in (4, 5):
        name_in(officer, AS_OF - timedelta(hours=days))
    evaluate(trigger="command", as_of=AS_OF)
    old.refresh_from_db()
    new = Flag.objects.exclude(pk=old.pk).get()
    assert (old.version.number, old.version.count) == (1, 3)
    assert (new.version.number, new.version.count, new.count) == (2, 2, 2)


def test_a_rule_no_longer_in_force_leaves_its_open_flags_alone(three_in_a_year, name_in, officer, supervisor):
    for days in (1, 2, 3):
        name_in(officer, AS_OF - timedelta(days=days))
    evaluate(trigger="command", as_of=AS_OF)
    threshold_update(
        threshold=three_in_a_year,
        actor=supervisor,
        name="Three in a year",
        values={"count": 3, "window_months": 12},
        is_active=False,
    )
    name_in(officer, AS_OF - timedelta(hours=1))

    run = evaluate(trigger="command", as_of=AS_OF)

    assert (run.rules, run.opened, run.refreshed) == (0, 0, 0)
    flag = Flag.objects.get()
    assert flag.status == "open" and flag.latest_count == 3


def test_an_evaluation_is_one_audit_event_with_its_counts(three_in_a_year, name_in, officer):
    for days in (1, 2, 3):
        name_in(officer, AS_OF - timedelta(days=days))

    run = evaluate(trigger="command", as_of=AS_OF)

    event = AuditEvent.objects.get(action="early_intervention.evaluated")
    assert event.target_id == str(run.pk)
    assert event.data["opened"] == 1 and event.data["tripped"] == 1 and event.data["trigger"] == "command"
    assert run.counts[str(three_in_a_year.pk)]["opened"] == 1


# --- Queries ------------------------------------------------------------------------------------------


def _officers_with_history(count: int, name_in, agency, start: int) -> None:
    for n in range(count):
        officer = OfficerFactory(agency=agency, unit="Patrol", rank="Police Officer", badge_number=str(start + n))
        for days in (1, 2, 3):
            name_in(officer, AS_OF - timedelta(days=days), categories=("force-physical",))
        name_in(officer, AS_OF - timedelta(days=40), categories=("bias-profiling",), finals=("sustained",))


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        evaluate(trigger="command", as_of=AS_OF, **kwargs)
    return len(captured.captured_queries)


def _forget_flags() -> None:
    FlagEvent.objects.all().delete()
    Flag.objects.all().delete()
    EvaluationRun.objects.all().delete()


def test_an_evaluation_takes_as_many_queries_for_50_officers_as_for_5(make_rule, name_in):
    make_rule("complaints", "Three in a year", count=3, window_months=12)
    make_rule("allegations", "Two force", count=2, window_months=6, category="force")
    make_rule("finding", "Sustained bias", count=1, category="bias", disposition="sustained")
    make_rule("peer_percentile", "Peers", count=1, window_months=24, percentile=95, minimum_peers=5)
    agency = AgencyFactory()
    _officers_with_history(5, name_in, agency, 1000)
    opening_5, refreshing_5 = _queries(), _queries()
    assert Flag.objects.count() == 5 * 4

    _forget_flags()
    _officers_with_history(45, name_in, agency, 2000)
    opening_50, refreshing_50 = _queries(), _queries()
    assert Flag.objects.count() == 50 * 4

    assert opening_50 == opening_5
    assert refreshing_50 == refreshing_5


# --- How it runs ------------------------------------------------------------------------------------------


def test_the_command_evaluates_and_says_what_it_found(three_in_a_year, name_in, officer):
    for days in (1, 2, 3):
        name_in(officer, AS_OF - timedelta(days=days))
    out = io.StringIO()

    call_command("evaluate_early_intervention", "--as-of", "2026-06-30", stdout=out)

    assert "1 officer(s) over a threshold, 1 flag(s) opened" in out.getvalue()
    assert EvaluationRun.objects.get().trigger == "command"


def test_the_end_of_an_import_runs_the_evaluation(three_in_a_year, name_in, officer):
    from investigations.early_intervention import receivers
    from investigations.importing.signals import import_finished

    connected = [entry[0][0] for entry in import_finished.receivers]
    assert "early-intervention-import-finished" in connected
    for days in (1, 2, 3):
        name_in(officer, timezone_now() - timedelta(days=days))

    # The receiver the import's signal calls (the other receivers, such as the search index's, are
    # tested with the import).
    assert receivers.import_finished(sender=None, complaint_ids=[]) is None  # an import that wrote no case
    assert not EvaluationRun.objects.exists()

    line = receivers.import_finished(sender=None, complaint_ids=[officer.pk])

    assert "Early intervention: 1 officer(s) over a threshold, 1 flag(s) opened" in line
    assert EvaluationRun.objects.get().trigger == "import"
    assert Flag.objects.filter(officer=officer).count() == 1


def test_the_nightly_task_is_scheduled_and_evaluates(three_in_a_year, name_in, officer, settings):
    from investigations.early_intervention.tasks import evaluate_early_intervention

    schedule = settings.CELERY_BEAT_SCHEDULE["evaluate-early-intervention"]
    assert schedule["task"] == "investigations.early_intervention.tasks.evaluate_early_intervention"
    for days in (1, 2, 3):
        name_in(officer, timezone_now() - timedelta(days=days))

    # The eager result's value, read without ``get()``: Celery refuses ``get()`` whenever it believes
    # a task is running, which a task left on its stack by an earlier test in the worker can make it.
    result = evaluate_early_intervention.apply()
    assert result.successful() and result.result == 1
    assert EvaluationRun.objects.get().trigger == "schedule"


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def test_the_window_of_a_flag_is_recorded(three_in_a_year, name_in, officer):
    for days in (1, 2, 3):
        name_in(officer, AS_OF - timedelta(days=days))
    evaluate(trigger="command", as_of=AS_OF)
    flag = Flag.objects.get()
    assert (flag.window_start, flag.window_end) == (YEAR_BEFORE, AS_OF)
