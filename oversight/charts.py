"""Charts drawn once with reportlab's graphics: a ``Drawing`` goes into a PDF as it is, and
``chart_svg`` turns it into SVG markup for a page.

A chart is drawn from a table-like object (duck-typed, so this module knows nothing of what is
counted): ``rows``, each with a ``label`` and ``cells``; ``column_headings``; ``chart`` ("bar",
"grouped_bar" or "line"); optionally ``title`` and ``key``. A cell is published when its
``suppressed`` is false, and then its ``count`` is drawn. A hidden cell is never drawn as a
number: in a bar chart it is a short dashed outline of the same length whatever the count (a mark
that says "not shown", not a value), in a line chart a break in the line; a note under the chart
says so. A chart is decorative beside its table, which is the accessible source: on a page the
SVG is an image whose name says where the numbers are.

The text uses the house font of ``oversight.pdf`` (embedded in PDFs); on a page the SVG names the
site's font instead. The same table always gives the same drawing and the same markup.
"""

from __future__ import annotations

import math
import re
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.validators import isString
from reportlab.pdfbase.pdfmetrics import stringWidth

from .pdf import FONT, FONT_BOLD, INK, MUTED, RULE, register_fonts

# Blue, orange-red, green, purple: distinct in the common forms of colour blindness, each above 3:1
# against white.
SERIES_COLORS = [colors.HexColor(value) for value in ("#005ea2", "#c2410c", "#2e7d32", "#6a1b9a")]
HIDDEN_STROKE = colors.HexColor("#5c5c5c")
FONT_SIZE = 8.5
TITLE_SIZE = 10
LINE_HEIGHT = FONT_SIZE + 4
PAGE_FONTS = "'Source Sans Pro Web', 'Helvetica Neue', Helvetica, Arial, sans-serif"


class ChartDrawing(Drawing):
    """A drawing that remembers what it shows, for the SVG's accessible name and unique ids."""

    _attrMap = AttrMap(
        BASE=Drawing,
        label=AttrMapValue(isString, desc="What the chart shows, in words."),
        key=AttrMapValue(isString, desc="A slug, unique on a page, for the SVG's ids."),
    )

    def __init__(self, width: float, height: float, *, label: str = "", key: str = "chart") -> None:
        super().__init__(width, height)
        self.label = label
        self.key = key


# --- Helpers -------------------------------------------------------------------------------------


def _value(cell: Any) -> int | None:
    """A published cell's count; None for a hidden one (or anything that is not a count)."""
    if cell is None or getattr(cell, "suppressed", True):
        return None
    count = getattr(cell, "count", None)
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def _hidden(cell: Any) -> bool:
    return cell is not None and bool(getattr(cell, "suppressed", False))


