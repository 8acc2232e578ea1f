"""The chart toolkit: bar, grouped bar and line charts drawn with reportlab, valid SVG for pages
(an image with a name), the same markup for the same table, and hidden counts never drawn."""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import SimpleDocTemplate

from oversight.charts import chart_drawing, chart_svg

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Cell:
    """Duck-typed like the suppression module's cells: a hidden one may even carry a count here,
    which the chart must still not draw."""

    count: int | None
    suppressed: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: tuple
    column_headings: tuple
    chart: str


def hidden(count=None):
    return Cell(count, suppressed=True)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (our own output)


def texts(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text")]


def dashed(svg: ET.Element) -> list[ET.Element]:
    return [r for r in svg.iter(f"{SVG}rect") if r.get("stroke-dasharray")]


BARS = Table(
    "by-type",
    "Allegations & more",
    (Row("Force", (Cell(40),)), Row("Abuse of authority", (hidden(7),)), Row("Discourtesy", (Cell(1234),))),
    ("Allegations",),
    "bar",
)


def test_a_bar_chart_is_valid_svg_named_for_the_page():
    markup = chart_svg(chart_drawing(BARS, width=500, height=180))

    svg = parse(markup)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == "Allegations & more"
    assert svg.find(f"{SVG}title").text == "Allegations & more"
    assert not markup.startswith("<?xml")
    assert {"Force", "Abuse of authority", "Discourtesy"} <= set(texts(svg))
    # Ids unique to the chart, so that several charts can share a page.
    assert all(value.startswith("by-type-") for value in re.findall(r'id="([^"]+)"', markup))
    assert "OversightSans" not in markup and "sans-serif" in markup


def test_a_label_given_to_the_svg_names_it():
    svg = parse(chart_svg(chart_drawing(BARS, width=500, height=180), label="Chart: allegations. See the table."))
    assert svg.get("aria-label") == "Chart: allegations. See the table."


def test_a_hidden_count_is_a_dashed_outline_of_the_same_length_whatever_it_hides():
    other = Table(BARS.key, BARS.title, (BARS.rows[0], Row("Abuse of authority", (hidden(3),)), BARS.rows[2]),
                  BARS.column_headings, "bar")  # fmt: skip

    first = chart_svg(chart_drawing(BARS, width=500, height=180))
    assert first == chart_svg(chart_drawing(other, width=500, height=180))
    svg = parse(first)
    assert "7" not in texts(svg)
    assert len(dashed(svg)) == 2  # the bar's outline and the legend's swatch
    assert "A dashed outline: a number not shown, to protect privacy. The table gives every number." in texts(svg)


def test_no_note_without_hidden_counts():
    table = Table("t", "T", (Row("A", (Cell(5),)), Row("B", (Cell(0),))), ("N",), "bar")
    svg = parse(chart_svg(chart_drawing(table, width=400, height=120)))
    assert dashed(svg) == []
    assert not any("not shown" in (t or "") for t in texts(svg))


def test_the_same_table_gives_the_same_markup():
    assert chart_svg(chart_drawing(BARS, width=500, height=180)) == chart_svg(
        chart_drawing(BARS, width=500, height=180)
    )


def test_a_grouped_bar_chart_has_a_legend_of_its_columns():
    table = Table(
        "g",
        "Grouped",
        (Row("2025", (Cell(12), Cell(30))), Row("2026", (hidden(), Cell(25)))),
        ("Received", "Closed"),
        "grouped_bar",
    )
    svg = parse(chart_svg(chart_drawing(table, width=500, height=200)))
    assert {"Received", "Closed"} <= set(texts(svg))
    assert len(dashed(svg)) == 2


def test_a_line_chart_breaks_where_a_count_is_hidden():
    rows = tuple(Row(f"Month {n}", (hidden(4) if n == 3 else Cell(10 + n), Cell(20))) for n in range(8))
    table = Table("m", "By month", rows, ("Received", "Closed"), "line")

    svg = parse(chart_svg(chart_drawing(table, width=600, height=240)))

    lines = list(svg.iter(f"{SVG}polyline")) + [
        p for p in svg.iter(f"{SVG}path") if p.get("fill") == "none" and p.get("d", "").count("L") >= 2
    ]
    # Received in two pieces (months 0-2 and 4-7), closed in one.
    assert len(lines) == 3
    assert "A break in a line: a number not shown, to protect privacy. The table gives every number." in texts(svg)
    assert "4" not in texts(svg)


def test_an_empty_table_draws_a_note():
    table = Table("e", "Empty", (), ("N",), "bar")
    svg = parse(chart_svg(chart_drawing(table, width=300, height=100)))
    assert "Nothing to show." in texts(svg)


def test_a_title_can_be_drawn_in_the_chart_for_print():
    drawing = chart_drawing(BARS, width=500, height=200, title="Allegations by type")
    assert isinstance(drawing, Drawing)
    assert "Allegations by type" in texts(parse(chart_svg(drawing)))


@pytest.mark.parametrize("kind", ["bar", "grouped_bar", "line"])
def test_a_drawing_goes_into_a_pdf(tmp_path, kind):
    table = Table("p", "PDF", (Row("A", (Cell(3), Cell(4))), Row("B", (hidden(), Cell(9)))), ("X", "Y"), kind)
    document = SimpleDocTemplate(str(tmp_path / "chart.pdf"))
    document.build([chart_drawing(table, width=400, height=200)])
    content = (tmp_path / "chart.pdf").read_bytes()
    # The house font, embedded.
    assert content.startswith(b"%PDF") and b"BitstreamVeraSans" in content and b"/FontFile2" in content


def test_a_line_chart_with_every_value_hidden_still_draws_its_frame():
    table = Table(
        "months",
        "Complaints by month",
        tuple(Row(f"2026-0{i}", (hidden(3),)) for i in range(1, 4)),
        ("Received",),
        "line",
    )
    drawing = chart_drawing(table, width=400, height=200)
    svg = parse(chart_svg(drawing))
    assert "2026-01" in " ".join(t or "" for t in texts(svg))
    assert "3" not in [t for t in texts(svg) if t and t.strip().isdigit()]
    SimpleDocTemplate(__import__("io").BytesIO()).build([drawing])
