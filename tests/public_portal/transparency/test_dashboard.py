"""The data dashboard: every table with its chart, the year filter, the empty state, Spanish, no
small count anywhere on the page, and nothing read but the statistics snapshot."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from public_portal.transparency import statistics as stats

from .test_statistics import NOW, city, snapshot  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


class PageTables(HTMLParser):
    """Each dashboard section's table as text: {section id: {"head", "rows", "foot", "caption"}}, and
    the headline measures; ``charts`` holds each section's inline SVG markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.charts, self.measures = {}, {}, {}
        self.section = self.part = self.row = self.text = self.term = None
        self.in_dl = False

    def feed_page(self, body: str) -> "PageTables":
        self.feed(body)
        for key, section in re.findall(r'<section[^>]* id="([^"]+)"(.*?)</section>', body, re.S):
            found = re.search(r"<svg.*?</svg>", section, re.S)
            if found:
                self.charts[key] = found[0]
        return self

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.section = attrs.get("id")
        elif tag == "table" and self.section:
            self.tables[self.section] = {"caption": "", "head": [], "rows": [], "foot": []}
        elif tag in ("thead", "tbody", "tfoot"):
            self.part = tag
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td", "dt", "dd", "caption"):
            self.text = []
        elif tag == "dl":
            self.in_dl = True
        elif tag == "br" and self.text is not None:
            self.text.append(" ")

    def handle_endtag(self, tag):
        text = " ".join("".join(self.text or []).split())
        if tag in ("th", "td") and self.row is not None:
            self.row.append(text)
        elif tag == "caption" and self.section in self.tables:
            self.tables[self.section]["caption"] = text
        elif tag == "tr" and self.section in self.tables and self.row is not None:
            key = {"thead": "head", "tbody": "rows", "tfoot": "foot"}[self.part]
            self.tables[self.section][key].append(self.row)
            self.row = None
        elif tag == "section":
            self.section = None
        elif tag == "dt" and self.in_dl:
            self.term = text
        elif tag == "dd" and self.in_dl:
            self.measures[self.term] = text
        elif tag == "dl":
            self.in_dl = False
        if tag in ("th", "td", "dt", "dd", "caption"):
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def page_tables(response) -> PageTables:
    return PageTables().feed_page(response.content.decode())