def _fit(text: str, width: float, *, font: str = FONT, size: float = FONT_SIZE) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` points."""
    text = " ".join(str(text).split())
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _scale(largest: int) -> tuple[int, int]:
    """A round axis maximum and step covering ``largest`` (about four steps)."""
    if largest <= 0:
        return 1, 1
    rough = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    step = max(1, int(math.ceil(step)))
    return int(math.ceil(largest / step) * step), step


def _number(value: float) -> str:
    return number_format(int(round(value)), force_grouping=True)


def _legend(drawing: Drawing, entries: list[tuple[Any, str, str]], y: float, x: float = 0) -> None:
    """Legend swatches along a line at ``y``: (colour, kind "bar", "line", "gap" or "hidden", text)."""
    for color, kind, text in entries:
        if kind == "line":
            drawing.add(Line(x, y + 3, x + 14, y + 3, strokeColor=color, strokeWidth=2))
        elif kind == "gap":
            drawing.add(Line(x, y + 3, x + 5, y + 3, strokeColor=color, strokeWidth=2))
            drawing.add(Line(x + 9, y + 3, x + 14, y + 3, strokeColor=color, strokeWidth=2))
        elif kind == "hidden":
            drawing.add(
                Rect(
                    x,
                    y,
                    14,
                    7,
                    fillColor=colors.white,
                    strokeColor=HIDDEN_STROKE,
                    strokeDashArray=[2, 2],
                    strokeWidth=0.8,
                )
            )
        else:
            drawing.add(Rect(x, y, 14, 7, fillColor=color, strokeColor=None))
        label = _fit(text, drawing.width - x - 20)
        drawing.add(String(x + 18, y, label, fontName=FONT, fontSize=FONT_SIZE, fillColor=INK))
        x += 18 + stringWidth(label, FONT, FONT_SIZE) + 14


def _note_lines(has_hidden: bool, kind: str) -> list[str]:
    if not has_hidden:
        return []
    if kind == "line":
        return [_("A break in a line: a number not shown, to protect privacy. The table gives every number.")]
    return [_("A dashed outline: a number not shown, to protect privacy. The table gives every number.")]


# --- Charts --------------------------------------------------------------------------------------


def chart_drawing(table: Any, *, width: float, height: float, title: str | None = None) -> ChartDrawing:
    """The chart of ``table`` (see the module's docstring), ``width`` by ``height`` points."""
    register_fonts()
    rows = list(getattr(table, "rows", ()) or ())
    headings = [str(h) for h in getattr(table, "column_headings", ())]
    kind = getattr(table, "chart", "") or "bar"
    label = title or str(getattr(table, "title", "") or "")
    drawing = ChartDrawing(width, height, label=label, key=str(getattr(table, "key", "") or "chart"))
    top = height
    if title:
        drawing.add(
            String(
                0,
                top - TITLE_SIZE,
                _fit(title, width, font=FONT_BOLD, size=TITLE_SIZE),
                fontName=FONT_BOLD,
                fontSize=TITLE_SIZE,
                fillColor=INK,
            )
        )
        top -= TITLE_SIZE + 8
    if not rows or not headings:
        drawing.add(
            String(0, top - FONT_SIZE - 4, _("Nothing to show."), fontName=FONT, fontSize=FONT_SIZE, fillColor=MUTED)
        )
        return drawing
    columns = len(headings)
    values = [[_value(row.cells[j]) if j < len(row.cells) else None for row in rows] for j in range(columns)]
    hidden = [[_hidden(row.cells[j]) if j < len(row.cells) else False for row in rows] for j in range(columns)]
    has_hidden = any(any(column) for column in hidden)
    notes = _note_lines(has_hidden, kind)
    series_legend = columns > 1
    legend_lines = int(series_legend) + len(notes)
    bottom = legend_lines * LINE_HEIGHT + (4 if legend_lines else 0)
    y = 2
    for note in reversed(notes):
        _legend(drawing, [(HIDDEN_STROKE, "gap" if kind == "line" else "hidden", note)], y)
        y += LINE_HEIGHT
    if series_legend:
        _legend(
            drawing,
            [
                (SERIES_COLORS[j % len(SERIES_COLORS)], "line" if kind == "line" else "bar", headings[j])
                for j in range(columns)
            ],
            y,
        )
    largest = max((v for column in values for v in column if v is not None), default=0)
    axis_max, step = _scale(largest)
    if kind == "line":
        _line(drawing, rows, values, axis_max, step, bottom, top)
    else:
        _bars(drawing, rows, values, hidden, axis_max, step, bottom, top)
    return drawing


def _bars(drawing, rows, values, hidden, axis_max, step, bottom, top) -> None:
    width = drawing.width
    labels = [str(row.label) for row in rows]
    label_width = min(width * 0.4, max(stringWidth(text, FONT, FONT_SIZE) for text in labels) + 6)
    chart = HorizontalBarChart()
    chart.x = label_width + 4
    chart.y = bottom + LINE_HEIGHT + 4  # room for the value axis' numbers
    chart.width = max(10, width - chart.x - 12)
    chart.height = max(10, top - chart.y - 2)
    stub = axis_max * 0.03
    chart.data = [
        [stub if value is None and column_hidden[i] else value for i, value in enumerate(column)]
        for column, column_hidden in zip(values, hidden, strict=True)
    ]
    chart.categoryAxis.categoryNames = [_fit(text, label_width) for text in labels]
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = FONT_SIZE
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.tickLeft = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = axis_max
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = FONT_SIZE
    chart.valueAxis.labels.fillColor = INK
    chart.valueAxis.labelTextFormat = _number
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e6e6e6")
    chart.barSpacing = 1
    chart.groupSpacing = 4
    chart.bars.strokeColor = None
    for j in range(len(values)):
        chart.bars[j].fillColor = SERIES_COLORS[j % len(SERIES_COLORS)]
        for i, is_hidden in enumerate(hidden[j]):
            if is_hidden:
                chart.bars[(j, i)].fillColor = colors.white
                chart.bars[(j, i)].strokeColor = HIDDEN_STROKE
                chart.bars[(j, i)].strokeDashArray = [2, 2]
                chart.bars[(j, i)].strokeWidth = 0.8
    drawing.add(chart)


def _line(drawing, rows, values, axis_max, step, bottom, top) -> None:
    width = drawing.width
    labels = [str(row.label) for row in rows]
    label_width = min(72.0, max(stringWidth(text, FONT, FONT_SIZE) for text in labels))
    chart = HorizontalLineChart()
    chart.x = max(8 + stringWidth(_number(axis_max), FONT, FONT_SIZE) + 6, label_width * 0.82 + 4)
    chart.y = bottom + label_width * 0.58 + FONT_SIZE + 6  # room for the slanted names (35 degrees)
    chart.width = max(10, width - chart.x - 12)
    chart.height = max(10, top - chart.y - 4)
    # Each run of published values is its own line, so a hidden value leaves a gap rather than a
    # line drawn across it.
    data, styles = [], []
    for j, column in enumerate(values):
        run: list[int] = []
        for i, value in enumerate([*column, None]):
            if value is not None:
                run.append(i)
                continue
            if run:
                data.append([column[k] if k in run else None for k in range(len(column))])
                styles.append(j)
                run = []
    invisible = not data
    if invisible:
        # Every value hidden: reportlab draws no line of no points, so an invisible line along the
        # axis keeps the frame (axes, month names) and the legend note says why it is empty.
        data, styles = [[0] * len(rows)], [0]
    chart.data = data
    chart.joinedLines = 1
    for index, j in enumerate(styles):
        color = SERIES_COLORS[j % len(SERIES_COLORS)]
        chart.lines[index].strokeColor = color
        chart.lines[index].strokeWidth = 1.8
        chart.lines[index].symbol = makeMarker("FilledCircle", size=3, fillColor=color, strokeColor=color)
        if invisible:
            chart.lines[index].strokeWidth = 0
            chart.lines[index].strokeColor = None
            chart.lines[index].symbol = None
    every = max(1, math.ceil(len(labels) / max(1, int(chart.width // 30))))
    chart.categoryAxis.categoryNames = [
        _fit(text, label_width) if i % every == 0 else "" for i, text in enumerate(labels)
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = FONT_SIZE
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.labels.angle = 35
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = axis_max
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = FONT_SIZE
    chart.valueAxis.labels.fillColor = INK
    chart.valueAxis.labelTextFormat = _number
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e6e6e6")
    drawing.add(chart)


# --- SVG -----------------------------------------------------------------------------------------

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r"url\(#([^)]+)\)")
_STYLED_TAG = re.compile(r'<[A-Za-z][^<>]*?\sstyle="[^"]*"[^<>]*>')
_STYLE = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(match: re.Match[str]) -> str:
    """A tag's ``style`` attribute turned into SVG presentation attributes (``fill="..."``), which
    the Content-Security-Policy allows where it refuses inline styles; a declaration replaces an
    attribute of the same name, as it would win over it in the cascade."""
    tag = match[0]
    declarations = [part.split(":", 1) for part in _STYLE.search(tag)[1].split(";") if ":" in part]
    tag = _STYLE.sub("", tag, count=1)
    for name, value in ((name.strip(), value.strip()) for name, value in declarations):
        existing = re.compile(rf'\s{re.escape(name)}="[^"]*"')
        attribute = f" {name}={quoteattr(value)}"
        if existing.search(tag):
            tag = existing.sub(lambda _m, attribute=attribute: attribute, tag, count=1)
        else:
            tag = re.sub(r"\s*(/?>)$", lambda m, attribute=attribute: f"{attribute}{m[1]}", tag, count=1)
    return tag


def chart_svg(drawing: Drawing, *, label: str | None = None) -> str:
    """SVG markup to put in a page: an image named by ``label`` (or the drawing's own label), with ids
    unique to the drawing's key, no XML prolog, the site's font, and no ``style`` attribute (the
    page's Content-Security-Policy refuses inline styles: class ``chart-svg`` in site.css sizes it)."""
    markup = renderSVG.drawToString(drawing)
    markup = markup[markup.index("<svg") :]
    key = re.sub(r"[^a-z0-9-]", "-", str(getattr(drawing, "key", "chart") or "chart").lower())
    markup = _ID.sub(lambda m: f'id="{key}-{m[1]}"', markup)
    markup = _REF.sub(lambda m: f"url(#{key}-{m[1]})", markup)
    name = label if label is not None else str(getattr(drawing, "label", "") or "")
    markup = re.sub(r"<title>.*?</title>", f"<title>{escape(name)}</title>", markup, count=1, flags=re.S)
    markup = re.sub(r"\s*<desc>.*?</desc>", "", markup, count=1, flags=re.S)
    markup = markup.replace(
        "<svg ",
        f'<svg role="img" aria-label={quoteattr(name)} focusable="false" class="chart-svg" ',
        1,
    )
    markup = re.sub(r"font-family: ?[^;\"]+", f"font-family: {PAGE_FONTS}", markup)
    markup = _STYLED_TAG.sub(_presentation_attributes, markup)
    return markup.strip()
