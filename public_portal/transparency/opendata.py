"""Open data: downloads of the published cases and their allegations, the data dictionary that
describes every column, and the open data page.

Downloads are streamed: rows are read from the database in chunks (``.iterator(chunk_size=...)``
over ``values_list``) and written out chunk by chunk, so memory stays the same whatever the number
of rows. On PostgreSQL the CSV downloads are written by the database instead (``copy_csv_stream``:
one ``COPY (SELECT ...)``, the same bytes). CSV is UTF-8 with a header row; JSON is one array of
objects. They honour the filters of the published decisions list (``?year=2025&category=force...``),
in the same order (newest decision first), so a download holds exactly the cases the list shows.

Per-case and per-allegation rows are published records, not counts, so they are not suppressed.
Counts (the dashboard's tables) are published only through ``suppression``; the dictionary
describes their downloads too.

The columns are defined once (``DATASETS``): the writers and the dictionary page read the same
definitions, so a column cannot be added to one and not the other.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from complaints.models import AllegationCategory
from investigations.board.models import BoardDecision, DepartmentResponse
from investigations.models import Disposition
from investigations.outcomes import outcome_sentence
from oversight.forms import add_usa_classes

from ..publication.models import PublishedAllegation
from ..publication.redaction import OFFICER_PSEUDONYM
from ..publication.selectors import published_publications
from ..publication.summaries import FIELDS as SUMMARY_FIELDS
from . import dispositions as disp
from . import statistics

CHUNK_SIZE = 2000
FORMATS = ("csv", "json")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


# --- Column definitions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a download: its name, its type as written in the CSV, what it means and the
    values it may hold."""

    name: str
    type: str  # one of TYPES
    meaning: Any
    allowed: Any = ""


TYPES = {
    "text": _("Text"),
    "integer": _("Whole number"),
    "date": _("Date, written YYYY-MM-DD"),
    "datetime": _("Date and time, ISO 8601 with the offset from UTC"),
    "boolean": _("true or false"),
    "code": _("Code (see the code lists below)"),
    "codes": _("Codes separated by semicolons in CSV; a list in JSON"),
    "count": _("Count, or a suppression mark"),
}


@dataclass(frozen=True)
class Dataset:
    key: str
    title: Any
    description: Any
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


EMPTY_WHEN_UNKNOWN = _("Empty when not recorded.")

CASE_COLUMNS = (
    Column(
        "public_id",
        "text",
        _("The case's public id: random, and unrelated to the complaint's tracking number."),
        _("D- followed by 8 letters and digits"),
    ),
    Column(
        "version",
        "integer",
        _("Which version of the public record this is. A correction publishes a new version."),
        _("1 or more"),
    ),
    Column("corrected", "boolean", _("Whether this version corrects an earlier one.")),
    Column("published_at", "datetime", _("When this version was published.")),
    Column("incident_year", "integer", _("Year of the incident."), EMPTY_WHEN_UNKNOWN),
    Column(
        "incident_month",
        "integer",
        _("Month of the incident (the exact date is never published)."),
        _("1 to 12, or empty"),
    ),
    Column("district_code", "code", _("The police district where the incident happened."), EMPTY_WHEN_UNKNOWN),
    Column("district_name", "text", _("The district's name."), EMPTY_WHEN_UNKNOWN),
    Column("received_year", "integer", _("Year we received the complaint."), EMPTY_WHEN_UNKNOWN),
    Column("decision_date", "date", _("Date of the board's decision."), EMPTY_WHEN_UNKNOWN),
    Column("decision_year", "integer", _("Year of the board's decision."), EMPTY_WHEN_UNKNOWN),
    Column("board_decision", "code", _("What the board decided about the proposed findings."), "adopt, modify"),
    Column("board_decision_label", "text", _("The board's decision in words, in the language of the download.")),
    Column("allegation_count", "integer", _("How many allegations the case has.")),
    Column("category_classes", "codes", _("The kinds of allegation in the case (top-level categories), each once.")),
    Column("dispositions", "codes", _("The findings in the case, each once."), _("Disposition codes")),
    Column("summary", "text", _("What happened, with names and other details that identify people removed.")),
    Column("discipline_outcome", "text", _("The discipline outcome, where public."), _("Often empty")),
    Column("department_response", "text", _("The police department's response, where public."), _("Often empty")),
)

