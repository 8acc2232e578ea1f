"""What the measures page shows: tables of numbers, each drawn as a chart beside it and downloadable
as CSV.

A ``MeasureTable`` holds rows of plain values (a whole number for a count, a number of days that may
carry a half or a tenth for a median or a percentile, None for "nothing to measure"). The page and
the CSV read the same rows, so the download is the table. ``chart_table`` gives the duck-typed
table ``oversight.charts`` draws from (its bars are whole numbers: days are rounded to the day; the
table beside the chart gives the exact value).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oversight.audit_log.export import safe_cell

COUNT = "count"
DAYS = "days"


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str = COUNT


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class MeasureTable:
    key: str
    title: str
    description: str
    row_heading: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    # "now": as the records stand at the moment of reading; "period": what happened in the period.
    scope: str
    totals: Row | None = None
    chart: str = "bar"
    # The columns the chart draws (indexes into ``columns``).
    chart_columns: tuple[int, ...] = (0,)
    # What the page says instead of the table when there is nothing to count.
    empty: str = ""

    @property
    def column_headings(self) -> tuple[str, ...]:
        return tuple(column.heading for column in self.columns)

    @property
    def is_empty(self) -> bool:
        """Nothing to count: no rows, or every count zero and every time unmeasured."""
        return not any(value for row in self.rows for value in row.values)

    def row(self, key: str) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def value(self, row_key: str, column_key: str) -> Any:
        index = [column.key for column in self.columns].index(column_key)
        return self.row(row_key).values[index]

    def display_rows(self) -> list[tuple[Row, list[str]]]:
        return [(row, self._display(row)) for row in self.rows]

    def display_totals(self) -> list[str] | None:
        return self._display(self.totals) if self.totals is not None else None

    def _display(self, row: Row) -> list[str]:
        return [display(value, column.kind) for value, column in zip(row.values, self.columns, strict=True)]


def display(value: Any, kind: str = COUNT) -> str:
    """A value as the page shows it: counts grouped by thousands, days to one decimal place at
    most ("12", "12.5"), an em dash for nothing measured."""
    if value is None:
        return "—"
    if kind == DAYS:
        rounded = round(float(value), 1)
        places = 0 if rounded == int(rounded) else 1
        return number_format(rounded, decimal_pos=places, force_grouping=True)
    return number_format(int(value), force_grouping=True)


def format_days(value: float) -> str:
    """A number of days in words: "1 day", "12.5 days"."""
    rounded = round(float(value), 1)
    plural = int(rounded) if rounded == int(rounded) else 2
    return ngettext("%(days)s day", "%(days)s days", plural) % {"days": display(rounded, DAYS)}


def plain(value: Any, kind: str = COUNT) -> str:
    """A value as the CSV gives it: no grouping, a point for decimals, empty for nothing measured."""
    if value is None:
        return ""
    if kind == DAYS:
        rounded = round(float(value), 1)
        return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
    return str(int(value))


# --- CSV ------------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(table: MeasureTable) -> list[list[str]]:
    """The table as CSV rows: the headings, each row, then the totals when the table has them. Every
    cell passes ``safe_cell``: a label such as an investigator's name cannot run as a formula."""
    rows = [[table.row_heading, *table.column_headings]]
    for row in (*table.rows, *([table.totals] if table.totals is not None else [])):
        rows.append([row.label, *[plain(v, c.kind) for v, c in zip(row.values, table.columns, strict=True)]])
    return [[safe_cell(cell) for cell in row] for row in rows]


def csv_text(table: MeasureTable) -> str:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    # A byte-order mark, so spreadsheets read the file as UTF-8 (names and labels in Spanish).
    return "\ufeff" + "".join(writer.writerow(row) for row in csv_rows(table))


# --- Charts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    count: int | None
    suppressed: bool = False


@dataclass(frozen=True)
class _ChartRow:
    label: str
    cells: tuple[_Cell, ...]


@dataclass(frozen=True)
class ChartTable:
    key: str
    title: str
    chart: str
    column_headings: tuple[str, ...]
    rows: tuple[_ChartRow, ...] = field(default_factory=tuple)


def chart_table(table: MeasureTable) -> ChartTable:
    """What ``oversight.charts.chart_drawing`` draws for ``table``: its chart columns, in whole numbers."""
    columns = [table.columns[i] for i in table.chart_columns]

    def cell(value: Any) -> _Cell:
        return _Cell(None if value is None else int(round(float(value))))

    rows = tuple(_ChartRow(row.label, tuple(cell(row.values[i]) for i in table.chart_columns)) for row in table.rows)
    return ChartTable(
        key=f"measures-{table.key}",
        title=table.title,
        chart=table.chart,
        column_headings=tuple(column.heading for column in columns),
        rows=rows,
    )


def chart_note(table: MeasureTable) -> str:
    if any(column.kind == DAYS for column in (table.columns[i] for i in table.chart_columns)):
        return _("Bars are rounded to the whole day; the table gives the exact number.")
    return ""
