"""The public meetings pages: only published dispositions of the cases decided at a meeting, never a
tracking number or a party (checked in the HTML and in the SQL the page sends), minutes hidden until
approved and published, drafts never shown, vote counts, and names only when the setting says so."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investigations.board.models import BoardMeeting
from public_portal.meetings import services

from .conftest import MINUTES, make_meeting, step

pytestmark = pytest.mark.django_db

S = BoardMeeting.Status
FORBIDDEN_TABLES = ("complaints_party", "complaints_historicalparty")


def _page(client, meeting, language="en"):
    return client.get(f"/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE=language)


def test_meeting_page_shows_the_published_disposition_and_counts_the_unpublished_one(client, decided):
    response = _page(client, decided.meeting)
    assert response.status_code == 200
    html = response.content.decode()
    assert "D-MEET2345" in html
    assert 'href="/decisions/D-MEET2345/"' in html
    assert "Sustained" in html
    assert "1 other decision taken at this meeting is not published yet." in html
    assert MINUTES in html


def test_meeting_page_never_shows_tracking_numbers_or_party_data(client, decided):
    html = _page(client, decided.meeting).content.decode()
    for secret in ("TST-2026-77777", "TST-2026-88888", "Xiomara", "Quintanilla", "Bartholomew", "Vandersloot"):
        assert secret not in html
    assert decided.party.email not in html


def test_meeting_page_reads_no_party_table_and_no_tracking_number(client, decided):
    with CaptureQueriesContext(connection) as queries:
        assert _page(client, decided.meeting).status_code == 200
    sql = [q["sql"].lower() for q in queries.captured_queries]
    assert sql, "the page read nothing?"
    for statement in sql:
        for table in FORBIDDEN_TABLES:
            assert f'"{table}"' not in statement and f" {table} " not in statement, statement
        assert "tracking_number" not in statement, statement
        assert '"complaints_complaint"' not in statement, statement


def test_list_reads_no_party_table_and_no_tracking_number(client, decided, upcoming):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/meetings/").status_code == 200
    for query in queries.captured_queries:
        statement = query["sql"].lower()
        assert "complaints_party" not in statement and "complaints_historicalparty" not in statement
        assert "tracking_number" not in statement


def test_votes_are_counts_by_default(client, decided, settings):
    settings.MEETING_VOTES_BY_NAME = False
    html = _page(client, decided.meeting).content.decode()
    for label, count in (("Concur", 3), ("Do not concur", 1), ("Abstain", 1), ("Recused", 1)):
        assert f'<td data-label="{label}">{count}</td>' in html
    for name in ("Ana Member", "Dev Member", "Fay Member"):
        assert name not in html
    assert "How each member voted" not in html


def test_votes_by_name_when_the_setting_says_so(client, decided, settings):
    settings.MEETING_VOTES_BY_NAME = True
    html = _page(client, decided.meeting).content.decode()
    assert "How each member voted" in html
    table = html[html.index("Votes on D-MEET2345") :]
    assert '<th scope="row">Ana Member</th><td>Concur</td>' in table
    assert '<th scope="row">Dev Member</th><td>Do not concur</td>' in table
    assert '<th scope="row">Eli Member</th><td>Abstain</td>' in table
    assert '<th scope="row">Fay Member</th><td>Recused</td>' in table


def test_a_vote_cast_after_the_decision_is_not_counted_by_name(client, decided, settings):
    from datetime import timedelta

    from investigations.board.models import Vote
    from tests.factories import UserFactory

    settings.MEETING_VOTES_BY_NAME = True
    late = UserFactory(username="late", first_name="Gus", last_name="Late")
    Vote.objects.create(
        complaint=decided.complaint,
        member=late,
        choice="concur",
        created_at=decided.published_decision.created_at + timedelta(days=1),
    )
    assert "Gus Late" not in _page(client, decided.meeting).content.decode()


def test_draft_meeting_is_not_public(client, supervisor):
    meeting = make_meeting(supervisor, title="A draft nobody may see")
    assert _page(client, meeting).status_code == 404
    assert client.get(f"/meetings/{meeting.pk}.ics").status_code == 404
    assert client.get(f"/meetings/{meeting.pk}/agenda.pdf").status_code == 404
    assert "A draft nobody may see" not in client.get("/meetings/").content.decode()
    assert "A draft nobody may see" not in client.get("/meetings.ics").content.decode()


def test_minutes_hidden_until_approved_and_published(client, supervisor):
    meeting = make_meeting(supervisor)
    step(meeting, supervisor, "publish_agenda")
    services.meeting_record_held(meeting=meeting, actor=supervisor)
    services.meeting_minutes_save(meeting=meeting, actor=supervisor, minutes="Secret draft of the minutes.")
    html = _page(client, meeting).content.decode()
    assert "Secret draft of the minutes." not in html
    assert "not published yet" in html
    step(meeting, supervisor, "approve_minutes")
    html = _page(client, meeting).content.decode()
    assert "Secret draft of the minutes." not in html
    assert "Decisions taken at this meeting" not in html
    step(meeting, supervisor, "publish_minutes")
    html = _page(client, meeting).content.decode()
    assert "Secret draft of the minutes." in html
    assert "The board did not decide any case at this meeting." in html


def test_list_shows_upcoming_then_past(client, decided, upcoming):
    html = client.get("/meetings/").content.decode()
    upcoming_at = html.index("Upcoming meetings")
    past_at = html.index("Past meetings")
    assert upcoming_at < html.index("Special meeting on use of force") < past_at
    assert past_at < html.index(f'href="/meetings/{decided.meeting.pk}/"')


def test_list_empty_states(client, db):
    html = client.get("/meetings/").content.decode()
    assert "No meeting is scheduled right now." in html
    assert "No past meetings are listed yet." in html


def test_list_is_paginated(client, supervisor):
    from datetime import UTC, datetime, timedelta

    for n in range(21):
        meeting = make_meeting(supervisor, starts_at=datetime(2025, 1, 1, 23, tzinfo=UTC) + timedelta(days=7 * n))
        step(meeting, supervisor, "publish_agenda")
    first = client.get("/meetings/").content.decode()
    assert "Page 1 of 2" in first and "21 past meetings" in first
    second = client.get("/meetings/?page=2").content.decode()
    assert "Page 2 of 2" in second
    assert second.count('href="/meetings/') - second.count('href="/meetings/"') == 1


def test_spanish_page_uses_the_spanish_agenda_and_title(client, upcoming):
    client.cookies["django_language"] = "es"
    html = client.get(f"/meetings/{upcoming.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in html
    assert "Apertura de la sesión" in html
    assert "Call to order" not in html


def test_an_item_without_spanish_is_marked_english_on_the_spanish_page(client, supervisor):
    meeting = make_meeting(supervisor, agenda=[("Public comment", "")], title_es="")
    step(meeting, supervisor, "publish_agenda")
    client.cookies["django_language"] = "es"
    html = client.get(f"/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<li lang="en">Public comment</li>' in html


def test_public_pages_are_cacheable(client, decided):
    for url in ("/meetings/", f"/meetings/{decided.meeting.pk}/", "/meetings.ics"):
        response = client.get(url)
        assert "no-store" not in response.get("Cache-Control", ""), url