ALLEGATION_COLUMNS = (
    Column(
        "public_id", "text", _("The public id of the case the allegation belongs to."), _("As in the cases download")
    ),
    Column("position", "integer", _("The allegation's place in the case's list, from 0.")),
    Column("decision_year", "integer", _("Year of the board's decision on the case."), EMPTY_WHEN_UNKNOWN),
    Column("district_code", "code", _("The case's police district."), EMPTY_WHEN_UNKNOWN),
    Column("category_class_code", "code", _("The kind of allegation (top-level category)."), _("Category codes")),
    Column("category_class_label", "text", _("The kind of allegation in words, in the language of the download.")),
    Column("category_code", "code", _("The allegation's category."), _("Category codes")),
    Column("category_label", "text", _("The category in words, in the language of the download.")),
    Column("disposition", "code", _("The board's finding on the allegation."), _("Disposition codes")),
    Column("disposition_label", "text", _("The finding in words, in the language of the download.")),
    Column(
        "officer_label",
        "text",
        _("The officer as the record names them: their name where it is public, otherwise Officer A, Officer B..."),
    ),
    Column("officer_disclosed", "boolean", _("Whether the law allows the officer's name to be published.")),
    Column("officer_name", "text", _("The officer's name, only where it is public."), _("Empty when not public")),
    Column(
        "officer_badge", "text", _("The officer's badge number, only where it is public."), _("Empty when not public")
    ),
    Column(
        "recommended_discipline",
        "code",
        _("The discipline the board recommended, for a sustained finding."),
        _("Discipline codes, or empty"),
    ),
    Column(
        "department_response",
        "code",
        _("The police department's response to the recommended discipline."),
        _("accepted, modified, rejected, or empty while awaited"),
    ),
    Column("department_response_label", "text", _("The department's response in words.")),
    Column("discipline_imposed", "text", _("The discipline the department imposed, where public."), _("Often empty")),
)

DATASETS = {
    "cases": Dataset(
        "cases",
        _("Published cases"),
        _("One row for each published case: when and where, what the board decided, and the public summary."),
        CASE_COLUMNS,
    ),
    "allegations": Dataset(
        "allegations",
        _("Published allegations"),
        _("One row for each allegation in a published case: its category, the finding and the officer."),
        ALLEGATION_COLUMNS,
    ),
}


# The dashboard's tables, downloaded from /data/tables/<key>.csv and .json: the columns every table has.
def statistics_columns() -> tuple[Column, ...]:
    threshold = settings.PUBLIC_MIN_CELL
    counts = _(
        "A whole number; <%(next)s for a count from 1 to %(threshold)s; withheld for a count hidden so that a "
        "small one cannot be worked out"
    ) % {"next": threshold + 1, "threshold": threshold}
    return (
        Column(
            "row_key",
            "text",
            _(
                "A stable machine key for the row (a month such as 2026-03, a category code...). The last row, "
                "total, holds the column totals when the table has them."
            ),
        ),
        Column("row_label", "text", _("The row in words, in the language of the download.")),
        Column("<column keys>", "count", _("One column for each of the table's columns, named by its key."), counts),
        Column("total", "count", _("The row's total, where the table has row totals."), _("As for the counts")),
    )


SUPPRESSION_NOTE = _(
    'In JSON a hidden count is an object instead of a number: {"suppressed": true, "min": 1, "max": %(threshold)s} '
    'for a small count, and {"suppressed": true, "min": %(next)s, "max": null} for a withheld one. The same filters '
    "give the same hidden values on the dashboard, in the downloads and in the API."
)


def officer_pseudonym(label: str) -> str:
    match = disp._PSEUDONYM.fullmatch(label or "")
    return str(OFFICER_PSEUDONYM) % {"letter": match.group(1)} if match else label


# --- Rows --------------------------------------------------------------------------------------------
# A download reads two streams in the list's order (newest decision first): the cases, and the
# allegations of those cases joined to their case's decision date. Each case takes the allegations
# that follow it in the second stream, so there is no query per case or per chunk of cases, and
# both streams are read sequentially through server-side cursors.

CASE_FIELDS = (
    "id",
    "public_id",
    "version",
    "supersedes_id",
    "published_at",
    "incident_year",
    "incident_month",
    "district_id",
    "received_year",
    "decision_date",
    "decision_year",
    "board_decision",
    "summary",
    "discipline_outcome",
    "department_response",
)
# The case's place in the list's order comes first: (decision date, case id).
ALLEGATION_ROW_FIELDS = (
    "publication__decision_date",
    "publication_id",
    "position",
    "category_id",
    "category_class_id",
    "disposition",
    "officer_label",
    "officer_disclosed",
    "officer_name",
    "officer_badge",
    "recommended_discipline",
    "department_response",
    "discipline_imposed",
)
ALLEGATION_ORDER = ("-publication__decision_date", "-publication_id", "position", "id")
# What the cases download needs of each allegation (the same first six fields).
CASE_ALLEGATION_FIELDS = ALLEGATION_ROW_FIELDS[:6]


