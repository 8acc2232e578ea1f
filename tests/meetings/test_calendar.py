"""The iCalendar feed and a meeting's calendar entry, read line by line by hand against RFC 5545:
CRLF endings, folded lines of at most 75 octets, one VEVENT per published meeting with UID, DTSTAMP,
DTSTART and DTEND in UTC, and text escaped."""

import re
from datetime import timedelta

import pytest

from .conftest import make_meeting, step

pytestmark = pytest.mark.django_db


def _unfold(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)
    assert all(len(line.encode()) <= 75 for line in physical), max(physical, key=len)
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _events(lines: list[str]) -> list[dict[str, str]]:
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            current[name] = value
    return events


UTC_STAMP = re.compile(r"^\d{8}T\d{6}Z$")


def test_feed_is_a_valid_calendar_of_the_published_meetings(client, decided, upcoming, supervisor):
    make_meeting(supervisor, title="Draft, not in the feed")
    response = client.get("/meetings.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    lines = _unfold(response.content)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    events = _events(lines)
    assert len(events) == 2
    uids = {event["UID"] for event in events}
    assert uids == {f"board-meeting-{decided.meeting.pk}@testserver", f"board-meeting-{upcoming.pk}@testserver"}
    for event in events:
        for name in ("DTSTAMP", "DTSTART", "DTEND"):
            assert UTC_STAMP.match(event[name]), (name, event[name])
    past = next(e for e in events if e["UID"].startswith(f"board-meeting-{decided.meeting.pk}@"))
    # 18:00 in New York on 10 February 2026 is 23:00 UTC; the meeting lasts two hours.
    assert past["DTSTART"] == "20260210T230000Z"
    assert past["DTEND"] == "20260211T010000Z"
    assert past["SUMMARY"] == "Regular board meeting"
    # Commas and semicolons escaped in TEXT values.
    assert past["LOCATION"] == "City Hall\\, Room 400\\, 1 Main Street"
    assert past["DESCRIPTION"].startswith("1. Call to order\\n2. Review of cases decided\\; public comment")
    assert past["URL"] == f"http://testserver/meetings/{decided.meeting.pk}/"
    assert "Draft, not in the feed" not in response.content.decode()


def test_one_meetings_entry_and_long_text_folded(client, supervisor):
    long_item = "Presentation of the annual report on complaints — " + "élan " * 40
    meeting = make_meeting(supervisor, agenda=[(long_item, "")])
    step(meeting, supervisor, "publish_agenda")
    response = client.get(f"/meetings/{meeting.pk}.ics")
    assert response.status_code == 200
    lines = _unfold(response.content)
    (event,) = _events(lines)
    assert event["DESCRIPTION"].startswith("1. " + long_item.strip())
    assert event["SEQUENCE"] == "0"


def test_a_change_after_publishing_raises_the_sequence(client, supervisor):
    meeting = make_meeting(supervisor)
    step(meeting, supervisor, "publish_agenda")
    from public_portal.meetings import services

    services.meeting_update(
        meeting=meeting,
        actor=supervisor,
        title="Regular board meeting (moved)",
        starts_at=meeting.starts_at + timedelta(hours=1),
        ends_at=meeting.ends_at + timedelta(hours=1),
        place=meeting.place,
        remote_url=meeting.remote_url,
        agenda=[("Call to order", "")],
    )
    (event,) = _events(_unfold(client.get(f"/meetings/{meeting.pk}.ics").content))
    assert event["SEQUENCE"] == "1"
    assert event["DTSTART"] == "20260211T000000Z"
    assert event["SUMMARY"] == "Regular board meeting (moved)"


def test_escaping_by_hand():
    from public_portal.meetings.ical import escape_text, fold

    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    folded = fold("DESCRIPTION:" + "ñ" * 80)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == "DESCRIPTION:" + "ñ" * 80
