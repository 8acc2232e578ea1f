"""The SQL the measures are counted with: local dates, whole days between two of them, and the
median and 90th percentile of a set of day counts, the same on SQLite and PostgreSQL.

A percentile is PostgreSQL's ``percentile_cont``: the values sorted, position ``p × (n − 1)``
counted from 0, and between the two values either side of that position a straight line (linear
interpolation). The median of 2, 4, 9, 10 is 6.5; their 90th percentile is 9.7. On PostgreSQL the
database works it out (``percentile_cont(p) WITHIN GROUP (ORDER BY days)``, grouped as asked); on
SQLite, which has no such aggregate, one query reads the day counts in order and ``interpolate``
works it out the same way, in the same double-precision arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Count, Expression, F, FloatField, Func, IntegerField, QuerySet, Value
from django.db.models.functions import Greatest, TruncDate

MEDIAN = 0.5
P90 = 0.9


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_date(expression: Any) -> TruncDate:
    """The calendar date, in the office's time zone, of a moment (a field name or an expression)."""
    if isinstance(expression, str):
        expression = F(expression)
    return TruncDate(expression, tzinfo=local_zone())


class DaysBetween(Func):
    """Whole days from the date ``earlier`` to the date ``later`` (both date expressions), as an
    integer: 0 for the same day, 1 for the next."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        # PostgreSQL subtracts dates to an integer of days.
        return super().as_sql(compiler, connection, template="((%(expressions)s))", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps dates as ISO text: julianday() gives their day numbers.
        return super().as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def days_between(later: Any, earlier: Any) -> Expression:
    """Whole days from ``earlier`` to ``later``, never fewer than 0 (a record dated before the
    complaint it belongs to counts as the same day)."""
    return Greatest(DaysBetween(later, earlier), Value(0), output_field=IntegerField())


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(fraction) WITHIN GROUP (ORDER BY x)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction from 0 to 1.")
        # A literal of our own making, never input: written into the SQL as a number.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def interpolate(ordered: Sequence[float], fraction: float) -> float | None:
    """``percentile_cont`` of values already sorted: None for no values."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    first, second = float(ordered[low]), float(ordered[high])
    return first + (second - first) * (position - low)


@dataclass(frozen=True)
class Spread:
    """How many values, and their median and 90th percentile (None when there are none)."""

    count: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, ordered: Sequence[float]) -> Spread:
        return cls.made(len(ordered), interpolate(ordered, MEDIAN), interpolate(ordered, P90))

    @classmethod
    def made(cls, count: int, median: float | None, p90: float | None) -> Spread:
        # Rounded far below what is shown, so that both databases' last bits agree.
        return cls(count, _rounded(median), _rounded(p90))

    def as_data(self) -> dict[str, Any]:
        return {"count": self.count, "median": self.median, "p90": self.p90}

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Spread:
        data = data or {}
        return cls(int(data.get("count") or 0), data.get("median"), data.get("p90"))


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def spreads(queryset: QuerySet, days: Expression, *, group: str | None = None) -> dict[Any, Spread]:
    """The ``Spread`` of ``days`` over the rows of ``queryset``, per value of the field ``group``
    (one entry, key None, without it). One query on either database; groups with no rows are absent."""
    queryset = queryset.order_by().annotate(measured_days=days)
    if connection.vendor == "postgresql":
        measures = {
            "n": Count("pk"),
            "median": PercentileCont(F("measured_days"), MEDIAN),
            "p90": PercentileCont(F("measured_days"), P90),
        }
        if group is None:
            found = queryset.aggregate(**measures)
            rows = [(None, found["n"], found["median"], found["p90"])]
        else:
            rows = queryset.values(group).annotate(**measures).values_list(group, "n", "median", "p90")
        return {key: Spread.made(n, median, p90) for key, n, median, p90 in rows if n}
    if group:
        rows: Iterable[tuple[Any, int]] = queryset.order_by(group, "measured_days").values_list(group, "measured_days")
        return {key: Spread.of([days for _key, days in items]) for key, items in groupby(rows, key=lambda r: r[0])}
    ordered = list(queryset.order_by("measured_days").values_list("measured_days", flat=True))
    return {None: Spread.of(ordered)} if ordered else {}


def spreads_with_total(queryset: QuerySet, days: Expression, *, group: str) -> tuple[dict[Any, Spread], Spread]:
    """``spreads`` per value of ``group`` and over every row together: two queries on PostgreSQL
    (grouped, then whole), one on SQLite (the ordered rows, split here)."""
    if connection.vendor == "postgresql":
        return spreads(queryset, days, group=group), spreads(queryset, days).get(None, Spread())
    rows = list(
        queryset.order_by()
        .annotate(measured_days=days)
        .order_by(group, "measured_days")
        .values_list(group, "measured_days")
    )
    grouped = {key: Spread.of([value for _key, value in items]) for key, items in groupby(rows, key=lambda r: r[0])}
    return grouped, Spread.of(sorted(value for _key, value in rows))