@dataclass
class Labels:
    """Everything a row needs besides its own columns, read once per download."""

    categories: dict[int, disp.CategoryInfo]
    districts: dict[int, Any]
    dispositions: dict[str, str]
    board_decisions: dict[str, str]
    responses: dict[str, str]


def _labels(choices: disp.FilterChoices) -> Labels:
    return Labels(
        categories=choices.category_info,
        districts=choices.district_info,
        dispositions={value: str(label) for value, label in Disposition.choices},
        board_decisions={value: disp.board_decision_label(value) for value in BoardDecision.Kind.values},
        responses={value: disp.department_response_label(value) for value in DepartmentResponse.Response.values},
    )


def _place(decision_date: Any, pk: int) -> tuple[int, int]:
    """A case's place in the list's order as a number pair, larger first, with a missing date where the
    database puts NULL in a descending order (first on PostgreSQL, last on SQLite)."""
    if decision_date is None:
        return (10**9 if connection.features.nulls_order_largest else -(10**9), pk)
    return (decision_date.toordinal(), pk)


def _with_allegations(cases: Iterable[tuple], allegations: Iterable[tuple]) -> Iterator[tuple[tuple, list[tuple]]]:
    """Each case (``CASE_FIELDS``) with its allegations (``ALLEGATION_ROW_FIELDS``), both streams in the
    list's order. An allegation whose case is not in the case stream (changed between the two reads,
    possible only without a snapshot) is passed over, never given to another case."""
    allegations = iter(allegations)
    pending = next(allegations, None)
    for case in cases:
        place = _place(case[9], case[0])
        rows = []
        while pending is not None:
            found = _place(pending[0], pending[1])
            if found == place:
                rows.append(pending)
            elif found < place:
                break  # a later case's
            pending = next(allegations, None)
        yield case, rows


def _streams(
    filters: disp.Filters, choices: disp.FilterChoices, *, matching: bool, fields: tuple[str, ...]
) -> Iterator[tuple[tuple, list]]:
    """The filtered published cases, newest decision first, each with its allegations' ``fields``
    (with ``matching``, only the allegations that match the allegation filters)."""
    cases = disp.filter_publications(published_publications(), filters, choices)
    allegations = PublishedAllegation.objects.filter(publication__in=cases.values("id"))
    if matching:
        allegations = disp.filter_allegations(allegations, replace(filters, year=None, district=""), choices)
    return _with_allegations(
        cases.order_by(*disp.ORDER).values_list(*CASE_FIELDS).iterator(chunk_size=CHUNK_SIZE),
        allegations.order_by(*ALLEGATION_ORDER).values_list(*fields).iterator(chunk_size=CHUNK_SIZE),
    )


def case_rows(filters: disp.Filters, choices: disp.FilterChoices) -> Iterator[tuple]:
    """One tuple per case, in the order of ``CASE_COLUMNS``, with JSON types (None, bool, list)."""
    labels = _labels(choices)
    categories, districts = labels.categories, labels.districts
    for case, allegations in _streams(filters, choices, matching=False, fields=CASE_ALLEGATION_FIELDS):
        (
            _pk,
            public_id,
            version,
            supersedes_id,
            published_at,
            incident_year,
            incident_month,
            district_id,
            received_year,
            decision_date,
            decision_year,
            board_decision,
            summary,
            discipline_outcome,
            department_response,
        ) = case
        district = districts.get(district_id)
        classes, findings = [], []
        for row in allegations:
            category_class = categories.get(row[4])
            if category_class is not None and category_class.code not in classes:
                classes.append(category_class.code)
            if row[5] and row[5] not in findings:
                findings.append(row[5])
        yield (
            public_id,
            version,
            supersedes_id is not None,
            published_at.isoformat() if published_at else None,
            incident_year,
            incident_month,
            district.code if district else None,
            district.name if district else None,
            received_year,
            decision_date.isoformat() if decision_date else None,
            decision_year,
            board_decision or None,
            labels.board_decisions.get(board_decision, board_decision) or None,
            len(allegations),
            classes,
            findings,
            summary,
            discipline_outcome,
            department_response,
        )


