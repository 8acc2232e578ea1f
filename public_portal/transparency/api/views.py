"""The API's views: read-only, open to everyone, JSON only.

No authentication runs (so no session and no CSRF), every client is throttled by the same keyed,
daily-salted counter the public forms use (``oversight.ratelimit``: never the address itself), and
every error is JSON with a plain ``detail`` message: 400 for a parameter that cannot be read, 404
for what is not published or does not exist, 429 when a client asks too often.
"""

from __future__ import annotations

from typing import Any

from csp.constants import SELF
from csp.decorators import csp_update
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from oversight.input_guard import parse_int

from ...publication.models import PublishedAllegation
from ...publication.selectors import published_get, published_publications
from .. import dispositions as disp
from .. import recommendations as recs
from .. import statistics
from ..statistics import Statistics
from .errors import invalid_cursor_message
from .filters import AllegationFilterSet, DispositionFilterSet, RecommendationFilterSet
from .serializers import (
    AllegationListSerializer,
    DispositionSerializer,
    ErrorSerializer,
    RecommendationDetailSerializer,
    RecommendationSerializer,
    StatisticsSerializer,
    StatisticsTableSerializer,
)

MAX_PAGE_SIZE = 100
PAGE_SIZE_MESSAGE = _("Give a whole number from 1 to %(most)s.")
ORDERING_MESSAGE = _("Choose one of: %(choices)s.")
YEAR_MESSAGE = _("Give a year from %(first)s to %(last)s.")


# --- Policies --------------------------------------------------------------------------------------


class ApiCursorPagination(CursorPagination):
    """Pages linked by an opaque cursor (``next``, ``previous``): page 500 costs what page 1 costs,
    and no total is counted. ``page_size`` is 1 to 100; anything else is refused with a 400."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-decision_date", "-id")
    invalid_cursor_message = invalid_cursor_message

    def get_page_size(self, request: Any) -> int:
        if self.page_size_query_param not in request.query_params:
            return self.page_size
        size = parse_int(request.query_params[self.page_size_query_param], minimum=1, maximum=self.max_page_size)
        if size is None:
            raise ValidationError({self.page_size_query_param: [PAGE_SIZE_MESSAGE % {"most": self.max_page_size}]})
        return size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class AllegationPagination(ApiCursorPagination):
    ordering = ("-id",)


class RecommendationPagination(ApiCursorPagination):
    ordering = ("-adopted_on", "-id")


class StableOrdering(OrderingFilter):
    """``?ordering=decision_date`` (or ``-decision_date``, ``published_at``, ``-published_at``), with
    the id after it so the order is the same on every request. Any other value is refused (400)."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> list[str]:
        chosen = request.query_params.get(self.ordering_param)
        if chosen is None:
            ordering = list(view.ordering)[:1]
        elif chosen in self._choices(view):
            ordering = [chosen]
        else:
            raise ValidationError(
                {self.ordering_param: [ORDERING_MESSAGE % {"choices": ", ".join(self._choices(view))}]}
            )
        return [*ordering, "-id" if ordering[0].startswith("-") else "id"]

    def _choices(self, view: Any) -> list[str]:
        return [f"{sign}{name}" for name in view.ordering_fields for sign in ("-", "")]

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "The order of the list; a leading minus means newest first.",
                "schema": {"type": "string", "enum": self._choices(view)},
            }
        ]


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter could not be read."),
    404: OpenApiResponse(ErrorSerializer, description="Not published, or no such page."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests: wait, then try again."),
}


# --- Selectors for the API -------------------------------------------------------------------------


def dispositions_for_api() -> QuerySet:
    """Published cases with what the API writes: district, allegations and their categories."""
    allegations = PublishedAllegation.objects.select_related("category", "category_class").order_by("position", "id")
    return (
        published_publications()
        .select_related("district")
        .defer("redaction_log", "manual_redactions", "source_sha256", "end_reason", "approval_reason")
        .prefetch_related(Prefetch("allegations", allegations))
    )


def allegations_for_api() -> QuerySet:
    return PublishedAllegation.objects.filter(publication_id__in=published_publications().values("id")).select_related(
        "publication__district", "category", "category_class"
    )


# --- Views -------------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="Published decisions",
        description=(
            "Published cases, newest decision first, with their allegations and findings. The filters are "
            "those of the published decisions page; category, disposition and officer apply together to one "
            "allegation of the case."
        ),
        responses={200: DispositionSerializer(many=True), **ERRORS},
    )
)
class DispositionList(generics.ListAPIView):
    serializer_class = DispositionSerializer
    filter_backends = [DjangoFilterBackend, StableOrdering]
    filterset_class = DispositionFilterSet
    ordering_fields = ["decision_date", "published_at"]
    ordering = ("-decision_date", "-id")
    pagination_class = ApiCursorPagination

    def get_queryset(self) -> QuerySet:
        return dispositions_for_api()


@extend_schema_view(
    get=extend_schema(
        summary="One published decision",
        description="The published version of a case. Retracted and unknown ids are 404.",
        responses={200: DispositionSerializer, **ERRORS},
    )
)
class DispositionDetail(generics.RetrieveAPIView):
    serializer_class = DispositionSerializer

    def get_object(self) -> Any:
        publication = published_get(self.kwargs["public_id"])
        return dispositions_for_api().get(pk=publication.pk)