def svg_of(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (the page's own markup)


def shown_counts(parsed: PageTables) -> list[str]:
    """Every count shown in a table cell (the label column aside)."""
    return [cell for table in parsed.tables.values() for row in table["rows"] + table["foot"] for cell in row[1:]]


# --- The page --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("snapshot")
def test_the_dashboard_shows_every_table_with_its_chart_and_when_its_data_is_from(client):
    response = client.get(reverse("public_portal:dashboard"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Data as of June 15, 2026" in body
    parsed = page_tables(response)
    assert list(parsed.tables) == list(stats.TABLE_KEYS)
    district = parsed.tables["by-district"]
    assert district["caption"] == "Complaints by district: All years"
    assert district["head"] == [["District", "Complaints"]]
    assert district["rows"] == [["North", "7"], ["South", "withheld"], ["Not recorded", "fewer than 3"]]
    assert district["foot"] == [["Total", "16"]]
    assert parsed.measures["Complaints received"] == "16"
    assert parsed.measures["Median time to close"] == "61 days Of 7 complaints closed."
    # A chart beside every table that has rows, each an image named after its table.
    for key in stats.TABLE_KEYS:
        svg = svg_of(parsed.charts[key])
        assert svg.get("role") == "img"
        assert svg.find(f"{SVG}title").text.startswith("Chart: ")
    # And a download of each.
    for key in stats.TABLE_KEYS:
        assert reverse("public_portal:statistics_download", args=[key, "csv"]) in body
        assert reverse("public_portal:statistics_download", args=[key, "json"]) in body


@pytest.mark.usefixtures("snapshot")
def test_the_year_filter_shows_that_year_and_its_downloads(client):
    response = client.get(reverse("public_portal:dashboard"), {"year": "2026"})

    parsed = page_tables(response)
    assert parsed.tables["by-district"]["caption"] == "Complaints by district: 2026"
    assert parsed.tables["by-district"]["rows"] == [
        ["North", "3"],
        ["South", "withheld"],
        ["Not recorded", "fewer than 3"],
    ]
    assert parsed.tables["received-closed-by-month"]["rows"][1] == ["February 2026", "5", "0"]
    assert parsed.tables["received-closed-by-month"]["foot"] == [["Total", "9", "0"]]
    body = response.content.decode()
    assert reverse("public_portal:statistics_download", args=["by-district", "csv"]) + "?year=2026" in body
    assert '<option value="2026" selected>2026</option>' in body


@pytest.mark.usefixtures("snapshot")
def test_a_year_that_is_not_in_the_data_says_so_and_shows_all_years(client):
    response = client.get(reverse("public_portal:dashboard"), {"year": "1999"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert page_tables(response).tables["by-district"]["caption"] == "Complaints by district: All years"


@pytest.mark.usefixtures("city")
def test_before_the_first_count_the_page_says_the_numbers_are_coming(client):
    response = client.get(reverse("public_portal:dashboard"))

    assert response.status_code == 200
    assert "No numbers yet" in response.content.decode()
    assert page_tables(response).tables == {}


@pytest.mark.usefixtures("snapshot")
def test_a_table_too_small_to_show_says_so(client):
    # Withheld as a whole in a snapshot (a further table of a family whose years are hidden).
    from public_portal.transparency.models import StatisticsSnapshot

    row = StatisticsSnapshot.objects.get(period="2026")
    for table in row.data["tables"]:
        if table["key"] == "by-channel":
            table.update(rows=[], column_totals=None, grand_total=None, note="too_few")
    row.save()

    response = client.get(reverse("public_portal:dashboard"), {"year": "2026"})

    body = response.content.decode()
    assert "there are too few complaints in this period to show this table safely" in body
    assert "by-channel" not in page_tables(response).tables


@pytest.mark.usefixtures("snapshot")
def test_the_dashboard_in_spanish(client):
    response = client.get(reverse("public_portal:dashboard"), headers={"accept-language": "es"})

    body = response.content.decode()
    assert '<html lang="es">' in body
    parsed = page_tables(response)
    assert [row[0] for row in parsed.tables["by-category"]["rows"][:3]] == [
        "Uso de la fuerza",
        "Abuso de autoridad",
        "Descortesía",
    ]
    assert parsed.tables["received-closed-by-month"]["rows"][8][0] == "marzo de 2025"


@pytest.mark.usefixtures("city")
def test_no_count_from_one_to_the_threshold_is_shown_anywhere(client, settings):
    settings.PUBLIC_MIN_CELL = 10
    stats.refresh_snapshot(now=NOW)

    for query in ({}, {"year": "2025"}, {"year": "2026"}):
        parsed = page_tables(client.get(reverse("public_portal:dashboard"), query))
        for text in shown_counts(parsed) + list(parsed.measures.values()):
            for number in re.findall(
                r"(?<![\d,])\d[\d,]*(?![\d,])", text.replace("fewer than 11", "").replace("when 10 or fewer", "")
            ):
                value = int(number.replace(",", ""))
                assert value == 0 or value > 10 or "day" in text or "investigat" in text.lower(), text
        assert "fewer than 11" in " ".join(shown_counts(parsed))


@pytest.mark.usefixtures("snapshot")
def test_hidden_counts_are_never_drawn_in_the_charts(client):
    parsed = page_tables(client.get(reverse("public_portal:dashboard")))

    svg = svg_of(parsed.charts["by-district"])
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "A dashed outline: a number not shown, to protect privacy. The table gives every number." in texts
    dashed = [r for r in svg.iter(f"{SVG}rect") if r.get("stroke-dasharray")]
    assert len(dashed) == 1 + 2  # the legend's swatch, South and "not recorded"
    assert len({(r.get("width")) for r in dashed[1:]}) == 1  # the same length, whatever they hide


@pytest.mark.usefixtures("snapshot")
def test_the_dashboard_and_downloads_read_the_snapshot_and_nothing_else(client):
    urls = [
        (reverse("public_portal:dashboard"), {}),
        (reverse("public_portal:dashboard"), {"year": "2025"}),
        (reverse("public_portal:statistics_download", args=["complainants-by-race", "csv"]), {"year": "2026"}),
        (reverse("public_portal:statistics_download", args=["by-district", "json"]), {}),
    ]
    for url, query in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, query).status_code == 200
        tables = {name for q in queries.captured_queries for name in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}
        assert tables == {"transparency_statisticssnapshot"}, (url, tables)
        assert len(queries) <= 2


@pytest.mark.usefixtures("snapshot")
def test_charts_are_drawn_once_and_kept(client):
    client.get(reverse("public_portal:dashboard"))
    from public_portal.transparency import dashboard

    calls = []
    original = dashboard.chart_drawing
    dashboard.chart_drawing = lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs)
    try:
        client.get(reverse("public_portal:dashboard"))
    finally:
        dashboard.chart_drawing = original
    assert calls == []


@pytest.mark.usefixtures("snapshot")
def test_a_post_is_not_allowed(client):
    assert client.post(reverse("public_portal:dashboard")).status_code == 405
