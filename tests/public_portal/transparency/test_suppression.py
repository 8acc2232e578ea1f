"""Small-cell suppression: hand-worked examples, and properties checked by an independent solver.

The solver below knows nothing of how the module works (no flow networks): it takes only what a
reader of the published table knows (published counts and totals exactly, "fewer than N" as
1..threshold, "withheld" as more than the threshold, unpublished totals as any count) and looks
for a whole-number completion of the table in which a hidden number differs from its true value.
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from public_portal.transparency.suppression import (
    Cell,
    Status,
    SuppressedTable,
    SuppressionError,
    suppress_linked,
    suppress_series,
    suppress_table,
)


def csv_of(table):
    """The table as the text of a CSV download: cells, then row totals, column totals, grand total."""
    return {
        "cells": {row: {col: cell.as_csv() for col, cell in cols.items()} for row, cols in table.cells.items()},
        "rows": {row: cell.as_csv() for row, cell in table.row_totals.items()} if table.row_totals else None,
        "cols": {col: cell.as_csv() for col, cell in table.col_totals.items()} if table.col_totals else None,
        "grand": table.grand_total.as_csv() if table.grand_total else None,
    }


# --- Hand-worked examples --------------------------------------------------------------------


def test_series_with_one_small_count_hides_it_and_the_next_smallest():
    result = suppress_series({"force": 3, "arrest": 20, "search": 15, "other": 0}, total=38, threshold=10)

    assert {key: cell.as_csv() for key, cell in result.cells.items()} == {
        "force": "<11",
        "arrest": "20",
        "search": "withheld",
        "other": "0",
    }
    assert result.total.as_csv() == "38"


def test_series_without_small_counts_is_published_unchanged():
    result = suppress_series({"north": 12, "south": 40, "east": 0}, total=52, threshold=10)

    assert {key: cell.as_json() for key, cell in result.cells.items()} == {"north": 12, "south": 40, "east": 0}
    assert result.total.as_json() == 52


def test_two_ones_are_not_hidden_by_each_other_alone():
    # Hiding only the two 1s would leave 32 - 30 = 2 = 1 + 1: both would be known.
    result = suppress_series({"a": 1, "b": 1, "c": 30}, total=32, threshold=10)

    assert [cell.as_csv() for cell in result.cells.values()] == ["<11", "<11", "withheld"]
    assert result.total.as_csv() == "32"


def test_withheld_neighbour_that_would_pin_the_small_count_hides_the_total_instead():
    # Withholding the 11 would not help: a reader knows a withheld count is at least 11, so with the
    # total of 12 the small count would have to be 1. Hiding the total leaves it anywhere in 1..10.
    result = suppress_series({"a": 1, "b": 11}, total=12, threshold=10)

    assert [cell.as_csv() for cell in result.cells.values()] == ["<11", "11"]
    assert result.total.as_csv() == "withheld"


def test_series_without_a_total_hides_only_small_counts():
    result = suppress_series({"a": 4, "b": 30, "c": 12}, total=None, threshold=10)

    assert [cell.as_csv() for cell in result.cells.values()] == ["<11", "30", "12"]
    assert result.total is None


def test_three_by_three_table_with_one_small_cell_hides_the_cheapest_rectangle():
    rows = {
        "x": {"p": 2, "q": 30, "r": 40},
        "y": {"p": 25, "q": 35, "r": 45},
        "z": {"p": 50, "q": 60, "r": 70},
    }

    result = suppress_table(rows, threshold=10)

    # Rectangles through (x, p): y/q costs 25 + 35 + 30 = 90, the cheapest.
    assert csv_of(result) == {
        "cells": {
            "x": {"p": "<11", "q": "withheld", "r": "40"},
            "y": {"p": "withheld", "q": "withheld", "r": "45"},
            "z": {"p": "50", "q": "60", "r": "70"},
        },
        "rows": {"x": "72", "y": "105", "z": "180"},
        "cols": {"p": "77", "q": "125", "r": "155"},
        "grand": "357",
    }


def test_zeros_stay_zero_and_are_never_used_to_hide_a_count():
    rows = {"x": {"p": 0, "q": 4, "r": 0}, "y": {"p": 0, "q": 20, "r": 30}, "z": {"p": 0, "q": 0, "r": 0}}

    result = suppress_table(rows, threshold=10)

    # Row x's total is the 4 itself, and column q gives 24 - 20. No zero can be hidden, so (y, q) goes
    # with row y's total (a reader then knows only that (y, q) = 24 - (x, q) and row y = (y, q) + 30).
    assert csv_of(result) == {
        "cells": {
            "x": {"p": "0", "q": "<11", "r": "0"},
            "y": {"p": "0", "q": "withheld", "r": "30"},
            "z": {"p": "0", "q": "0", "r": "0"},
        },
        "rows": {"x": "<11", "y": "withheld", "z": "0"},
        "cols": {"p": "0", "q": "24", "r": "30"},
        "grand": "54",
    }


def test_small_row_total_is_shown_as_fewer_than():
    rows = {"x": {"p": 2, "q": 3}, "y": {"p": 40, "q": 50}}

    result = suppress_table(rows, threshold=10)

    # Withholding y's cells alone would leave row x's total at 95 - 90 = 5, so row y's total goes too;
    # then (x, p) and (x, q) can each be anything in 1..10 (y's cells are 42 - (x, p) and 53 - (x, q)).
    assert csv_of(result) == {
        "cells": {"x": {"p": "<11", "q": "<11"}, "y": {"p": "withheld", "q": "withheld"}},
        "rows": {"x": "<11", "y": "withheld"},
        "cols": {"p": "42", "q": "53"},
        "grand": "95",
    }


def test_linked_tables_share_their_hidden_year_totals():
    by_category = {"force": {"2024": 2, "2025": 40}}
    by_district = {"north": {"2024": 2, "2025": 15}, "south": {"2024": 0, "2025": 25}}

    categories, districts = suppress_linked(by_category, by_district, threshold=10)

    # On its own the category table gives 2024 = 42 - 40; the 2025 total and one district's 2025
    # count must go too. A reader is left with (force, 2024) anywhere in 1..6.
    assert csv_of(categories) == {
        "cells": {"force": {"2024": "<11", "2025": "withheld"}},
        "rows": {"force": "42"},
        "cols": {"2024": "<11", "2025": "withheld"},
        "grand": "42",
    }
    assert csv_of(districts) == {
        "cells": {"north": {"2024": "<11", "2025": "withheld"}, "south": {"2024": "0", "2025": "25"}},
        "rows": {"north": "17", "south": "25"},
        "cols": {"2024": "<11", "2025": "withheld"},
        "grand": "42",
    }


def test_linked_tables_must_agree_on_the_shared_totals():
    with pytest.raises(SuppressionError):
        suppress_linked({"a": {"2024": 12}}, {"b": {"2024": 13}}, threshold=10)


def test_counts_that_cannot_be_hidden_are_refused():
    # With a threshold of 2 both counts and the total read "fewer than 3"; the two non-zero counts
    # then add up to at most 2, so each is 1 whatever is hidden.
    with pytest.raises(SuppressionError):
        suppress_series({"a": 1, "b": 1, "c": 0}, total=2, threshold=2)


def test_threshold_comes_from_settings(settings):
    settings.PUBLIC_MIN_CELL = 5

    result = suppress_series({"a": 4, "b": 7, "c": 30}, total=None)

    assert [cell.as_csv() for cell in result.cells.values()] == ["<6", "7", "30"]
    assert result.cells["a"].display() == "fewer than 6"


def test_default_threshold_is_ten():
    result = suppress_series({"a": 10, "b": 11}, total=None)

    assert result.cells["a"].display() == "fewer than 11"
    assert result.cells["b"].display() == "11"


def test_cell_formats():
    small = Cell(Status.SMALL, 10)
    withheld = Cell(Status.WITHHELD, 10)
    shown = Cell.published(1234, 10)

    assert (small.display(), small.as_json(), small.as_csv()) == (
        "fewer than 11",
        {"suppressed": True, "min": 1, "max": 10},
        "<11",
    )
    assert (withheld.display(), withheld.as_json(), withheld.as_csv()) == (
        "withheld",
        {"suppressed": True, "min": 11, "max": None},
        "withheld",
    )
    assert (shown.display(), shown.as_json(), shown.as_csv()) == ("1,234", 1234, "1234")
    assert str(small) == "fewer than 11"
    assert small.count is None and withheld.count is None


@pytest.mark.parametrize(
    "call",
    [
        lambda: suppress_series({"a": 3, "b": 20}, total=24, threshold=10),
        lambda: suppress_series({"a": -1}, total=None, threshold=10),
        lambda: suppress_series({"a": 3}, total=None, threshold=1),
        lambda: suppress_table({"x": {"p": 2.5}}, threshold=10),
    ],
)
def test_bad_input_is_refused(call):
    with pytest.raises(SuppressionError):
        call()


def test_same_input_gives_same_output_at_fifty_by_fifty():
    generator = random.Random(7)
    rows = {r: {c: generator.choice([0, 1, 2, 3, 5, 8, 12, 20, 40, 100]) for c in range(50)} for r in range(50)}

    first = suppress_table(rows, threshold=10)

    assert csv_of(first) == csv_of(suppress_table(rows, threshold=10))


# --- The independent check -------------------------------------------------------------------


def _solve(lows, highs, equations):
    """Whether whole numbers within the bounds satisfy every ``sum(sign * x[var]) == rhs``.

    Bounds propagation with branching: complete for the small systems the tests build.
    """
    lows, highs = list(lows), list(highs)
    changed = True
    while changed:
        changed = False
        for terms, rhs in equations:
            for var, sign in terms:
                rest_low = sum(lows[v] if s > 0 else -highs[v] for v, s in terms if v != var)
                rest_high = sum(highs[v] if s > 0 else -lows[v] for v, s in terms if v != var)
                # sign * x = rhs - rest, rest in [rest_low, rest_high]
                low, high = rhs - rest_high, rhs - rest_low
                if sign < 0:
                    low, high = -high, -low
                if low > lows[var]:
                    lows[var], changed = low, True
                if high < highs[var]:
                    highs[var], changed = high, True
                if lows[var] > highs[var]:
                    return False
    open_vars = [v for v in range(len(lows)) if lows[v] < highs[v]]
    if not open_vars:
        return True
    var = min(open_vars, key=lambda v: highs[v] - lows[v])
    middle = (lows[var] + highs[var]) // 2
    left_highs = list(highs)
    left_highs[var] = middle
    if _solve(lows, left_highs, equations):
        return True
    right_lows = list(lows)
    right_lows[var] = middle + 1
    return _solve(right_lows, highs, equations)


class Reader:
    """What someone reading the published numbers knows, as variables with bounds and equations."""

    def __init__(self, threshold, cap):
        self.threshold, self.cap = threshold, cap
        self.lows, self.highs, self.truth, self.hidden = [], [], [], []
        self.equations = []

    def var(self, cell, true_value):
        index = len(self.truth)
        self.truth.append(true_value)
        if cell is None:
            low, high = 0, self.cap
        elif cell.status is Status.PUBLISHED:
            assert cell.count == true_value
            low = high = true_value
        elif cell.status is Status.SMALL:
            assert 1 <= true_value <= self.threshold
            low, high = 1, self.threshold
        else:
            assert true_value > self.threshold
            low, high = self.threshold + 1, self.cap
        if cell is not None and cell.suppressed:
            self.hidden.append(index)
        self.lows.append(low)
        self.highs.append(high)
        return index

    def total(self, parts, whole):
        self.equations.append(([(v, 1) for v in parts] + [(whole, -1)], 0))

    def recoverable(self):
        """The true values of hidden numbers that only one completion of the table allows."""
        assert _solve(self.lows, self.highs, self.equations), "the true counts must satisfy the equations"
        found = []
        for var in self.hidden:
            below = list(self.highs)
            below[var] = self.truth[var] - 1
            above = list(self.lows)
            above[var] = self.truth[var] + 1
            if not (_solve(self.lows, below, self.equations) or _solve(above, self.highs, self.equations)):
                found.append(self.truth[var])
        return found


def test_the_check_itself_catches_a_count_hidden_alone():
    # Only the 3 hidden, total shown: 23 - 20 gives it away; and the check must say so.
    reader = Reader(10, cap=40)
    parts = [reader.var(Cell(Status.SMALL, 10), 3), reader.var(Cell.published(20, 10), 20)]
    reader.total(parts, reader.var(Cell.published(23, 10), 23))

    assert reader.recoverable() == [3]


def test_the_check_itself_accepts_a_rectangle():
    rows = {"x": {"p": 2, "q": 30}, "y": {"p": 25, "q": 35}}
    small, withheld = Cell(Status.SMALL, 10), Cell(Status.WITHHELD, 10)
    result = SuppressedTable(
        cells={"x": {"p": small, "q": withheld}, "y": {"p": withheld, "q": withheld}},
        row_totals={"x": Cell.published(32, 10), "y": Cell.published(60, 10)},
        col_totals={"p": Cell.published(27, 10), "q": Cell.published(65, 10)},
        grand_total=Cell.published(92, 10),
    )
    reader = Reader(10, cap=100)
    read_table(reader, rows, result, ["p", "q"])

    assert reader.recoverable() == []


def hide_all(value, threshold):
    """How a count would be shown with every non-zero number hidden."""
    if value == 0:
        return Cell.published(0, threshold)
    return Cell(Status.SMALL if value <= threshold else Status.WITHHELD, threshold)


def hide_whole_table(rows, columns, threshold, *, row_totals=True, col_totals=True, grand_total=True):
    """A stand-in result with every non-zero number hidden: the most any suppression could do."""
    return SuppressedTable(
        cells={row: {col: hide_all(counts.get(col, 0), threshold) for col in columns} for row, counts in rows.items()},
        row_totals={row: hide_all(sum(counts.values()), threshold) for row, counts in rows.items()}
        if row_totals
        else None,
        col_totals={col: hide_all(sum(c.get(col, 0) for c in rows.values()), threshold) for col in columns}
        if col_totals
        else None,
        grand_total=hide_all(sum(sum(c.values()) for c in rows.values()), threshold) if grand_total else None,
    )


def read_table(reader, rows, result, columns, *, col_vars=None):
    """Add one suppressed table to ``reader``; returns (column total vars, grand total var)."""
    row_vars = {}
    cell_vars = {}
    for row, counts in rows.items():
        cell_vars[row] = {col: reader.var(result.cells[row][col], counts.get(col, 0)) for col in columns}
        true_total = sum(counts.get(col, 0) for col in columns)
        row_vars[row] = reader.var(result.row_totals[row] if result.row_totals else None, true_total)
        reader.total(list(cell_vars[row].values()), row_vars[row])
    grand_true = sum(sum(counts.values()) for counts in rows.values())
    if col_vars is None:
        col_vars = {
            col: reader.var(
                result.col_totals[col] if result.col_totals else None,
                sum(counts.get(col, 0) for counts in rows.values()),
            )
            for col in columns
        }
    for col in columns:
        reader.total([cell_vars[row][col] for row in rows], col_vars[col])
    grand = reader.var(result.grand_total, grand_true)
    reader.total(list(row_vars.values()), grand)
    reader.total(list(col_vars.values()), grand)
    return col_vars, grand


def assert_no_small_published(cells):
    for cell in cells:
        assert not (cell.status is Status.PUBLISHED and 1 <= cell.count <= cell.threshold)


def all_cells(table):
    cells = [cell for row in table.cells.values() for cell in row.values()]
    cells += list((table.row_totals or {}).values()) + list((table.col_totals or {}).values())
    return cells + ([table.grand_total] if table.grand_total else [])


counts = st.one_of(st.sampled_from([0, 0, 1, 1, 2, 3, 5, 8, 10, 11, 12]), st.integers(0, 60))
thresholds = st.sampled_from([2, 3, 10])
tables = st.integers(1, 6).flatmap(
    lambda width: st.dictionaries(
        st.integers(0, 20), st.fixed_dictionaries(dict.fromkeys(range(width), counts)), min_size=1, max_size=6
    )
)
checks = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@checks
@given(values=st.lists(counts, min_size=1, max_size=8), threshold=thresholds, with_total=st.booleans())
def test_property_series_hides_every_small_count_recoverably_never(values, threshold, with_total):
    series = dict(enumerate(values))
    total = sum(values)
    shown_total = total if with_total else None

    def reader_for(cells, total_cell):
        reader = Reader(threshold, cap=total + threshold + 2)
        parts = [reader.var(cells[key], value) for key, value in series.items()]
        reader.total(parts, reader.var(total_cell, total))
        return reader

    try:
        result = suppress_series(series, total=shown_total, threshold=threshold)
    except SuppressionError:
        # Refused only when even hiding every non-zero number would still give one away.
        hidden = {key: hide_all(value, threshold) for key, value in series.items()}
        assert reader_for(hidden, hide_all(total, threshold) if with_total else None).recoverable()
        return

    assert_no_small_published(list(result.cells.values()) + ([result.total] if result.total else []))
    assert reader_for(result.cells, result.total).recoverable() == []


@checks
@given(
    rows=tables,
    threshold=thresholds,
    margins=st.tuples(st.booleans(), st.booleans(), st.booleans()),
)
def test_property_table_hides_every_small_count_recoverably_never(rows, threshold, margins):
    row_totals, col_totals, grand_total = margins

    columns = list(next(iter(rows.values())))
    grand = sum(sum(counts.values()) for counts in rows.values())

    def recoverable(result):
        reader = Reader(threshold, cap=grand + threshold + 2)
        read_table(reader, rows, result, columns)
        return reader.recoverable()

    try:
        result = suppress_table(
            rows, row_totals=row_totals, col_totals=col_totals, grand_total=grand_total, threshold=threshold
        )
    except SuppressionError:
        # Refused only when even hiding every non-zero number would still give one away.
        everything = hide_whole_table(
            rows, columns, threshold, row_totals=row_totals, col_totals=col_totals, grand_total=grand_total
        )
        assert recoverable(everything)
        return

    assert_no_small_published(all_cells(result))
    assert recoverable(result) == []


@st.composite
def linked_tables(draw):
    """Two tables over the same columns whose column sums agree (rows split differently)."""
    width = draw(st.integers(1, 4))
    first = draw(
        st.dictionaries(
            st.integers(0, 9), st.fixed_dictionaries(dict.fromkeys(range(width), counts)), min_size=1, max_size=4
        )
    )
    height = draw(st.integers(1, 4))
    second = {row: dict.fromkeys(range(width), 0) for row in range(height)}
    for col in range(width):
        for _unit in range(sum(counts[col] for counts in first.values())):
            second[draw(st.integers(0, height - 1))][col] += 1
    return first, second


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pair=linked_tables(), threshold=thresholds, row_totals=st.booleans())
def test_property_linked_tables_hide_every_small_count_recoverably_never(pair, threshold, row_totals):
    first, second = pair

    columns = list(next(iter(first.values())))
    grand = sum(sum(counts.values()) for counts in first.values())

    def recoverable(one, two):
        reader = Reader(threshold, cap=grand + threshold + 2)
        col_vars, _grand = read_table(reader, first, one, columns)
        read_table(reader, second, two, columns, col_vars=col_vars)
        return reader.recoverable()

    try:
        one, two = suppress_linked(first, second, row_totals=row_totals, threshold=threshold)
    except SuppressionError:
        # Refused only when even hiding every non-zero number would still give one away.
        hidden_one = hide_whole_table(first, columns, threshold, row_totals=row_totals)
        hidden_two = hide_whole_table(second, columns, threshold, row_totals=row_totals)
        assert recoverable(hidden_one, hidden_two)
        return

    assert one.col_totals == two.col_totals and one.grand_total == two.grand_total
    assert_no_small_published(all_cells(one) + all_cells(two))
    assert recoverable(one, two) == []
