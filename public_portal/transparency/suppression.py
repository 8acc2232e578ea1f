"""Small-cell suppression for every number the public sees.

A count from 1 to ``threshold`` (``settings.PUBLIC_MIN_CELL``, 10 by default) could point at a
person, so it is never published: it is shown as "fewer than 11" (*primary* suppression). Zero is
shown as 0. Other counts are then withheld too (*complementary* suppression) so that no hidden
count can be worked out by subtracting published numbers from a published total.

The attacker this module defends against knows every published count and total exactly, knows
that a count shown as "fewer than 11" lies in 1..threshold, that a withheld count is larger than
the threshold (withheld counts are never zero and never small: those are published as 0 or shown as
"fewer than 11"), and that every count is a whole number. A hidden count is safe when at least two
values are consistent with all of that.

How it works. Every table is a flow network: a one-way series is a bundle of parallel edges
(the cells) from a source to a sink, closed by an edge back (the total); a two-way table is
source -> row -> column -> sink with the row totals, cells, column totals and grand total as
edges; two tables that share their column totals are chained source -> row of the first ->
column -> column' -> row of the second -> sink. The published numbers fix some edges, hidden ones
only bound them. Such systems are totally unimodular, so a hidden edge can take a value other than
its true one exactly when the residual graph holds a cycle through it (moving one unit round the
cycle keeps every row and column sum). The audit (:func:`pinned_edges`) is therefore exact: it
searches for such a cycle for every hidden edge. When an edge has none, the cheapest set of
published counts whose withholding closes a cycle is found with a shortest-path search (cost: how
many totals, then the sum of the counts, then how many cells), withheld, and the audit runs
again. Withholding only widens what an attacker must consider, so a protected edge stays protected
and the loop ends. Ties are broken by the order of the keys as given, so the same input always
gives the same output.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


class SuppressionError(ValueError):
    """The counts cannot be published safely (or were not valid counts)."""


class Status(Enum):
    PUBLISHED = "published"
    # 1..threshold: shown as "fewer than {threshold + 1}".
    SMALL = "small"
    # Larger than the threshold, withheld so that a small count cannot be worked out.
    WITHHELD = "withheld"


@dataclass(frozen=True)
class Cell:
    """One number as the public may see it. A hidden cell does not keep its true count.

    ``as_json()`` gives an int for a published count, ``{"suppressed": true, "min": 1, "max": 10}``
    for a small count, and ``{"suppressed": true, "min": 11, "max": null}`` for a withheld one.
    ``as_csv()`` gives ``"12"``, ``"<11"`` or ``"withheld"``.
    """

    status: Status
    threshold: int
    count: int | None = None

    @classmethod
    def published(cls, count: int, threshold: int) -> Cell:
        return cls(Status.PUBLISHED, threshold, count)

    @property
    def suppressed(self) -> bool:
        return self.status is not Status.PUBLISHED

    def display(self) -> str:
        """The text a reader sees, translated."""
        if self.status is Status.PUBLISHED:
            return number_format(self.count, force_grouping=True)
        if self.status is Status.SMALL:
            return gettext("fewer than %(limit)s") % {"limit": self.threshold + 1}
        return gettext("withheld")

    def as_json(self) -> int | dict:
        if self.status is Status.PUBLISHED:
            return self.count
        if self.status is Status.SMALL:
            return {"suppressed": True, "min": 1, "max": self.threshold}
        return {"suppressed": True, "min": self.threshold + 1, "max": None}

    def as_csv(self) -> str:
        if self.status is Status.PUBLISHED:
            return str(self.count)
        if self.status is Status.SMALL:
            return f"<{self.threshold + 1}"
        return "withheld"

    def __str__(self) -> str:
        return self.display()


@dataclass(frozen=True)
class SuppressedSeries(Generic[K]):
    cells: dict[K, Cell]
    total: Cell | None


@dataclass(frozen=True)
class SuppressedTable(Generic[R, C]):
    cells: dict[R, dict[C, Cell]]
    row_totals: dict[R, Cell] | None
    col_totals: dict[C, Cell] | None
    grand_total: Cell | None


# --- The network -------------------------------------------------------------------------------

# What is known about an edge: fixed to its count (published), hidden in 1..threshold (small),
# hidden above the threshold (withheld), or not published at all (any count >= 0).
_FIXED, _SMALL, _WITHHELD, _FREE = "fixed", "small", "withheld", "free"


class _Network:
    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.node_count = 0
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.values: list[int] = []
        self.kinds: list[str] = []
        self.is_total: list[bool] = []
        self.out_edges: list[list[int]] = []
        self.in_edges: list[list[int]] = []

    def node(self) -> int:
        self.out_edges.append([])
        self.in_edges.append([])
        self.node_count += 1
        return self.node_count - 1

    def edge(self, tail: int, head: int, value: int, *, published: bool, is_total: bool) -> int:
        if not published:
            kind = _FREE
        elif 1 <= value <= self.threshold:
            kind = _SMALL
        else:
            kind = _FIXED
        self.tails.append(tail)
        self.heads.append(head)
        self.values.append(value)
        self.kinds.append(kind)
        self.is_total.append(is_total)
        index = len(self.values) - 1
        self.out_edges[tail].append(index)
        self.in_edges[head].append(index)
        return index

    def _bounds(self, e: int) -> tuple[int, int | None]:
        kind = self.kinds[e]
        if kind == _FIXED:
            return self.values[e], self.values[e]
        if kind == _SMALL:
            return 1, self.threshold
        if kind == _WITHHELD:
            return self.threshold + 1, None
        return 0, None

    def can_increase(self, e: int) -> bool:
        upper = self._bounds(e)[1]
        return upper is None or self.values[e] < upper

    def can_decrease(self, e: int) -> bool:
        return self.values[e] > self._bounds(e)[0]

    def _arcs_from(self, node: int):
        """Residual arcs leaving ``node`` as (edge, other end, forward?)."""
        for e in self.out_edges[node]:
            yield e, self.heads[e], True
        for e in self.in_edges[node]:
            yield e, self.tails[e], False

    def _reaches(self, start: int, goal: int, skip: int) -> bool:
        seen = {start}
        stack = [start]
        while stack:
            node = stack.pop()
            for e, other, forward in self._arcs_from(node):
                if e == skip or other in seen:
                    continue
                if not (self.can_increase(e) if forward else self.can_decrease(e)):
                    continue
                if other == goal:
                    return True
                seen.add(other)
                stack.append(other)
        return False

    def is_hidden(self, e: int) -> bool:
        return self.kinds[e] in (_SMALL, _WITHHELD)

    def is_pinned(self, e: int) -> bool:
        """True when the published numbers leave only one value for hidden edge ``e``."""
        tail, head = self.tails[e], self.heads[e]
        up = self.can_increase(e) and self._reaches(head, tail, e)
        return not (up or (self.can_decrease(e) and self._reaches(tail, head, e)))

    def _cheapest_path(self, start: int, goal: int, skip: int):
        """Cheapest residual path once some published counts are withheld; returns (cost, edges)."""
        best = {start: (0, 0, 0)}
        via: dict[int, int] = {}
        heap = [((0, 0, 0), start)]
        while heap:
            cost, node = heapq.heappop(heap)
            if node == goal:
                path = []
                while node != start:
                    e = via[node]
                    path.append(e)
                    node = self.tails[e] if self.heads[e] == node else self.heads[e]
                return cost, path
            if cost > best[node]:
                continue
            for e, other, forward in self._arcs_from(node):
                if e == skip:
                    continue
                step = self._step_cost(e, forward)
                if step is None:
                    continue
                new = (cost[0] + step[0], cost[1] + step[1], cost[2] + step[2])
                if other not in best or new < best[other]:
                    best[other] = new
                    via[other] = e
                    heapq.heappush(heap, (new, other))
        return None

    def _step_cost(self, e: int, forward: bool) -> tuple[int, int, int] | None:
        if self.kinds[e] != _FIXED:
            usable = self.can_increase(e) if forward else self.can_decrease(e)
            return (0, 0, 0) if usable else None
        value = self.values[e]
        if value == 0:
            return None
        # Once withheld the edge lies in threshold+1..: it can always grow, and shrink if above that.
        if not forward and value <= self.threshold + 1:
            return None
        return (1, value, 0) if self.is_total[e] else (0, value, 1)

    def protect(self) -> None:
        """Withhold published counts until no hidden edge is pinned."""
        queue = [e for e in range(len(self.values)) if self.is_hidden(e)]
        position = 0
        while position < len(queue):
            e = queue[position]
            position += 1
            if not self.is_pinned(e):
                continue
            tail, head = self.tails[e], self.heads[e]
            options = []
            if self.can_increase(e):
                found = self._cheapest_path(head, tail, e)
                if found:
                    options.append(found)
            if self.can_decrease(e):
                found = self._cheapest_path(tail, head, e)
                if found:
                    options.append(found)
            if not options:
                raise SuppressionError("These counts cannot be published without revealing a small count.")
            _cost, path = min(options, key=lambda option: option[0])
            for edge in path:
                if self.kinds[edge] == _FIXED:
                    self.kinds[edge] = _WITHHELD
                    queue.append(edge)
        leaks = pinned_edges(self)
        if leaks:
            raise SuppressionError("Suppression audit failed.")

    def cell(self, e: int | None) -> Cell | None:
        if e is None or self.kinds[e] == _FREE:
            return None
        if self.kinds[e] == _SMALL:
            return Cell(Status.SMALL, self.threshold)
        if self.kinds[e] == _WITHHELD:
            return Cell(Status.WITHHELD, self.threshold)
        return Cell.published(self.values[e], self.threshold)


def pinned_edges(network: _Network) -> list[int]:
    """The exact audit: hidden edges whose value the published numbers determine."""
    return [e for e in range(len(network.values)) if network.is_hidden(e) and network.is_pinned(e)]


# --- Public API --------------------------------------------------------------------------------


def _threshold(threshold: int | None) -> int:
    value = settings.PUBLIC_MIN_CELL if threshold is None else threshold
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        # With a threshold of 1, "fewer than 2" would mean exactly 1: nothing would be hidden.
        raise SuppressionError("The minimum cell size must be a whole number of at least 2.")
    return value


def _check_count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SuppressionError(f"Counts must be whole numbers of at least 0, not {value!r}.")
    return value


def suppress_series(
    counts: Mapping[K, int], total: int | None = None, *, threshold: int | None = None
) -> SuppressedSeries[K]:
    """Suppress a one-way table (counts by category, by district...).

    ``total`` is the published total, which must equal the sum of ``counts``; pass None when no
    total is shown. A total of 1..threshold is itself shown as "fewer than ...".
    """
    limit = _threshold(threshold)
    values = {key: _check_count(value) for key, value in counts.items()}
    if total is not None and _check_count(total) != sum(values.values()):
        raise SuppressionError("The published total must be the sum of the counts.")
    network = _Network(limit)
    source, sink = network.node(), network.node()
    edges = {key: network.edge(source, sink, value, published=True, is_total=False) for key, value in values.items()}
    total_edge = network.edge(sink, source, sum(values.values()), published=total is not None, is_total=True)
    network.protect()
    return SuppressedSeries(
        cells={key: network.cell(e) for key, e in edges.items()},
        total=network.cell(total_edge),
    )


def _columns(rows: Mapping[R, Mapping[C, int]]) -> list[C]:
    columns: dict[C, None] = {}
    for row in rows.values():
        for column in row:
            columns.setdefault(column, None)
    return list(columns)


def _add_table(
    network: _Network,
    rows: Mapping[R, Mapping[C, int]],
    columns: list[C],
    column_nodes: dict[C, int],
    outer: int,
    *,
    row_totals: bool,
    into_rows: bool,
) -> tuple[dict[R, dict[C, int]], dict[R, int]]:
    """Add the cells and row totals; rows hang off ``outer`` (the source, or the sink when reversed)."""
    cells: dict[R, dict[C, int]] = {}
    totals: dict[R, int] = {}
    for key, row in rows.items():
        counts = {column: _check_count(row.get(column, 0)) for column in columns}
        node = network.node()
        row_sum = sum(counts.values())
        if into_rows:
            totals[key] = network.edge(outer, node, row_sum, published=row_totals, is_total=True)
        cells[key] = {}
        for column in columns:
            if into_rows:
                cells[key][column] = network.edge(
                    node, column_nodes[column], counts[column], published=True, is_total=False
                )
            else:
                cells[key][column] = network.edge(
                    column_nodes[column], node, counts[column], published=True, is_total=False
                )
        if not into_rows:
            totals[key] = network.edge(node, outer, row_sum, published=row_totals, is_total=True)
    return cells, totals


def _result(network, cells, row_edges, column_cells, grand_edge, *, row_totals, col_totals, grand_total):
    return SuppressedTable(
        cells={key: {column: network.cell(e) for column, e in row.items()} for key, row in cells.items()},
        row_totals={key: network.cell(e) for key, e in row_edges.items()} if row_totals else None,
        col_totals=column_cells if col_totals else None,
        grand_total=network.cell(grand_edge) if grand_total else None,
    )


def suppress_table(
    rows: Mapping[R, Mapping[C, int]],
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    grand_total: bool = True,
    threshold: int | None = None,
) -> SuppressedTable[R, C]:
    """Suppress a two-way table (``rows[row][column] = count``) and whichever totals are published.

    A column missing from a row counts as 0. Totals of 1..threshold are shown as "fewer than ...";
    every hidden number, cell or total, keeps at least two possible values given everything
    published in this table.
    """
    limit = _threshold(threshold)
    network = _Network(limit)
    columns = _columns(rows)
    source, sink = network.node(), network.node()
    column_nodes = {column: network.node() for column in columns}
    cells, row_edges = _add_table(network, rows, columns, column_nodes, source, row_totals=row_totals, into_rows=True)
    col_edges = {
        column: network.edge(
            column_nodes[column],
            sink,
            sum(network.values[row[column]] for row in cells.values()),
            published=col_totals,
            is_total=True,
        )
        for column in columns
    }
    grand = sum(network.values[e] for e in col_edges.values())
    grand_edge = network.edge(sink, source, grand, published=grand_total, is_total=True)
    network.protect()
    column_cells = {column: network.cell(e) for column, e in col_edges.items()}
    return _result(
        network,
        cells,
        row_edges,
        column_cells,
        grand_edge,
        row_totals=row_totals,
        col_totals=col_totals,
        grand_total=grand_total,
    )


def suppress_linked(
    first: Mapping[R, Mapping[C, int]],
    second: Mapping[K, Mapping[C, int]],
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    grand_total: bool = True,
    threshold: int | None = None,
) -> tuple[SuppressedTable[R, C], SuppressedTable[K, C]]:
    """Suppress two tables that count the same things by different rows and share their columns.

    Example: complaints by category and year, and complaints by district and year, both showing the
    per-year totals. The column totals must agree. The two are suppressed as one system, so a
    number hidden in one cannot be worked out with the help of the other: the shared column totals
    and the grand total are the same :class:`Cell` objects in both results.
    """
    limit = _threshold(threshold)
    columns = _columns(first)
    for column in _columns(second):
        if column not in columns:
            columns.append(column)
    network = _Network(limit)
    source, sink = network.node(), network.node()
    inbound = {column: network.node() for column in columns}
    outbound = {column: network.node() for column in columns}
    first_cells, first_rows = _add_table(
        network, first, columns, inbound, source, row_totals=row_totals, into_rows=True
    )
    second_cells, second_rows = _add_table(
        network, second, columns, outbound, sink, row_totals=row_totals, into_rows=False
    )
    col_edges = {}
    for column in columns:
        first_sum = sum(network.values[row[column]] for row in first_cells.values())
        second_sum = sum(network.values[row[column]] for row in second_cells.values())
        if first_sum != second_sum:
            raise SuppressionError(f"The two tables disagree on the total for {column!r}.")
        col_edges[column] = network.edge(
            inbound[column], outbound[column], first_sum, published=col_totals, is_total=True
        )
    grand = sum(network.values[e] for e in col_edges.values())
    grand_edge = network.edge(sink, source, grand, published=grand_total, is_total=True)
    network.protect()
    column_cells = {column: network.cell(e) for column, e in col_edges.items()}
    options = {"row_totals": row_totals, "col_totals": col_totals, "grand_total": grand_total}
    return (
        _result(network, first_cells, first_rows, column_cells, grand_edge, **options),
        _result(network, second_cells, second_rows, column_cells, grand_edge, **options),
    )
