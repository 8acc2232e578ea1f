"""The services' own rules: who may, what a rule's parameters must be, the starting rules."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import AllegationCategory
from investigations.early_intervention import rules
from investigations.early_intervention.defaults import seed_default_rules
from investigations.early_intervention.evaluation import evaluate
from investigations.early_intervention.models import Flag, Threshold, ThresholdVersion
from investigations.early_intervention.services import (
    FlagRefused,
    evaluation_run,
    flag_close,
    flag_note_add,
    threshold_create,
    threshold_update,
)
from oversight.models import AuditEvent
from tests.factories import OfficerFactory

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(make_rule, name_in, officer):
    make_rule("complaints", "Three in a year", count=3, window_months=12)
    for days in (1, 2, 3):
        name_in(officer, AS_OF - timedelta(days=days))
    evaluate(trigger="command", as_of=AS_OF)
    return Flag.objects.get()


def test_the_starting_rules_are_the_offices_four(db):
    assert seed_default_rules(Threshold, ThresholdVersion, AllegationCategory) == 4
    described = {t.name: rules.describe_version(t.current_version, t.kind) for t in Threshold.objects.all()}
    assert described == {
        "Three complaints in a year": "3 or more complaints in 12 months",
        "Two force allegations in six months": "2 or more allegations of Force in 6 months",
        "Sustained bias allegation": "Any allegation of Bias-based policing with the finding “Sustained”, at any time",
        "Complaints at the top of the peer group": (
            "Complaints in 24 months at or above percentile 95 of the officer's peers (same agency, unit and "
            "rank; groups of 5 officers or more; minimum 1)"
        ),
    }
    assert seed_default_rules(Threshold, ThresholdVersion, AllegationCategory) == 0


@pytest.mark.parametrize(
    ("kind", "values", "errors"),
    [
        ("complaints", {"count": 3}, {"window_months": ["This rule needs a value here."]}),
        ("complaints", {"count": 0, "window_months": 12}, {"count": ["Enter a whole number from 1 to 1000."]}),
        (
            "allegations",
            {"count": 2, "window_months": 6, "category": 999999},
            {"category": ["Choose a category from the list."]},
        ),
        (
            "finding",
            {"count": 1, "category": None, "disposition": "sustained"},
            {"category": ["This rule needs a value here."]},
        ),
        (
            "finding",
            {"count": 1, "disposition": "guilty", "category": None},
            {"category": ["This rule needs a value here."], "disposition": ["Choose a finding from the list."]},
        ),
        (
            "peer_percentile",
            {"count": 1, "window_months": 24, "percentile": "100", "minimum_peers": 5},
            {"percentile": ["Enter a percentile from 50 to 99.99, such as 95."]},
        ),
        (
            "peer_percentile",
            {"count": 1, "window_months": 24, "percentile": "95.125", "minimum_peers": 5},
            {"percentile": ["Use at most two decimal places."]},
        ),
        (
            "peer_percentile",
            {"count": 1, "window_months": 24, "percentile": "95", "minimum_peers": 1},
            {"minimum_peers": ["Enter a number of officers from 2 to 100000."]},
        ),
        ("unknown", {}, {"kind": ["Choose a kind of rule."]}),
    ],
)
def test_parameters_are_checked_for_the_kind_of_rule(kind, values, errors):
    with pytest.raises(ValidationError) as caught:
        rules.clean_parameters(kind, values)
    assert caught.value.message_dict == errors


def test_parameters_a_kind_does_not_take_are_dropped():
    parameters = rules.clean_parameters("complaints", {"count": "3", "window_months": "12", "percentile": "95"})
    assert parameters == rules.Parameters(count=3, window_months=12)


def test_the_period_counts_calendar_months_back_in_local_time():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local = ZoneInfo("America/New_York")
    assert rules.months_before(datetime(2026, 3, 31, 9, 0, tzinfo=local), 1) == datetime(
        2026, 2, 28, 9, 0, tzinfo=local
    )
    assert rules.months_before(datetime(2026, 6, 30, 12, 0, tzinfo=local), 24) == datetime(
        2024, 6, 30, 12, 0, tzinfo=local
    )
    # Across the change to daylight saving time: the same wall-clock time.
    assert rules.months_before(datetime(2026, 4, 1, 8, 0, tzinfo=local), 1) == datetime(2026, 3, 1, 8, 0, tzinfo=local)


def test_only_a_supervisor_creates_or_changes_a_rule_and_refusals_are_audited(supervisor, other_investigator):
    with pytest.raises(PermissionDenied):
        threshold_create(
            actor=other_investigator, name="Mine", kind="complaints", values={"count": 1, "window_months": 1}
        )
    assert AuditEvent.objects.get(action="early_intervention.rule_created").outcome == "denied"
    rule = threshold_create(actor=supervisor, name="Mine", kind="complaints", values={"count": 1, "window_months": 1})
    with pytest.raises(PermissionDenied):
        threshold_update(
            threshold=rule,
            actor=other_investigator,
            name="Mine",
            values={"count": 9, "window_months": 1},
            is_active=True,
        )
    assert AuditEvent.objects.filter(action="early_intervention.rule_changed", outcome="denied").count() == 1
    assert rule.versions.count() == 1


def test_two_rules_cannot_share_a_name(supervisor):
    threshold_create(actor=supervisor, name="Mine", kind="complaints", values={"count": 1, "window_months": 1})
    with pytest.raises(ValidationError) as caught:
        threshold_create(actor=supervisor, name="mine", kind="complaints", values={"count": 2, "window_months": 1})
    assert caught.value.message_dict == {"name": ["Another rule has this name."]}


def test_a_change_from_an_out_of_date_page_is_refused(supervisor):
    rule = threshold_create(actor=supervisor, name="Mine", kind="complaints", values={"count": 1, "window_months": 1})
    threshold_update(
        threshold=rule,
        actor=supervisor,
        name="Mine",
        values={"count": 2, "window_months": 1},
        is_active=True,
        note="Up.",
        expected_version=1,
    )

    with pytest.raises(ValidationError) as caught:
        threshold_update(
            threshold=rule,
            actor=supervisor,
            name="Mine",
            values={"count": 5, "window_months": 1},
            is_active=True,
            note="Up again.",
            expected_version=1,
        )

    assert "it is now at version 2" in caught.value.messages[0]
    assert list(rule.versions.order_by("number").values_list("count", flat=True)) == [1, 2]


def test_a_version_is_never_shared_by_two_numbers(supervisor):
    rule = threshold_create(actor=supervisor, name="Mine", kind="complaints", values={"count": 1, "window_months": 1})
    with pytest.raises(IntegrityError), transaction.atomic():
        ThresholdVersion.objects.create(threshold=rule, number=1, count=5, window_months=1)


def test_others_cannot_close_a_flag_and_the_attempt_is_audited(flag, other_investigator):
    with pytest.raises(FlagRefused) as refused:
        flag_close(flag=flag, actor=other_investigator, action="no_action", note="No.")
    assert refused.value.code == "forbidden"
    assert AuditEvent.objects.get(action="early_intervention.flag_moved").outcome == "denied"
    with pytest.raises(PermissionDenied):
        flag_note_add(flag=flag, actor=other_investigator, note="No.")
    flag.refresh_from_db()
    assert flag.status == "open"


def test_a_closed_flag_cannot_be_closed_again(flag, supervisor):
    flag_close(flag=flag, actor=supervisor, action="training", note="Training booked.")
    with pytest.raises(FlagRefused) as refused:
        flag_close(flag=flag, actor=supervisor, action="no_action", note="Again.")
    assert refused.value.code == "not_allowed"


def test_only_a_supervisor_asks_for_a_run(other_investigator):
    with pytest.raises(PermissionDenied):
        evaluation_run(trigger="staff", actor=other_investigator)


def test_two_open_flags_for_one_officer_and_rule_are_refused_by_the_database(flag):
    clone = Flag.objects.get(pk=flag.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_the_officer_page_takes_as_many_queries_with_many_flags(client, supervisor, make_rule, name_in, officer):
    from django.db import connection

    make_rule("complaints", "One", count=1, window_months=12)
    name_in(officer, AS_OF - timedelta(days=1))
    evaluate(trigger="command", as_of=AS_OF)
    client.force_login(supervisor)
    url = reverse("staff:search:officer", args=[officer.pk])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = count()
    for n in range(2, 12):
        make_rule("complaints", f"Rule {n}", count=1, window_months=12)
    evaluate(trigger="command", as_of=AS_OF)
    assert Flag.objects.filter(officer=officer).count() == 11
    assert count() == few
    assert few <= 14  # the officer page's own budget (tests/search/test_officer_page.py)


def test_flags_of_other_officers_are_not_shown_on_an_officers_page(client, supervisor, make_rule, name_in, officer):
    make_rule("complaints", "One", count=1, window_months=12)
    other = OfficerFactory(badge_number="777")
    name_in(other, AS_OF - timedelta(days=1))
    evaluate(trigger="command", as_of=AS_OF)
    client.force_login(supervisor)

    text = client.get(reverse("staff:search:officer", args=[officer.pk])).content.decode()

    assert "No early-intervention flag has been raised for this officer." in text
    assert f'href="{reverse("staff:early_intervention:flag", args=[Flag.objects.get().pk])}"' not in text
