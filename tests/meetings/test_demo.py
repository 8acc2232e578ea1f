"""The demo's meetings: past ones with published minutes list the cases decided there as published
dispositions, the latest past one waits for its minutes, and one upcoming meeting has its agenda."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from investigations.board.models import BoardMeeting

pytestmark = pytest.mark.django_db

S = BoardMeeting.Status


def test_the_demo_has_past_meetings_with_their_published_decisions_and_an_upcoming_one(client):
    call_command("seed_demo", complaints=400, seed=7, as_of="2026-11-01", quiet_logins=True)
    meetings = BoardMeeting.objects.exclude(starts_at=None)
    upcoming = meetings.filter(starts_at__gt=timezone.now() - timezone.timedelta(days=400), status=S.AGENDA_PUBLISHED)
    assert upcoming.count() == 1
    assert meetings.filter(status=S.HELD).count() == 1
    published = meetings.filter(status=S.MINUTES_PUBLISHED)
    assert published.count() >= 2
    for meeting in published:
        html = client.get(f"/meetings/{meeting.pk}/").content.decode()
        assert re.search(r'href="/decisions/D-[A-Z0-9]+/"', html), meeting.pk
        assert "TST-" not in html and "CPC-" not in html
    listing = client.get("/meetings/").content.decode()
    assert f'href="/meetings/{upcoming.get().pk}/"' in listing