def allegation_rows(filters: disp.Filters, choices: disp.FilterChoices) -> Iterator[tuple]:
    """One tuple per allegation of the filtered cases that matches the allegation filters, in the
    order of ``ALLEGATION_COLUMNS``, the cases' order and then the allegations' order."""
    labels = _labels(choices)
    categories, districts = labels.categories, labels.districts
    for case, allegations in _streams(filters, choices, matching=True, fields=ALLEGATION_ROW_FIELDS):
        district = districts.get(case[7])
        district_code = district.code if district else None
        for (
            _date,
            _pub,
            position,
            category_id,
            class_id,
            disposition,
            officer_label,
            officer_disclosed,
            officer_name,
            officer_badge,
            recommended_discipline,
            department_response,
            discipline_imposed,
        ) in allegations:
            category = categories.get(category_id)
            category_class = categories.get(class_id)
            named = officer_disclosed and officer_name
            yield (
                case[1],
                position,
                case[10],
                district_code,
                category_class.code if category_class else None,
                category_class.label if category_class else None,
                category.code if category else None,
                category.label if category else None,
                disposition,
                labels.dispositions.get(disposition, disposition),
                officer_name if named else officer_pseudonym(officer_label),
                bool(officer_disclosed),
                officer_name if officer_disclosed else "",
                officer_badge if officer_disclosed else "",
                recommended_discipline or None,
                department_response or None,
                labels.responses.get(department_response) or None,
                discipline_imposed,
            )


ROWS: dict[str, Callable[[disp.Filters, disp.FilterChoices], Iterator[tuple]]] = {
    "cases": case_rows,
    "allegations": allegation_rows,
}


# --- Writers -----------------------------------------------------------------------------------------


