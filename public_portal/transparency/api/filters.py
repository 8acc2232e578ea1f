"""The API's filters. They are the published decisions list's filters: the same query parameters,
read by the same form (``DispositionFilterForm``) and applied by the same functions, so the API, the
page and the downloads agree on what ``?year=2025&category=force`` means."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from investigations.models import Disposition
from public_portal.models import PolicyRecommendation, RecommendationStatusUpdate

from ...publication.models import Publication, PublishedAllegation
from .. import dispositions as disp


class _SharedFormFilterSet(django_filters.FilterSet):
    """Validation by the list's form; the declared filters document the parameters in the schema."""

    year = extend_schema_field(
        {
            "type": "integer",
            "minimum": disp.EARLIEST_YEAR,
            "maximum": disp.LATEST_YEAR,
            "description": "The year the board decided the case.",
        }
    )(django_filters.NumberFilter())
    category = django_filters.CharFilter(
        help_text="A kind of allegation: a top-level category code, such as force (see /data/dictionary/)."
    )
    disposition = django_filters.ChoiceFilter(
        choices=Disposition.choices, help_text="A finding: a disposition code, such as sustained."
    )
    district = django_filters.CharFilter(help_text="A district code (see /data/dictionary/).")
    officer = django_filters.CharFilter(
        help_text="An officer named on the public record, by badge number; only officers whose names are public."
    )

    def get_form_class(self) -> Any:
        return disp.DispositionFilterForm

    def narrow(self, queryset: QuerySet, filters: disp.Filters, choices: disp.FilterChoices) -> QuerySet:
        raise NotImplementedError

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self.narrow(queryset, self.form.filters(), self.form.choices)


class DispositionFilterSet(_SharedFormFilterSet):
    """The filters of /decisions/: the allegation filters (category, disposition, officer) apply
    together to one allegation of the case."""

    class Meta:
        model = Publication
        fields: list[str] = []

    def narrow(self, queryset: QuerySet, filters: disp.Filters, choices: disp.FilterChoices) -> QuerySet:
        return disp.filter_publications(queryset, filters, choices)


class AllegationFilterSet(_SharedFormFilterSet):
    """The same filters, on allegations: year and district are the case's."""

    class Meta:
        model = PublishedAllegation
        fields: list[str] = []

    def narrow(self, queryset: QuerySet, filters: disp.Filters, choices: disp.FilterChoices) -> QuerySet:
        return disp.filter_allegations(queryset, filters, choices)


class RecommendationFilterSet(django_filters.FilterSet):
    response = django_filters.ChoiceFilter(
        field_name="current_response",
        choices=RecommendationStatusUpdate.Response.choices,
        help_text="The department's current response.",
    )

    class Meta:
        model = PolicyRecommendation
        fields: list[str] = []
