"""The data dashboard and the downloads of its tables.

Both read the statistics snapshot only (``statistics.published_statistics``): one row of one table,
never a case. The year filter is a GET form, so everything works without JavaScript. Each chart is
drawn once per snapshot, period, table and language, and kept in the cache as SVG markup.
"""

import csv
import json
from typing import Any

from django import forms
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oversight.charts import chart_drawing, chart_svg
from oversight.forms import add_usa_classes
from oversight.input_guard import CheckedInputMixin

from .statistics import TABLE_KEYS, PublicTable, Statistics, available_years, published_statistics, table_as_json

FORMATS = ("csv", "json")
CHART_WIDTH = 480
CHART_CACHE_SECONDS = 24 * 3600


class YearForm(CheckedInputMixin, forms.Form):
    """The dashboard's only filter, read from the query string."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Any = None, *, years: list[int]) -> None:
        super().__init__(data)
        self.fields["year"].choices = [("", gettext_lazy("All years")), *[(str(y), str(y)) for y in years]]

    def chosen_year(self) -> int | None:
        return self.cleaned_data.get("year") if self.is_bound and self.is_valid() else None


def _chart_height(table: PublicTable) -> float:
    if table.chart == "line":
        return 260
    notes = 2 if len(table.column_keys) > 1 else 1
    return 40 + notes * 12 + len(table.rows) * max(16, 10 * len(table.column_keys))


def _chart(statistics: Statistics, table: PublicTable, year: int | None) -> str:
    if not table.chart or not table.rows:
        return ""
    key = ":".join(
        [
            "dashboard-chart",
            statistics.as_of.isoformat(),
            str(statistics.threshold),
            str(year or "all"),
            table.key,
            get_language() or "",
        ]
    )

    def draw() -> str:
        drawing = chart_drawing(table, width=CHART_WIDTH, height=_chart_height(table))
        label = _("Chart: %(title)s. The table below gives its numbers.") % {"title": table.title}
        return chart_svg(drawing, label=label)

    return cache.get_or_set(key, draw, CHART_CACHE_SECONDS)


@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest) -> HttpResponse:
    years = available_years()
    form = YearForm(request.GET or None, years=years)
    year = form.chosen_year()
    add_usa_classes(form)
    statistics = published_statistics(year=year)
    sections = []
    if statistics is not None:
        sections = [
            {"table": table, "chart": _chart(statistics, table, year), "has_row_totals": _has_row_totals(table)}
            for table in statistics.tables
        ]
    return render(
        request,
        "public_portal/dashboard/dashboard.html",
        {
            "form": form,
            "year": year,
            "statistics": statistics,
            "sections": sections,
            "query": f"?year={year}" if year else "",
            "next_count": statistics.threshold + 1 if statistics is not None else None,
            "form_errors": [form] if form.is_bound and form.errors else [],
        },
    )


def _has_row_totals(table: PublicTable) -> bool:
    return any(row.total is not None for row in table.rows)


@require_http_methods(["GET", "HEAD"])
def statistics_download(request: HttpRequest, key: str, format: str) -> HttpResponse:
    """One dashboard table as CSV or JSON, for all years or the ``year`` asked for."""
    if key not in TABLE_KEYS or format not in FORMATS:
        raise Http404
    form = YearForm(request.GET or None, years=available_years())
    if form.is_bound and not form.is_valid():
        add_usa_classes(form)
        return render(request, "public_portal/dashboard/bad_filter.html", {"form": form}, status=400)
    year = form.chosen_year()
    statistics = published_statistics(year=year)
    if statistics is None:
        raise Http404
    table = statistics.table(key)
    name = f"{key}-{year or 'all-years'}.{format}"
    if format == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        _write_csv(response, table)
    else:
        response = HttpResponse(
            json.dumps(table_as_json(statistics, table, year), ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _write_csv(out: Any, table: PublicTable) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row_key", "row_label", *table.column_keys, "total"])
    for row in table.rows:
        total = row.total.as_csv() if row.total is not None else ""
        writer.writerow([row.key, row.label, *[cell.as_csv() for cell in row.cells], total])
    if table.column_totals is not None:
        grand = table.grand_total.as_csv() if table.grand_total is not None else ""
        writer.writerow(["total", _("Total"), *[cell.as_csv() for cell in table.column_totals], grand])
