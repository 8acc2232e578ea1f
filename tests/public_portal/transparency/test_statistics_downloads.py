"""Downloads of the dashboard's tables: CSV and JSON with the same suppressed values as the page, for
all years and for one year, and every number on the page found again in the CSV."""

import csv
import io
import json

import pytest
from django.urls import reverse

from public_portal.transparency import statistics as stats

from .test_dashboard import page_tables
from .test_statistics import NOW, city, snapshot  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db


def _csv(client, key, query=None):
    response = client.get(reverse("public_portal:statistics_download", args=[key, "csv"]), query or {})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def _json(client, key, query=None):
    response = client.get(reverse("public_portal:statistics_download", args=[key, "json"]), query or {})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.usefixtures("snapshot")
def test_csv_has_a_row_for_each_row_and_a_totals_row(client):
    response = client.get(reverse("public_portal:statistics_download", args=["by-district", "csv"]), {"year": "2026"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="by-district-2026.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    north, south = stats.published_statistics(year=2026).table("by-district").rows[:2]
    assert rows == [
        ["row_key", "row_label", "complaints", "total"],
        [north.key, "North", "3", ""],
        [south.key, "South", "withheld", ""],
        ["none", "Not recorded", "<3", ""],
        ["total", "Total", "9", "9"],
    ]


@pytest.mark.usefixtures("snapshot")
def test_csv_of_a_table_with_two_columns_and_no_totals_row_for_all_years(client):
    rows = _csv(client, "received-closed-by-month")

    assert rows[0] == ["row_key", "row_label", "received", "closed", "total"]
    assert rows[1] == ["2024-07", "July 2024", "0", "0", ""]
    assert ["2025-03", "March 2025", "7", "3", ""] in rows
    assert len(rows) == 1 + 24  # 24 months and no totals row: they are not all years


@pytest.mark.usefixtures("snapshot")
def test_json_gives_hidden_counts_as_ranges_with_the_threshold_and_the_date(client):
    data = _json(client, "department-responses", {"year": "2025"})

    assert data["table"] == "department-responses"
    assert (data["period"], data["year"], data["threshold"]) == ("2025", 2025, 2)
    assert data["as_of"] == NOW.isoformat()
    assert data["columns"] == [{"key": "findings", "heading": "Findings"}]
    cells = {row["key"]: row["cells"]["findings"] for row in data["rows"]}
    assert cells == {
        "accepted": 3,
        "modified": 0,
        "rejected": {"suppressed": True, "min": 1, "max": 2},
        "awaiting": 0,
        "overdue": 0,
    }
    assert data["column_totals"] == {"findings": {"suppressed": True, "min": 3, "max": None}}
    assert data["grand_total"] == {"suppressed": True, "min": 3, "max": None}


@pytest.mark.usefixtures("snapshot")
@pytest.mark.parametrize("query", [{}, {"year": "2025"}, {"year": "2026"}])
def test_every_number_on_the_dashboard_is_in_the_csv_downloads(client, query):
    parsed = page_tables(client.get(reverse("public_portal:dashboard"), query))

    def as_csv(text):
        if text.startswith("fewer than "):
            return "<" + text.removeprefix("fewer than ")
        return text.replace(",", "")

    for key in stats.TABLE_KEYS:
        downloaded = _csv(client, key, query)
        header, *rows = downloaded
        assert header[:2] == ["row_key", "row_label"] and header[-1] == "total"
        columns = len(header) - 3
        page = parsed.tables[key]
        # The page has no "Total" column: none of these tables has row totals (the CSV's is empty).
        assert all(row[-1] == "" for row in rows if row[0] != "total")
        assert [[row[0], *map(as_csv, row[1:])] for row in page["rows"]] == [
            row[1 : 2 + columns] for row in rows if row[0] != "total"
        ], key
        totals = [row[2 : 2 + columns] for row in rows if row[0] == "total"]
        assert [[as_csv(cell) for cell in row[1:]] for row in page["foot"]] == totals, key
    # The headline count of complaints is the district table's total.
    assert parsed.measures["Complaints received"] == parsed.tables["by-district"]["foot"][0][1]


@pytest.mark.usefixtures("snapshot")
@pytest.mark.parametrize("key", stats.TABLE_KEYS)
def test_json_and_csv_agree(client, key):
    data = _json(client, key, {"year": "2026"})
    rows = _csv(client, key, {"year": "2026"})

    def as_csv(value):
        if isinstance(value, int):
            return str(value)
        return f"<{value['max'] + 1}" if value["max"] is not None else "withheld"

    columns = [column["key"] for column in data["columns"]]
    assert rows[0][2:-1] == columns
    assert [[row["key"], *[as_csv(row["cells"][c]) for c in columns]] for row in data["rows"]] == [
        [row[0], *row[2:-1]] for row in rows[1:] if row[0] != "total"
    ]


@pytest.mark.usefixtures("snapshot")
def test_a_year_that_cannot_be_read_gets_a_page_that_says_so(client):
    response = client.get(reverse("public_portal:statistics_download", args=["by-district", "csv"]), {"year": "abc"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "The download could not be made" in body
    assert "Select a valid choice" in body


@pytest.mark.usefixtures("snapshot")
def test_an_unknown_table_or_format_is_not_found(client):
    assert client.get(reverse("public_portal:statistics_download", args=["no-such-table", "csv"])).status_code == 404
    assert client.get(reverse("public_portal:statistics_download", args=["by-district", "xlsx"])).status_code == 404


@pytest.mark.usefixtures("city")
def test_nothing_to_download_before_the_first_count(client):
    assert client.get(reverse("public_portal:statistics_download", args=["by-district", "csv"])).status_code == 404


@pytest.mark.usefixtures("snapshot")
def test_downloads_in_spanish_use_spanish_labels(client):
    rows = _csv(client, "by-category", {"year": "2025"})

    assert rows[1][:3] == ["force", "Force", "4"]
    response = client.get(
        reverse("public_portal:statistics_download", args=["by-category", "csv"]), headers={"accept-language": "es"}
    )
    assert list(csv.reader(io.StringIO(response.content.decode())))[1][:2] == ["force", "Uso de la fuerza"]


@pytest.mark.usefixtures("city")
def test_no_count_from_one_to_the_threshold_is_in_any_download(client, settings):
    settings.PUBLIC_MIN_CELL = 10
    stats.refresh_snapshot(now=NOW)

    for query in ({}, {"year": "2025"}, {"year": "2026"}):
        for key in stats.TABLE_KEYS:
            for row in _csv(client, key, query)[1:]:
                for value in row[2:]:
                    assert not (value.isdigit() and 1 <= int(value) <= 10), (key, query, row)
            data = _json(client, key, query)
            values = [v for row in data["rows"] for v in [*row["cells"].values(), row["total"]]]
            values += [*(data["column_totals"] or {}).values(), data["grand_total"]]
            assert not [v for v in values if isinstance(v, int) and 1 <= v <= 10], (key, query)
