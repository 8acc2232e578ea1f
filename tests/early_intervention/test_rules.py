"""Each kind of rule on crafted histories, at its boundaries: what trips it and what does not."""

from datetime import timedelta

import pytest

from investigations.early_intervention.evaluation import evaluate
from investigations.early_intervention.models import Flag, FlagCase
from tests.factories import OfficerFactory

from .conftest import AS_OF, MINUTE, SIX_MONTHS_BEFORE, YEAR_BEFORE

pytestmark = pytest.mark.django_db


def _flagged() -> set[tuple[str, str]]:
    return set(Flag.objects.values_list("officer__badge_number", "threshold__name"))


def _cases(badge: str) -> set[str]:
    return set(
        FlagCase.objects.filter(flag__officer__badge_number=badge).values_list("complaint__tracking_number", flat=True)
    )


@pytest.fixture
def three_in_a_year(make_rule):
    return make_rule("complaints", "Three in a year", count=3, window_months=12)


# --- Complaints in a period -------------------------------------------------------------------------


def test_exactly_three_complaints_in_twelve_months_trips_the_rule(three_in_a_year, name_in, officer):
    made = [
        name_in(officer, AS_OF - timedelta(days=1)),
        name_in(officer, AS_OF - timedelta(days=200)),
        name_in(officer, YEAR_BEFORE),  # the first moment of the period
    ]

    evaluate(trigger="command", as_of=AS_OF)

    flag = Flag.objects.get()
    assert (flag.officer, flag.threshold, flag.status) == (officer, three_in_a_year, "open")
    assert (flag.count, flag.latest_count) == (3, 3)
    assert _cases("4471") == {c.tracking_number for c in made}
    assert flag.window_start == YEAR_BEFORE and flag.window_end == AS_OF


def test_two_complaints_in_twelve_months_do_not(three_in_a_year, name_in, officer):
    name_in(officer, AS_OF - timedelta(days=1))
    name_in(officer, AS_OF - timedelta(days=200))

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_the_third_complaint_a_minute_before_the_period_does_not_count(three_in_a_year, name_in, officer):
    name_in(officer, AS_OF - timedelta(days=1))
    name_in(officer, AS_OF - timedelta(days=200))
    name_in(officer, YEAR_BEFORE - MINUTE)

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_a_complaint_received_after_the_evaluation_moment_does_not_count(three_in_a_year, name_in, officer):
    name_in(officer, AS_OF - timedelta(days=1))
    name_in(officer, AS_OF - timedelta(days=2))
    name_in(officer, AS_OF + MINUTE)

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_one_complaint_naming_the_officer_twice_counts_once(three_in_a_year, name_in, officer):
    from tests.factories import SubjectOfficerFactory

    twice = name_in(officer, AS_OF - timedelta(days=3))
    SubjectOfficerFactory(complaint=twice, officer=officer)
    name_in(officer, AS_OF - timedelta(days=4))

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_a_duplicate_complaint_does_not_count_but_its_original_does(three_in_a_year, name_in, officer):
    original = name_in(officer, AS_OF - timedelta(days=10))
    name_in(officer, AS_OF - timedelta(days=11))
    name_in(officer, AS_OF - timedelta(days=9), duplicate_of=original, closure_reason="duplicate")

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_each_officer_is_counted_on_their_own(three_in_a_year, name_in):
    busy, quiet = OfficerFactory(badge_number="100"), OfficerFactory(badge_number="200")
    for days in (1, 2, 3):
        name_in(busy, AS_OF - timedelta(days=days))
    name_in(quiet, AS_OF - timedelta(days=1))

    evaluate(trigger="command", as_of=AS_OF)

    assert _flagged() == {("100", "Three in a year")}


def test_a_separated_officer_is_not_evaluated(three_in_a_year, name_in):
    gone = OfficerFactory(badge_number="300", status="separated")
    for days in (1, 2, 3):
        name_in(gone, AS_OF - timedelta(days=days))

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_a_rule_not_in_force_is_not_evaluated(make_rule, name_in, officer):
    make_rule("complaints", "Retired rule", active=False, count=1, window_months=12)
    name_in(officer, AS_OF - timedelta(days=1))

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


# --- Allegations of a category in a period -------------------------------------------------------------


@pytest.fixture
def two_force(make_rule):
    return make_rule("allegations", "Two force", count=2, window_months=6, category="force")


def test_two_force_allegations_in_six_months_trip_the_rule(two_force, name_in, officer):
    first = name_in(officer, AS_OF - timedelta(days=5), categories=("force-physical",))
    second = name_in(officer, SIX_MONTHS_BEFORE, categories=("force-weapon", "disc-words"))

    evaluate(trigger="command", as_of=AS_OF)

    flag = Flag.objects.get()
    assert flag.count == 2
    assert _cases("4471") == {first.tracking_number, second.tracking_number}
    assert sorted(FlagCase.objects.values_list("allegations", flat=True)) == [1, 1]