def csv_stream(dataset: Dataset, rows: Iterable[tuple]) -> Iterator[str]:
    """The header, then CSV text ``CHUNK_SIZE`` rows at a time. Booleans are written true/false and
    lists joined with semicolons; None is an empty cell."""
    flags = [i for i, column in enumerate(dataset.columns) if column.type == "boolean"]
    lists = [i for i, column in enumerate(dataset.columns) if column.type == "codes"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(dataset.column_names)
    yield buffer.getvalue()
    rows = iter(rows)
    while batch := list(islice(rows, CHUNK_SIZE)):
        buffer.seek(0)
        buffer.truncate()
        if flags or lists:
            for i, row in enumerate(batch):
                row = list(row)
                for f in flags:
                    row[f] = "true" if row[f] else "false"
                for j in lists:
                    row[j] = ";".join(row[j])
                batch[i] = row
        writer.writerows(batch)
        yield buffer.getvalue()


def json_stream(dataset: Dataset, rows: Iterable[tuple]) -> Iterator[str]:
    """One JSON array of objects keyed by the column names, ``CHUNK_SIZE`` records at a time."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    names = dataset.column_names
    rows = iter(rows)
    first = True
    yield "["
    while batch := list(islice(rows, CHUNK_SIZE)):
        text = ",\n".join(encode(dict(zip(names, row, strict=True))) for row in batch)
        yield ("\n" if first else ",\n") + text
        first = False
    yield "\n]\n"


# --- The PostgreSQL fast path for CSV --------------------------------------------------------------
# On PostgreSQL a CSV download is one ``COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)`` per
# dataset: the database writes the CSV itself, about ten times faster than fetching the rows and
# writing them with Python's ``csv``. The SELECT gives exactly the bytes ``csv_stream`` gives for
# ``case_rows`` and ``allegation_rows`` (a test compares the two on the same data):
#
# - The filters and the order are the ORM's own: the same ``filter_publications`` and
#   ``filter_allegations`` querysets, compiled and wrapped, with the list's ORDER BY outside.
# - Codes and labels come from the same Python maps (categories in the request's language,
#   districts, dispositions, board decisions, responses), passed as array parameters and joined or
#   looked up in SQL; no text is ever put into the SQL itself.
# - Empty text is written as NULL: COPY quotes an empty string (``""``) where ``csv`` writes an
#   empty cell, and both write NULL (None) as an empty cell. COPY quotes a value exactly where
#   ``csv`` does (a comma, a double quote, a carriage return or a line feed).
# - COPY ends a row with ``\n`` and ``csv`` with ``\r\n``. The server sends one CopyData message per
#   row (the protocol says so), so the last byte of each message, and only that byte, becomes
#   ``\r\n``: a line feed inside a quoted value stays as it is, as ``csv`` leaves it.
# - ``published_at`` is written as ``datetime.isoformat()`` writes it in UTC (the connection's time
#   zone with USE_TZ): microseconds only when there are any, and ``+00:00``.

COPY_BUFFER = 256 * 1024

_TRUE_FALSE = "CASE WHEN {} THEN 'true' ELSE 'false' END"
# The distinct non-empty values of column {col} of the (n x 2) array {a}, in the order they first
# appear, joined with semicolons; spelled out for one and two rows (most cases), which is cheaper.
_FIRST_SEEN = """CASE {n}
  WHEN 0 THEN NULL
  WHEN 1 THEN NULLIF({a}[1][{col}], '')
  WHEN 2 THEN CASE
    WHEN NULLIF({a}[1][{col}], '') IS NULL OR {a}[1][{col}] = {a}[2][{col}] THEN NULLIF({a}[2][{col}], '')
    WHEN NULLIF({a}[2][{col}], '') IS NULL THEN {a}[1][{col}]
    ELSE {a}[1][{col}] || ';' || {a}[2][{col}] END
  ELSE (SELECT string_agg(u.v, ';' ORDER BY u.i) FROM (
    SELECT v, min(i) AS i FROM unnest({a}[:][{col}:{col}]) WITH ORDINALITY AS w(v, i) WHERE v <> '' GROUP BY v
  ) AS u)
END"""
_PSEUDONYM_SQL = "^Officer ([ABCDEFGHIJKLMNOPQRSTUVWXYZ]{1,3})$"  # ``disp._PSEUDONYM``, ASCII capitals
_ISO_UTC = (
    "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
    "|| CASE WHEN date_trunc('second', {0}) = {0} THEN '' ELSE to_char({0} AT TIME ZONE 'UTC', '.US') END "
    "|| '+00:00'"
)


def copy_possible() -> bool:
    """Whether CSV downloads go through COPY: on PostgreSQL, with datetimes in UTC (``isoformat``'s
    offset is then always ``+00:00``) and the officer pseudonym written with one letter slot."""
    return (
        connection.vendor == "postgresql"
        and settings.USE_TZ
        and connection.timezone_name == "UTC"
        and _pseudonym_parts() is not None
    )


def _pseudonym_parts() -> tuple[str, str] | None:
    """The translated "Officer %(letter)s" as the text before and after the letter."""
    marker = "\x00"
    parts = (str(OFFICER_PSEUDONYM) % {"letter": marker}).split(marker)
    return (parts[0], parts[1]) if len(parts) == 2 else None


def _map_params(mapping: dict[Any, Any]) -> tuple[list[Any], list[Any]]:
    keys = list(mapping)
    return keys, [mapping[key] for key in keys]


def _sql_of(queryset: Any) -> tuple[str, tuple]:
    return queryset.query.get_compiler(connection=connection).as_sql()


def _case_copy_select(filters: disp.Filters, choices: disp.FilterChoices) -> tuple[str, list[Any]]:
    labels = _labels(choices)
    inner = (
        disp.filter_publications(published_publications(), filters, choices)
        .order_by()
        .values(**{f"x_{name}": F(name) for name in (*CASE_FIELDS, *SUMMARY_FIELDS)})
    )
    inner_sql, inner_params = _sql_of(inner)
    district_ids, districts = _map_params(labels.districts)
    category_ids, categories = _map_params(labels.categories)
    decision_codes, decision_labels = _map_params(labels.board_decisions)
    # The allegations' summary as the publication stores it (publication/summaries.py). Only while
    # some published version has none is it worked out from the allegations, for those versions.
    lateral, lateral_params = "", []
    count, classes, findings = "q.x_allegation_count", "NULLIF(q.x_category_classes, '')", "NULLIF(q.x_findings, '')"
    if published_publications().filter(allegation_count__isnull=True).exists():
        count = "COALESCE(q.x_allegation_count, s.n)"
        worked_out = "CASE WHEN q.x_allegation_count IS NULL THEN {} ELSE {} END"
        classes = worked_out.format(_FIRST_SEEN.format(n="s.n", a="s.pairs", col=1), classes)
        findings = worked_out.format(_FIRST_SEEN.format(n="s.n", a="s.pairs", col=2), findings)
        lateral = """
LEFT JOIN LATERAL (
  SELECT count(*) AS n, array_agg(
    ARRAY[(%s::text[])[array_position(%s::bigint[], a.category_class_id::bigint)], a.disposition::text]
    ORDER BY a."position", a.id
  ) AS pairs
  FROM "publication_publishedallegation" AS a
  WHERE a.publication_id = q.x_id AND q.x_allegation_count IS NULL
) AS s ON true"""
        lateral_params = [[c.code for c in categories], category_ids]
    # Only constants and the ORM's own compiled SQL are formatted in; every value is a parameter.
    sql = f"""
SELECT q.x_public_id, q.x_version, {_TRUE_FALSE.format("q.x_supersedes_id IS NOT NULL")},
  {_ISO_UTC.format("q.x_published_at")},
  q.x_incident_year, q.x_incident_month, NULLIF(d.code, ''), NULLIF(d.name, ''), q.x_received_year,
  to_char(q.x_decision_date, 'YYYY-MM-DD'), q.x_decision_year, NULLIF(q.x_board_decision, ''),
  NULLIF(COALESCE((%s::text[])[array_position(%s::text[], q.x_board_decision::text)], q.x_board_decision), ''),
  {count}, {classes}, {findings},
  NULLIF(q.x_summary, ''), NULLIF(q.x_discipline_outcome, ''), NULLIF(q.x_department_response, '')
FROM ({inner_sql}) AS q
LEFT JOIN unnest(%s::bigint[], %s::text[], %s::text[]) AS d(id, code, name) ON d.id = q.x_district_id{lateral}
ORDER BY q.x_decision_date DESC, q.x_id DESC"""  # noqa: S608  # nosec B608
    params = [
        decision_labels,
        decision_codes,
        *inner_params,
        district_ids,
        [d.code for d in districts],
        [d.name for d in districts],
        *lateral_params,
    ]
    return sql, params


def _allegation_copy_select(filters: disp.Filters, choices: disp.FilterChoices) -> tuple[str, list[Any]]:
    labels = _labels(choices)
    cases = disp.filter_publications(published_publications(), filters, choices)
    allegations = disp.filter_allegations(
        PublishedAllegation.objects.filter(publication__in=cases.values("id")),
        replace(filters, year=None, district=""),
        choices,
    )
    fields = {
        "x_id": F("id"),
        "x_public_id": F("publication__public_id"),
        "x_decision_year": F("publication__decision_year"),
        "x_district_id": F("publication__district_id"),
        **{f"x_{name}": F(name) for name in ALLEGATION_ROW_FIELDS if not name.startswith("publication")},
        "x_decision_date": F("publication__decision_date"),
        "x_publication_id": F("publication_id"),
    }
    inner_sql, inner_params = _sql_of(allegations.order_by().values(**fields))
    district_ids, districts = _map_params(labels.districts)
    category_ids, categories = _map_params(labels.categories)
    disposition_codes, disposition_labels = _map_params(labels.dispositions)
    response_codes, response_labels = _map_params(labels.responses)
    before, after = _pseudonym_parts() or ("", "")
    sql = f"""
SELECT q.x_public_id, q.x_position, q.x_decision_year, NULLIF(d.code, ''),
  NULLIF(k.code, ''), NULLIF(k.label, ''), NULLIF(c.code, ''), NULLIF(c.label, ''),
  NULLIF(q.x_disposition, ''),
  NULLIF(COALESCE((%s::text[])[array_position(%s::text[], q.x_disposition::text)], q.x_disposition), ''),
  NULLIF(CASE
    WHEN q.x_officer_disclosed AND q.x_officer_name <> '' THEN q.x_officer_name
    WHEN q.x_officer_label ~ %s THEN %s || substring(q.x_officer_label FROM %s) || %s
    ELSE q.x_officer_label
  END, ''),
  {_TRUE_FALSE.format("q.x_officer_disclosed")},
  CASE WHEN q.x_officer_disclosed THEN NULLIF(q.x_officer_name, '') END,
  CASE WHEN q.x_officer_disclosed THEN NULLIF(q.x_officer_badge, '') END,
  NULLIF(q.x_recommended_discipline, ''), NULLIF(q.x_department_response, ''),
  NULLIF((%s::text[])[array_position(%s::text[], q.x_department_response::text)], ''),
  NULLIF(q.x_discipline_imposed, '')
FROM ({inner_sql}) AS q
LEFT JOIN unnest(%s::bigint[], %s::text[]) AS d(id, code) ON d.id = q.x_district_id
LEFT JOIN unnest(%s::bigint[], %s::text[], %s::text[]) AS c(id, code, label) ON c.id = q.x_category_id
LEFT JOIN unnest(%s::bigint[], %s::text[], %s::text[]) AS k(id, code, label) ON k.id = q.x_category_class_id
ORDER BY q.x_decision_date DESC, q.x_publication_id DESC, q.x_position, q.x_id"""  # noqa: S608  # nosec B608
    category_params = [category_ids, [c.code for c in categories], [c.label for c in categories]]
    params = [
        disposition_labels,
        disposition_codes,
        _PSEUDONYM_SQL,
        before,
        _PSEUDONYM_SQL,
        after,
        response_labels,
        response_codes,
        *inner_params,
        district_ids,
        [d.code for d in districts],
        *category_params,
        *category_params,
    ]
    return sql, params


COPY_SELECTS: dict[str, Callable[[disp.Filters, disp.FilterChoices], tuple[str, list[Any]]]] = {
    "cases": _case_copy_select,
    "allegations": _allegation_copy_select,
}


def copy_csv_stream(dataset: Dataset, filters: disp.Filters, choices: disp.FilterChoices) -> Iterator[bytes]:
    """The CSV download of ``dataset`` written by PostgreSQL: the same bytes as ``csv_stream``, about
    ``COPY_BUFFER`` bytes at a time. Run it inside ``_in_one_snapshot``."""
    sql, params = COPY_SELECTS[dataset.key](filters, choices)
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    yield next(csv_stream(dataset, ())).encode()
    if connection.queries_logged:  # so that a test capturing the SQL sees what the download reads
        connection.queries_log.append({"sql": statement, "time": "0.000"})
    with connection.cursor() as cursor:
        if not connection.get_autocommit():
            # Compiling this one query costs more than it saves (about half a second).
            cursor.execute("SET LOCAL jit = off")
        yield from _copy_rows(cursor, statement, params)


def _copy_rows(cursor: Any, statement: str, params: list[Any]) -> Iterator[bytes]:
    """The rows COPY sends, each ending with ``\r\n`` instead of its ``\n``, about ``COPY_BUFFER``
    bytes at a time."""
    rows: list[Any] = []
    size = 0
    with cursor.cursor.copy(statement, params) as copy:
        for data in copy:
            if data[-1] != 10:  # One message is one row, ending with its line feed (never seen otherwise).
                raise RuntimeError("COPY sent a message that is not one row")
            rows.append(data[:-1])
            size += len(data)
            if size >= COPY_BUFFER:
                rows.append(b"")
                yield b"\r\n".join(rows)
                rows.clear()
                size = 0
    if rows:
        rows.append(b"")
        yield b"\r\n".join(rows)


def _in_one_snapshot(chunks: Iterator[str]) -> Iterator[str]:
    """On PostgreSQL, read the whole download in one read-only, repeatable-read transaction: the
    server-side cursors then really stream (outside a transaction Django declares them WITH HOLD,
    and the server copies every row before the first is sent), and the cases and their allegations
    come from one snapshot. SQLite reads in chunks without a transaction, which there would lock
    out writers (a case changed during the download may then lack its allegations)."""
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        yield from chunks
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield from chunks


def download_response(
    dataset: str, fmt: str, filters: disp.Filters, choices: disp.FilterChoices
) -> StreamingHttpResponse:
    definition = DATASETS[dataset]
    if fmt == "csv" and copy_possible():
        chunks = copy_csv_stream(definition, filters, choices)
    else:
        rows = ROWS[dataset](filters, choices)
        chunks = csv_stream(definition, rows) if fmt == "csv" else json_stream(definition, rows)
    response = StreamingHttpResponse(_in_one_snapshot(chunks), content_type=CONTENT_TYPES[fmt])
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{dataset}-{day}.{fmt}"'
    return response


# --- Code lists for the dictionary ------------------------------------------------------------------


def code_lists() -> list[dict[str, Any]]:
    """The codes the downloads use, with their meaning in the reader's language."""
    language = get_language()
    categories = list(AllegationCategory.objects.only("id", "code", "name", "translations", "parent_id", "sort_order"))
    by_id = {c.pk: c for c in categories}
    classes = sorted((c for c in categories if c.parent_id is None), key=lambda c: (c.sort_order, c.name))
    category_rows = []
    for top in classes:
        category_rows.append((top.code, top.localized_name(language), ""))
        for child in sorted((c for c in categories if c.parent_id == top.pk), key=lambda c: (c.sort_order, c.name)):
            category_rows.append((child.code, child.localized_name(language), by_id[top.pk].code))
    return [
        {
            "key": "dispositions",
            "title": _("Dispositions (findings)"),
            "headings": (_("Code"), _("Finding"), _("What it means")),
            "rows": [(value, str(label), outcome_sentence(value)) for value, label in Disposition.choices],
        },
        {
            "key": "categories",
            "title": _("Allegation categories"),
            "headings": (_("Code"), _("Category"), _("Kind of allegation (class code)")),
            "rows": category_rows,
        },
        {
            "key": "districts",
            "title": _("Districts"),
            "headings": (_("Code"), _("District"), ""),
            "rows": [(code, name, "") for code, name, _ids in disp.filter_choices().districts],
        },
        {
            "key": "board-decisions",
            "title": _("Board decisions"),
            "headings": (_("Code"), _("Decision"), _("What it means")),
            "rows": [
                (value, disp.board_decision_label(value), str(disp.BOARD_DECISION_TEXT[value]))
                for value in disp.BOARD_DECISION_TEXT
            ],
        },
        {
            "key": "department-responses",
            "title": _("Department responses"),
            "headings": (_("Code"), _("Response"), ""),
            "rows": [
                (value, disp.department_response_label(value), "") for value in DepartmentResponse.Response.values
            ],
        },
        {
            "key": "discipline",
            "title": _("Recommended discipline"),
            "headings": (_("Code"), _("Discipline"), ""),
            "rows": [(value, disp.discipline_label(value), "") for value in settings.DISCIPLINE_SCALE],
        },
    ]


# --- The dashboard's tables -----------------------------------------------------------------------------


def statistics_tables() -> tuple[list[dict[str, Any]], datetime | None]:
    """Each dashboard table with its columns and download addresses, and when the numbers were
    computed; nothing before the first computation. Read from the statistics snapshot only."""
    found = statistics.published_statistics()
    if found is None:
        return [], None
    tables = []
    for table in found.tables:
        links = {
            fmt: reverse("public_portal:statistics_download", kwargs={"key": table.key, "format": fmt})
            for fmt in FORMATS
        }
        tables.append(
            {
                "key": table.key,
                "title": table.title,
                "description": table.description,
                "row_heading": table.row_heading,
                "columns": list(zip(table.column_keys, table.column_headings, strict=True)),
                "csv_url": links["csv"],
                "json_url": links["json"],
            }
        )
    return tables, found.as_of


# --- Views -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def open_data(request: HttpRequest) -> HttpResponse:
    tables, statistics_as_of = statistics_tables()
    return render(
        request,
        "public_portal/opendata/index.html",
        {
            "datasets": DATASETS.values(),
            "formats": FORMATS,
            "as_of": disp.dispositions_as_of(),
            "statistics_tables": tables,
            "statistics_as_of": statistics_as_of,
            "threshold": settings.PUBLIC_MIN_CELL,
        },
    )


@require_http_methods(["GET", "HEAD"])
def data_dictionary(request: HttpRequest) -> HttpResponse:
    tables, statistics_as_of = statistics_tables()
    return render(
        request,
        "public_portal/opendata/dictionary.html",
        {
            "datasets": DATASETS.values(),
            "types": TYPES,
            "code_lists": code_lists(),
            "statistics_columns": statistics_columns(),
            "suppression_note": SUPPRESSION_NOTE
            % {"threshold": settings.PUBLIC_MIN_CELL, "next": settings.PUBLIC_MIN_CELL + 1},
            "as_of": disp.dispositions_as_of(),
            "statistics_tables": tables,
            "statistics_as_of": statistics_as_of,
        },
    )


@require_http_methods(["GET", "HEAD"])
def download(request: HttpRequest, dataset: str, format: str) -> HttpResponse:
    if dataset not in DATASETS or format not in FORMATS:
        raise Http404
    choices = disp.filter_choices()
    form = disp.DispositionFilterForm(request.GET or None, choices=choices)
    filters = form.filters()
    if form.is_bound and form.errors:
        add_usa_classes(form)
        return render(
            request,
            "public_portal/opendata/bad_filter.html",
            {"form": form, "forms_with_errors": [form], "dataset": DATASETS[dataset]},
            status=400,
        )
    return download_response(dataset, format, filters, choices)
