"""The peer rule on a known distribution. Expected values worked out by hand with the continuous
percentile (the value at position p × (n − 1) of the sorted counts, interpolated)."""

from datetime import timedelta

import pytest

from investigations.early_intervention.evaluation import evaluate, percentile_cont
from investigations.early_intervention.models import Flag
from tests.factories import AgencyFactory, OfficerFactory

from .conftest import AS_OF, MINUTE, TWO_YEARS_BEFORE

pytestmark = pytest.mark.django_db


def _group(agency, unit: str, rank: str, counts: list[int], prefix: str, name_in) -> None:
    for index, count in enumerate(counts):
        officer = OfficerFactory(agency=agency, unit=unit, rank=rank, badge_number=f"{prefix}{index}")
        for day in range(count):
            name_in(officer, AS_OF - timedelta(days=10 + day))


def _flagged() -> dict[str, tuple[int, str, int]]:
    return {
        badge: (count, str(value), peers)
        for badge, count, value, peers in Flag.objects.values_list(
            "officer__badge_number", "count", "peer_value", "peer_group_size"
        )
    }


@pytest.fixture
def agency(db):
    return AgencyFactory(short_name="MPD", name="Metro Police")


def test_officers_at_or_above_the_80th_percentile_of_their_group_are_flagged(make_rule, name_in, agency):
    make_rule("peer_percentile", "Top of the group", count=1, window_months=24, percentile=80, minimum_peers=5)
    # Patrol officers, complaints in 24 months: 0 0 0 1 1 2 2 3 5 8.
    # Position 0.8 × 9 = 7.2: between the 8th (3) and 9th (5) counts, 3 + 0.2 × 2 = 3.4.
    _group(agency, "Patrol", "Police Officer", [0, 0, 0, 1, 1, 2, 2, 3, 5, 8], "P", name_in)
    # Patrol sergeants: 0 0 0 0 2. Position 0.8 × 4 = 3.2: 0 + 0.2 × 2 = 0.4.
    _group(agency, "Patrol", "Sergeant", [0, 0, 0, 0, 2], "S", name_in)
    # Traffic officers, a group of three (below the smallest group of five): never compared.
    _group(agency, "Traffic", "Police Officer", [0, 0, 9], "T", name_in)

    evaluate(trigger="command", as_of=AS_OF)

    assert _flagged() == {
        "P8": (5, "3.40", 10),
        "P9": (8, "3.40", 10),
        "S4": (2, "0.40", 5),
    }


def test_ties_at_the_percentile_are_flagged_and_officers_with_none_never_are(make_rule, name_in, agency):
    make_rule("peer_percentile", "Top of the group", count=1, window_months=24, percentile=95, minimum_peers=5)
    # 1 1 1 1 1 1: every position holds 1, so the 95th percentile is 1 and all six reach it.
    _group(agency, "Housing", "Corporal", [1, 1, 1, 1, 1, 1], "H", name_in)
    # 0 0 0 0 0: the percentile is 0, but an officer needs at least one complaint.
    _group(agency, "Transit", "Corporal", [0, 0, 0, 0, 0], "Z", name_in)

    evaluate(trigger="command", as_of=AS_OF)

    assert set(_flagged()) == {"H0", "H1", "H2", "H3", "H4", "H5"}


def test_the_rules_smallest_count_holds_even_above_the_percentile(make_rule, name_in, agency):
    make_rule("peer_percentile", "Top of the group", count=3, window_months=24, percentile=80, minimum_peers=5)
    _group(agency, "Patrol", "Police Officer", [0, 0, 0, 1, 1, 2, 2, 3, 5, 8], "P", name_in)
    _group(agency, "Patrol", "Sergeant", [0, 0, 0, 0, 2], "S", name_in)

    evaluate(trigger="command", as_of=AS_OF)

    assert set(_flagged()) == {"P8", "P9"}


def test_peer_groups_are_per_agency_unit_and_rank_and_only_active_officers_count(make_rule, name_in, agency):
    make_rule("peer_percentile", "Top of the group", count=1, window_months=24, percentile=80, minimum_peers=5)
    other_agency = AgencyFactory(short_name="MTPD", name="Metro Transit")
    # Four active patrol officers here and one separated: a group of four, below five.
    _group(agency, "Patrol", "Police Officer", [0, 0, 1, 6], "P", name_in)
    separated = OfficerFactory(
        agency=agency, unit="Patrol", rank="Police Officer", badge_number="PX", status="separated"
    )
    name_in(separated, AS_OF - timedelta(days=3))
    # The same unit and rank in another agency is another group.
    _group(other_agency, "Patrol", "Police Officer", [0, 0, 0, 0, 4], "O", name_in)
    # No unit on the roster: no peer group.
    lone = OfficerFactory(agency=agency, unit="", rank="Police Officer", badge_number="N0")
    for day in range(7):
        name_in(lone, AS_OF - timedelta(days=20 + day))

    evaluate(trigger="command", as_of=AS_OF)

    # Other agency: 0 0 0 0 4, position 3.2: 0 + 0.2 × 4 = 0.8.
    assert _flagged() == {"O4": (4, "0.80", 5)}


def test_only_complaints_in_the_period_count(make_rule, name_in, agency):
    make_rule("peer_percentile", "Top of the group", count=1, window_months=24, percentile=80, minimum_peers=5)
    _group(agency, "Patrol", "Police Officer", [0, 0, 0, 0, 1], "P", name_in)
    early = OfficerFactory(agency=agency, unit="Patrol", rank="Police Officer", badge_number="E0")
    name_in(early, TWO_YEARS_BEFORE - MINUTE)
    name_in(early, TWO_YEARS_BEFORE - timedelta(days=30))

    evaluate(trigger="command", as_of=AS_OF)

    # E0's complaints are before the period, so the group reads 0 0 0 0 0 1: position 0.8 × 5 = 4,
    # exactly the 5th value, 0. P4's one complaint reaches it; E0 has none in the period.
    assert _flagged() == {"P4": (1, "0.00", 6)}


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([0, 0, 0, 1, 1, 2, 2, 3, 5, 8], 0.8, 3.4),
        ([0, 0, 0, 1, 1, 2, 2, 3, 5, 8], 0.95, 6.65),
        ([7], 0.95, 7.0),
        ([4, 1], 0.5, 2.5),
        ([0, 0, 0, 0, 2], 0.8, 0.4),
    ],
)
def test_the_percentile_is_postgresqls_percentile_cont(values, fraction, expected):
    assert percentile_cont(values, fraction) == pytest.approx(expected)


@pytest.mark.postgres
def test_postgresqls_percentile_cont_reads_the_same_distribution_alike():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.8) WITHIN GROUP (ORDER BY v) FROM unnest(%s::int[]) AS v",
            [[0, 0, 0, 1, 1, 2, 2, 3, 5, 8]],
        )
        assert cursor.fetchone()[0] == pytest.approx(3.4)