def test_two_force_allegations_on_one_complaint_trip_it_too(two_force, name_in, officer):
    both = name_in(officer, AS_OF - timedelta(days=5), categories=("force-physical", "force-restraint"))

    evaluate(trigger="command", as_of=AS_OF)

    assert _cases("4471") == {both.tracking_number}
    assert list(FlagCase.objects.values_list("allegations", flat=True)) == [2]


def test_an_allegation_classed_only_as_force_counts(two_force, name_in, officer):
    name_in(officer, AS_OF - timedelta(days=5), categories=("force",))
    name_in(officer, AS_OF - timedelta(days=6), categories=("force-k9",))

    evaluate(trigger="command", as_of=AS_OF)

    assert Flag.objects.get().count == 2


def test_one_force_allegation_and_one_of_another_class_do_not(two_force, name_in, officer):
    name_in(officer, AS_OF - timedelta(days=5), categories=("force-physical",))
    name_in(officer, AS_OF - timedelta(days=6), categories=("aoa-search", "disc-words", "bias-profiling"))

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_the_second_force_allegation_a_minute_before_six_months_does_not_count(two_force, name_in, officer):
    name_in(officer, AS_OF - timedelta(days=5), categories=("force-physical",))
    name_in(officer, SIX_MONTHS_BEFORE - MINUTE, categories=("force-physical",))

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_a_force_allegation_against_another_officer_on_the_same_complaint_does_not_count(two_force, name_in, officer):
    from tests.factories import AllegationFactory, SubjectOfficerFactory

    shared = name_in(officer, AS_OF - timedelta(days=5), categories=("force-physical",))
    partner = SubjectOfficerFactory(complaint=shared, officer=OfficerFactory(badge_number="900"))
    AllegationFactory(complaint=shared, subject_officer=partner)  # force-physical, against the partner

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_a_rule_on_one_sub_category_counts_only_that_sub_category(make_rule, name_in, officer):
    make_rule("allegations", "Weapons", count=1, window_months=6, category="force-weapon")
    name_in(officer, AS_OF - timedelta(days=5), categories=("force-physical",))
    assert evaluate(trigger="command", as_of=AS_OF).opened == 0

    name_in(officer, AS_OF - timedelta(days=4), categories=("force-weapon",))
    assert evaluate(trigger="command", as_of=AS_OF).opened == 1


# --- Allegations with a finding -----------------------------------------------------------------------------


@pytest.fixture
def sustained_bias(make_rule):
    return make_rule("finding", "Sustained bias", count=1, window_months=None, category="bias", disposition="sustained")


def test_any_sustained_bias_allegation_trips_the_rule_however_old(sustained_bias, name_in, officer):
    old = name_in(officer, AS_OF - timedelta(days=3650), categories=("bias-profiling",), finals=("sustained",))

    evaluate(trigger="command", as_of=AS_OF)

    flag = Flag.objects.get()
    assert flag.count == 1 and flag.window_start is None
    assert _cases("4471") == {old.tracking_number}


def test_a_bias_allegation_with_another_final_finding_does_not(sustained_bias, name_in, officer):
    name_in(officer, AS_OF - timedelta(days=30), categories=("bias-profiling",), finals=("not_sustained",))
    name_in(officer, AS_OF - timedelta(days=31), categories=("bias-other",), finals=("exonerated",))

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_a_sustained_finding_only_proposed_does_not_count_until_final(sustained_bias, name_in, officer):
    name_in(officer, AS_OF - timedelta(days=30), categories=("bias-profiling",), proposed=("sustained",))

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_a_sustained_allegation_of_another_class_does_not(sustained_bias, name_in, officer):
    name_in(
        officer,
        AS_OF - timedelta(days=30),
        categories=("disc-words", "force-physical"),
        finals=("sustained", "sustained"),
    )

    evaluate(trigger="command", as_of=AS_OF)

    assert not Flag.objects.exists()


def test_a_finding_rule_with_a_period_looks_only_inside_it(make_rule, name_in, officer):
    make_rule("finding", "Bias, 5 years", count=1, window_months=60, category="bias", disposition="sustained")
    five_years_before = AS_OF.replace(year=2021)
    name_in(officer, five_years_before - MINUTE, categories=("bias-profiling",), finals=("sustained",))
    assert evaluate(trigger="command", as_of=AS_OF).opened == 0

    name_in(officer, five_years_before, categories=("bias-immigration",), finals=("sustained",))
    assert evaluate(trigger="command", as_of=AS_OF).opened == 1
