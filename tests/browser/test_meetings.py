"""The public meetings pages in a real browser: the list (upcoming and past) and a meeting with
published minutes, its published decision and the vote counts, pass axe-core with no violation, in
English and Spanish, with and without JavaScript."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from investigations.board.models import BoardDecision
from public_portal.meetings import services
from tests.factories import ComplaintFactory, PublicationFactory, PublishedAllegationFactory
from tests.meetings.conftest import PAST_START, make_meeting, step

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def meetings(supervisor):
    complaint = ComplaintFactory()
    decision = BoardDecision.objects.create(
        complaint=complaint,
        kind=BoardDecision.Kind.ADOPT,
        votes_counted={"concur": 4, "do_not_concur": 1, "abstain": 0},
        created_at=PAST_START + timedelta(minutes=20),
    )
    PublishedAllegationFactory(publication=PublicationFactory(complaint=complaint, public_id="D-BRWS2345"))
    past = make_meeting(supervisor)
    step(past, supervisor, "publish_agenda")
    services.meeting_record_held(meeting=past, actor=supervisor, decisions=[decision])
    services.meeting_minutes_save(
        meeting=past, actor=supervisor, minutes="The board met.", minutes_es="La junta se reunió."
    )
    step(past, supervisor, "approve_minutes")
    step(past, supervisor, "publish_minutes")
    upcoming = make_meeting(supervisor, starts_at=timezone.now() + timedelta(days=9), title="Special meeting")
    step(upcoming, supervisor, "publish_agenda")
    return past, upcoming


def _in(page, path, language):
    page.goto(path)
    if language == "es":
        page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_meetings_list_and_page_are_accessible(request, meetings, language, javascript):
    past, upcoming = meetings
    page = request.getfixturevalue("page" if javascript else "nojs_page")
    _in(page, "/meetings/", language)
    expect(page.locator(f"a[href='/meetings/{upcoming.pk}/']")).to_be_visible()
    expect(page.locator(f"a[href='/meetings/{past.pk}/']")).to_be_visible()
    assert_accessible(page)

    page.locator(f"a[href='/meetings/{past.pk}/']").click()
    page.wait_for_url(f"**/meetings/{past.pk}/")
    expect(page.locator("a[href='/decisions/D-BRWS2345/']")).to_be_visible()
    expect(page.get_by_text("La junta se reunió." if language == "es" else "The board met.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/meetings/{upcoming.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)
