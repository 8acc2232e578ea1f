"""The demo data: two demo logins read Spanish once every seeder has run."""

from datetime import date

import pytest

from oversight.demo import DemoContext
from oversight.staff_accounts.demo import seed_staff_preferences
from oversight.staff_accounts.models import StaffPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_seeder_gives_the_two_demo_logins_spanish_once(db):
    ctx = DemoContext(seed=7, complaints=0, as_of=date(2026, 6, 1), log=lambda _m: None)
    seed_staff_preferences(ctx)
    # The board member is made by a later seeder: the preferences wait for the end of the seeding.
    board3, investigator2 = UserFactory(username="board3"), UserFactory(username="investigator2")
    UserFactory(username="board2")
    for finisher in ctx.finishers:
        finisher()
    for finisher in ctx.finishers:
        finisher()
    languages = dict(StaffPreference.objects.values_list("user__username", "language"))
    assert languages == {"board3": "es", "investigator2": "es"}
    assert ctx.counts["staff preferences"] == 2
    assert {board3.staff_preference.language, investigator2.staff_preference.language} == {"es"}
