"""The audit log as CSV: the filtered set, newest first, streamed a keyset chunk at a time.

Each chunk is one indexed query (``oversight.pagination.keyset_page``), so memory stays flat and the
export starts at once however large the set; it stops after ``EXPORT_MAX_ROWS`` rows, and the page
says so. A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return) as a formula, so such a cell gets a leading apostrophe: the file shows the text
exactly, and a crafted value (a username tried at sign-in, a label) cannot run in the reader's
spreadsheet.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight import audit
from oversight.models import AuditEvent
from oversight.pagination import keyset_page

from .selectors import AUDIT_LOG_ORDER

EXPORT_CHUNK_ROWS = 2000
EXPORT_MAX_ROWS = 100_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """``value`` as CSV text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def header() -> list[str]:
    return [
        _("When"),
        _("Username"),
        _("Action code"),
        _("Action"),
        _("Outcome"),
        _("Record type"),
        _("Record id"),
        _("Target"),
        _("IP address"),
        _("Request id"),
        _("Details"),
    ]


def row(event: AuditEvent) -> list[str]:
    occurred = timezone.localtime(event.occurred_at).isoformat(timespec="seconds")
    details = json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else ""
    cells = [
        occurred,
        event.actor_username,
        event.action,
        audit.label_for(event.action),
        event.get_outcome_display(),
        event.target_type,
        event.target_id,
        event.target_label,
        event.ip or "",
        event.request_id,
        details,
    ]
    return [safe_cell(cell) for cell in cells]


def events_in_chunks(events: QuerySet[AuditEvent], *, limit: int | None = None) -> Iterator[AuditEvent]:
    """``events`` (already filtered) in the list's order, ``EXPORT_CHUNK_ROWS`` at a time, at most
    ``limit`` of them (``EXPORT_MAX_ROWS`` unless given)."""
    limit = EXPORT_MAX_ROWS if limit is None else limit
    events = events.select_related(None).order_by(*AUDIT_LOG_ORDER)
    cursor, sent = "", 0
    while sent < limit:
        size = min(EXPORT_CHUNK_ROWS, limit - sent)
        page = keyset_page(events, ordering=AUDIT_LOG_ORDER, per_page=size, after=cursor)
        yield from page.object_list
        sent += len(page.object_list)
        if not page.has_next:
            return
        cursor = page.next_cursor


class _Echo:
    """A file-like object whose ``write`` returns what it was given, for ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte-order mark, so spreadsheets read the file as UTF-8 (names and labels in Spanish).
    yield "\ufeff" + writer.writerow(header())
    for event in events:
        yield writer.writerow(row(event))
