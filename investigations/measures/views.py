"""The management measures page (``staff:measures:page``) and the CSV of each of its tables
(``staff:measures:export``).

Supervisors only (``selectors.may_view_measures``); anyone else signed in gets the staff 404 page,
anyone signed out the sign-in page. Each view of the page records ``measures.viewed`` and each
download ``measures.exported`` (which table), both with the filters used.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oversight.charts import chart_drawing, chart_svg
from oversight.forms import add_usa_classes
from oversight.pagination import querystring

from .forms import MeasuresFilterForm
from .selectors import TABLE_KEYS, MeasureFilters, may_view_measures, measure_table, measures_for
from .services import measures_exported, measures_viewed
from .tables import MeasureTable, chart_note, chart_table, csv_text

CHART_WIDTH = 520


def _supervisors_only(request: HttpRequest) -> None:
    if not may_view_measures(request.user):
        raise Http404


def _chart_height(table: MeasureTable) -> float:
    series = len(table.chart_columns)
    legend = 1 if series > 1 else 0
    return 44 + legend * 12 + len(table.rows) * max(16, 9 * series)


def _chart(table: MeasureTable) -> str:
    if table.is_empty:
        return ""
    drawing = chart_drawing(chart_table(table), width=CHART_WIDTH, height=_chart_height(table))
    return chart_svg(
        drawing, label=_("Chart: %(title)s. The table beside it gives its numbers.") % {"title": table.title}
    )


def _period_label(filters: MeasureFilters) -> str:
    return _("%(start)s to %(end)s") % {
        "start": formats.date_format(filters.start, "DATE_FORMAT"),
        "end": formats.date_format(filters.end, "DATE_FORMAT"),
    }


def _query(form: MeasuresFilterForm) -> str:
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    return querystring(
        {
            "period": data.get("period") or "",
            "start": data["period_start"].isoformat() if data.get("period") == "custom" else "",
            "end": data["period_end"].isoformat() if data.get("period") == "custom" else "",
            "district": data.get("district") or "",
            "category": data.get("category") or "",
        }
    )


def _invalid(request: HttpRequest, form: MeasuresFilterForm) -> HttpResponse:
    add_usa_classes(form)
    return render(
        request,
        "measures/page.html",
        {"form": form, "forms_with_errors": [form], "measures": None, "sections": []},
        status=400,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def measures_page(request: HttpRequest) -> HttpResponse:
    _supervisors_only(request)
    form = MeasuresFilterForm(request.GET or None, today=timezone.localdate())
    filters = form.filters()
    if filters is None:
        return _invalid(request, form)
    measures = measures_for(filters)
    measures_viewed(actor=request.user, filters=filters)
    context: dict[str, Any] = {
        "form": form,
        "forms_with_errors": [],
        "measures": measures,
        "filters": filters,
        "period_label": _period_label(filters),
        "query": _query(form),
        "sections": [
            {"table": table, "chart": _chart(table), "chart_note": chart_note(table)} for table in measures.tables
        ],
    }
    add_usa_classes(form)
    return render(request, "measures/page.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def measures_export(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the page as CSV, for the same filters."""
    _supervisors_only(request)
    if table not in TABLE_KEYS:
        raise Http404
    form = MeasuresFilterForm(request.GET or None, today=timezone.localdate())
    filters = form.filters()
    if filters is None:
        return _invalid(request, form)
    found = measure_table(table, filters)
    measures_exported(actor=request.user, filters=filters, table=table)
    response = HttpResponse(csv_text(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="measures-{table}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
