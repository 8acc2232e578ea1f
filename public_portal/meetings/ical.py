"""The public calendar of board meetings, in iCalendar (RFC 5545), written by hand: one VEVENT per
published meeting, times in UTC, text escaped, lines folded at 75 octets and ended with CRLF."""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from investigations.board.models import BoardMeeting

from .selectors import agenda_public, localized

CRLF = "\r\n"
PRODUCT = "-//Civilian oversight complaint platform//Board meetings//EN"


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    # Control characters other than the line break are not allowed in a TEXT value.
    value = "".join(ch for ch in value if ch == "\n" or ord(ch) >= 0x20 and ord(ch) != 0x7F)
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded so that no physical line is longer than 75 octets (RFC 5545 3.1),
    never inside a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        length = len(ch.encode())
        if size + length > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += length
    out.append(current)
    return CRLF.join(out)


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(meeting: BoardMeeting, *, host: str, url: str, now: datetime, language: str) -> list[str]:
    title, _lang = localized(meeting.title, meeting.title_es, language)
    agenda = agenda_public(meeting, language)
    description = "\n".join(f"{n}. {item.text}" for n, item in enumerate(agenda, start=1))
    if meeting.remote_url:
        description = f"{description}\n\n{meeting.remote_url}".strip()
    lines = [
        "BEGIN:VEVENT",
        f"UID:board-meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{utc(now)}",
        f"DTSTART:{utc(meeting.starts_at)}",
        f"DTEND:{utc(meeting.ends_at or meeting.starts_at)}",
        f"SEQUENCE:{meeting.sequence}",
        f"LAST-MODIFIED:{utc(meeting.updated_at)}",
        f"SUMMARY:{escape_text(title)}",
        "STATUS:CONFIRMED",
        f"URL:{url}",
    ]
    if meeting.place:
        lines.append(f"LOCATION:{escape_text(meeting.place)}")
    elif meeting.remote_url:
        lines.append(f"LOCATION:{escape_text(meeting.remote_url)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines.append("END:VEVENT")
    return lines


def calendar(meetings: Iterable[BoardMeeting], *, host: str, url_for, language: str, name: str = "") -> str:
    """The calendar of ``meetings``; ``url_for(meeting)`` gives each meeting's public page address."""
    now = timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name or settings.OVERSIGHT_BODY_NAME)}",
    ]
    for meeting in meetings:
        if meeting.starts_at is None:
            continue
        lines += _event(meeting, host=host, url=url_for(meeting), now=now, language=language)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