@extend_schema_view(
    get=extend_schema(
        summary="Published allegations",
        description="Allegations of published cases, one by one. Year and district are the case's.",
        responses={200: AllegationListSerializer(many=True), **ERRORS},
    )
)
class AllegationList(generics.ListAPIView):
    serializer_class = AllegationListSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AllegationFilterSet
    pagination_class = AllegationPagination

    def get_queryset(self) -> QuerySet:
        return allegations_for_api()


@extend_schema_view(
    get=extend_schema(
        summary="Policy recommendations",
        description="The board's policy recommendations to the police department, newest first, with the "
        "department's current response and implementation.",
        responses={200: RecommendationSerializer(many=True), **ERRORS},
    )
)
class RecommendationList(generics.ListAPIView):
    serializer_class = RecommendationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecommendationFilterSet
    pagination_class = RecommendationPagination

    def get_queryset(self) -> QuerySet:
        return recs.recommendations_public().defer(None)

    def paginate_queryset(self, queryset: QuerySet) -> Any:
        page = super().paginate_queryset(queryset)
        return recs.with_public_text(page) if page is not None else None


@extend_schema_view(
    get=extend_schema(
        summary="One policy recommendation",
        description="A recommendation with its status updates, oldest first.",
        responses={200: RecommendationDetailSerializer, **ERRORS},
    )
)
class RecommendationDetail(generics.RetrieveAPIView):
    serializer_class = RecommendationDetailSerializer

    def get_object(self) -> Any:
        # A proposed recommendation is not in the open data until the board adopts it.
        return recs.recommendation_get_public(number=self.kwargs["number"], adopted_only=True)


def _year(request: Any) -> int | None:
    raw = request.query_params.get("year")
    if raw in (None, ""):
        return None
    year = parse_int(raw, minimum=disp.EARLIEST_YEAR, maximum=disp.LATEST_YEAR)
    if year is None:
        raise ValidationError({"year": [YEAR_MESSAGE % {"first": disp.EARLIEST_YEAR, "last": disp.LATEST_YEAR}]})
    return year


def _published_statistics(request: Any) -> tuple[Statistics, int | None]:
    """The snapshot's statistics for ``?year=`` (all years without it), or 404 before they are
    computed or for a year the snapshot does not hold."""
    year = _year(request)
    found = statistics.published_statistics(year=year)
    if found is None:
        raise NotFound
    return found, year


YEAR_PARAMETER = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": disp.EARLIEST_YEAR, "maximum": disp.LATEST_YEAR},
    OpenApiParameter.QUERY,
    description="One year (see years in /api/v1/statistics/); all years without it.",
)


class StatisticsIndex(APIView):
    """The dashboard's headline numbers and the list of its tables."""

    @extend_schema(
        summary="Statistics",
        operation_id="statistics_index",
        description="When the dashboard's numbers were computed, its headline numbers, the years available "
        "and its tables. Every count covers all complaints, published or not, and is suppressed: a count "
        "from 1 to the threshold, and any count that would reveal one, is hidden.",
        parameters=[YEAR_PARAMETER],
        responses={200: StatisticsSerializer, **ERRORS},
    )
    def get(self, request: Any) -> Response:
        found, year = _published_statistics(request)
        query = f"?year={year}" if year else ""
        return Response(
            {
                "as_of": found.as_of.isoformat(),
                "period": found.period_label,
                "year": year,
                "years": statistics.available_years(),
                "threshold": found.threshold,
                "summary": [
                    {"key": m.key, "label": m.label, "value": m.value, "raw": m.raw, "note": m.note}
                    for m in found.summary
                ],
                "tables": [
                    {
                        "key": table.key,
                        "title": table.title,
                        "description": table.description,
                        "url": reverse("public_portal:api_statistics_table", args=[table.key]) + query,
                    }
                    for table in found.tables
                ],
            }
        )


class StatisticsTable(APIView):
    """One of the dashboard's tables."""

    @extend_schema(
        summary="One statistics table",
        operation_id="statistics_table",
        description="A dashboard table: its rows and columns, each count a number or, when hidden, "
        '{"suppressed": true, "min": ..., "max": ...}.',
        parameters=[
            OpenApiParameter("key", str, OpenApiParameter.PATH, enum=list(statistics.TABLE_KEYS)),
            YEAR_PARAMETER,
        ],
        responses={200: StatisticsTableSerializer, **ERRORS},
    )
    def get(self, request: Any, key: str) -> Response:
        found, year = _published_statistics(request)
        try:
            table = found.table(key)
        except KeyError:
            raise NotFound from None
        return Response(statistics.table_as_json(found, table, year))


class ApiDocs(SpectacularSwaggerView):
    """Swagger UI from the local static files (drf-spectacular-sidecar), in the site's own page, started
    by a static script (no inline script: docs/headers.md)."""

    template_name = "public_portal/opendata/api_docs.html"
    url_name = "public_portal:api_schema"

    # Swagger UI's stylesheet draws its icons from data: URLs; this page alone allows those images.
    @extend_schema(exclude=True)
    @method_decorator(csp_update({"img-src": [SELF, "data:"]}))
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        # drf-spectacular opens the page to other windows (Cross-Origin-Opener-Policy: unsafe-none) for
        # OAuth sign-in pop-ups; this API has no sign-in, so the page keeps the site's same-origin.
        del response["Cross-Origin-Opener-Policy"]
        return response


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other address under /api/: a JSON 404, as the API's own errors are."""
    return JsonResponse({"detail": gettext("Nothing is published at this address.")}, status=404)
