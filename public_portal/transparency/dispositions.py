"""Published dispositions: the public list and detail pages, and the filters the open data downloads
and the API share with the list.

Everything here reads the publication tables (``publication_publication``,
``publication_publishedallegation``), the taxonomy (``complaints_allegationcategory``) and district
names (``oversight_district``): never a complaint, a party, an officer's roster row or any other case
table. Officers are only ever shown as the published record has them: by name where the disclosure
policy made the name public, otherwise as "Officer A", "Officer B"...

The filters are one form (``DispositionFilterForm``) read from the query string. The allegation
filters (kind of allegation, finding, officer) apply together to one allegation: "force, sustained"
keeps the cases with a sustained force allegation, not those with any force allegation and any
sustained one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.cache import cache
from django.db.models import Max, Min, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from complaints.models import AllegationCategory
from investigations.board.models import BoardDecision, DepartmentResponse
from investigations.models import Disposition
from investigations.outcomes import outcome_sentence
from oversight.forms import PlainSelect, add_usa_classes
from oversight.input_guard import CheckedInputMixin
from oversight.models import District
from oversight.pagination import Total, capped_count, keyset_page_for_request, querystring

from ..publication.models import Publication, PublishedAllegation
from ..publication.redaction import OFFICER_PSEUDONYM
from ..publication.selectors import GENERATION_TTL, published_generation, published_get, published_publications

ORDER = ("-decision_date", "-id")
PAGE_SIZE = 20
# The list says how many cases match up to this many, then "more than 1,000": counting further
# would read every matching case on each page.
COUNT_CAP = 1000
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
FILTER_NAMES = ("year", "category", "disposition", "district", "officer")

# The columns a list page reads; the summary and the staff's fields stay in the database.
LIST_FIELDS = (
    "id",
    "public_id",
    "version",
    "supersedes_id",
    "incident_year",
    "incident_month",
    "district_id",
    "decision_date",
    "decision_year",
    "published_at",
    "board_decision",
)
ALLEGATION_FIELDS = (
    "id",
    "publication_id",
    "position",
    "category_id",
    "category_class_id",
    "disposition",
    "officer_label",
    "officer_disclosed",
    "officer_name",
    "officer_badge",
    "recommended_discipline",
    "department_response",
    "discipline_imposed",
)

# What the board decided, in the public's words.
BOARD_DECISION_TEXT = {
    BoardDecision.Kind.ADOPT: _("The board adopted the findings the investigators proposed."),
    BoardDecision.Kind.MODIFY: _("The board changed some of the findings the investigators proposed."),
}
BOARD_DECISION_LABELS = {
    BoardDecision.Kind.ADOPT: _("Findings adopted as proposed"),
    BoardDecision.Kind.MODIFY: _("Findings changed by the board"),
}
DEPARTMENT_RESPONSE_LABELS = {
    DepartmentResponse.Response.ACCEPTED: _("Accepted"),
    DepartmentResponse.Response.MODIFIED: _("Changed"),
    DepartmentResponse.Response.REJECTED: _("Rejected"),
}
# The default discipline scale in words (an agency's own additions are shown as written).
DISCIPLINE_LABELS = {
    "training": _("Training"),
    "counseling": _("Counseling"),
    "reprimand": _("Reprimand"),
    "suspension": _("Suspension"),
    "demotion": _("Demotion"),
    "termination": _("Termination"),
}
_PSEUDONYM = re.compile(r"Officer ([A-Z]{1,3})")


# --- Labels ----------------------------------------------------------------------------------------


def disposition_label(code: str) -> str:
    return str(Disposition(code).label) if code in Disposition.values else code


def board_decision_label(code: str) -> str:
    label = BOARD_DECISION_LABELS.get(code)
    return str(label) if label is not None else code


def department_response_label(code: str) -> str:
    label = DEPARTMENT_RESPONSE_LABELS.get(code)
    return str(label) if label is not None else code


def discipline_label(code: str) -> str:
    if not code:
        return ""
    label = DISCIPLINE_LABELS.get(code)
    return str(label) if label is not None else code.replace("_", " ").capitalize()


def officer_text(allegation: PublishedAllegation) -> str:
    """The officer as the public record names them: "Name (badge 1234)" where the name is public,
    else the record's pseudonym in the reader's language ("Officer A", "Agente A")."""
    if allegation.officer_disclosed and allegation.officer_name:
        if allegation.officer_badge:
            return str(_("%(name)s (badge %(badge)s)")) % {
                "name": allegation.officer_name,
                "badge": allegation.officer_badge,
            }
        return allegation.officer_name
    match = _PSEUDONYM.fullmatch(allegation.officer_label or "")
    if match:
        return str(OFFICER_PSEUDONYM) % {"letter": match.group(1)}
    return allegation.officer_label


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    label: str
    class_id: int | None


def category_map(language: str | None = None) -> dict[int, CategoryInfo]:
    """Every taxonomy entry by id, with its label in ``language`` (the taxonomy is small)."""
    language = language or get_language()
    return {
        category.pk: CategoryInfo(category.code, category.localized_name(language), category.parent_id)
        for category in AllegationCategory.objects.only("id", "code", "name", "translations", "parent_id")
    }


def district_map() -> dict[int, District]:
    return {district.pk: district for district in District.objects.only("id", "code", "name").order_by("name", "id")}


# --- Filters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """What the filters offer: read once per request, shared by the form and the filtering."""

    years: list[int]
    categories: list[tuple[str, str, int]]  # (code, label, id) of the top-level classes
    districts: list[tuple[str, str, list[int]]]  # (code, name, ids): one code may name several
    officers: list[tuple[str, str, list[int]]]  # (key, label, roster ids) of officers named publicly
    category_info: dict[int, CategoryInfo] = field(default_factory=dict)
    district_info: dict[int, District] = field(default_factory=dict)


def _officer_key(name: str, badge: str) -> str:
    return badge.strip() or slugify(name)


def _named_officers() -> list[tuple[str, str, list[int]]]:
    """(filter key, label, roster ids) of the officers a published record names, in label order: a
    scan of every published allegation, so cached until the next publication, supersession or
    retraction (``published_generation``)."""
    key = f"public-officers:{published_generation()}"
    found = cache.get(key)
    if found is not None:
        return found
    officers: dict[str, tuple[str, list[int]]] = {}
    named = (
        PublishedAllegation.objects.filter(
            officer__isnull=False, officer_disclosed=True, publication__status=Publication.Status.PUBLISHED
        )
        .values_list("officer_id", "officer_name", "officer_badge")
        .distinct()
    )
    for officer_id, name, badge in named:
        officer_key = _officer_key(name, badge)
        if not officer_key:
            continue
        label = f"{name} ({badge})" if badge else name
        _label, ids = officers.setdefault(officer_key, (label, []))
        if officer_id not in ids:
            ids.append(officer_id)
    found = sorted(((key, label, ids) for key, (label, ids) in officers.items()), key=lambda o: o[1].casefold())
    cache.set(key, found, GENERATION_TTL)
    return found


def _published_span() -> dict[str, Any]:
    """The first and last decision year and the latest publication time of the published record:
    two aggregates over every published case, so cached until the record changes, like the officers."""
    key = f"public-span:{published_generation()}"
    found = cache.get(key)
    if found is not None:
        return found
    found = published_publications().aggregate(
        first=Min("decision_year"), last=Max("decision_year"), latest=Max("published_at")
    )
    cache.set(key, found, GENERATION_TTL)
    return found


def filter_choices(language: str | None = None) -> FilterChoices:
    """The years that hold published decisions, the allegation classes, the districts and the officers
    a published record names (only those the disclosure policy made public: a private officer has no
    roster link on the record)."""
    span = _published_span()
    years = list(range(span["last"], span["first"] - 1, -1)) if span["first"] and span["last"] else []
    info = category_map(language)
    classes = sorted(
        ((c.code, c.label, pk) for pk, c in info.items() if c.class_id is None),
        key=lambda item: item[1].casefold(),
    )
    districts_by_code: dict[str, tuple[str, list[int]]] = {}
    district_info = district_map()
    for district in district_info.values():
        name, ids = districts_by_code.setdefault(district.code, (district.name, []))
        ids.append(district.pk)
    officers = _named_officers()
    return FilterChoices(
        years=years,
        categories=classes,
        districts=sorted(((code, name, ids) for code, (name, ids) in districts_by_code.items()), key=lambda d: d[1]),
        officers=officers,
        category_info=info,
        district_info=district_info,
    )


@dataclass(frozen=True)
class Filters:
    """The filters chosen, as the query string names them (codes, never database ids)."""

    year: int | None = None
    category: str = ""
    disposition: str = ""
    district: str = ""
    officer: str = ""

    def as_query(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FILTER_NAMES if getattr(self, name) not in (None, "")}

    @property
    def any(self) -> bool:
        return bool(self.as_query())


class _Options(BaseChoiceIterator):
    """Choices already as (value, label) pairs. Django normalizes a plain list again on every
    assignment to a field and its widget: for thousands of officers, a good part of the page's time."""

    def __init__(self, options: list[tuple[Any, Any]]) -> None:
        self.options = options

    def __iter__(self) -> Any:
        return iter(self.options)


class DispositionFilterForm(CheckedInputMixin, forms.Form):
    """The list's filters, read from the query string; the downloads and the API read the same."""

    year = forms.IntegerField(
        label=_("Year decided"), required=False, min_value=EARLIEST_YEAR, max_value=LATEST_YEAR, widget=forms.Select
    )
    category = forms.ChoiceField(label=_("Kind of allegation"), required=False)
    disposition = forms.ChoiceField(label=_("Finding"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False, widget=PlainSelect)
    officer = forms.ChoiceField(
        label=_("Officer"),
        required=False,
        # Every officer a published record names: thousands of options in a city.
        widget=PlainSelect,
        help_text=_("Only officers whose names the law allows us to publish are listed."),
    )

    def __init__(self, data: Any = None, *args: Any, choices: FilterChoices | None = None, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.choices = choices or filter_choices()
        self.fields["year"].widget.choices = [("", _("Any year")), *((y, str(y)) for y in self.choices.years)]
        self.fields["category"].choices = [
            ("", _("Any kind")),
            *((c, label) for c, label, _i in self.choices.categories),
        ]
        self.fields["disposition"].choices = [("", _("Any finding")), *Disposition.choices]
        self.fields["district"].choices = [("", _("Any district")), *((c, n) for c, n, _i in self.choices.districts)]
        self.fields["officer"].choices = _Options(
            [("", _("Any officer")), *((k, label) for k, label, _i in self.choices.officers)]
        )

    def filters(self) -> Filters:
        """The valid filters (an invalid one is left out, and shown as an error on the page)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return Filters(
            year=data.get("year"),
            category=data.get("category") or "",
            disposition=data.get("disposition") or "",
            district=data.get("district") or "",
            officer=data.get("officer") or "",
        )

    def summary(self, filters: Filters) -> list[tuple[str, str]]:
        """(filter label, chosen value in words) for each filter in use."""
        summary = []
        for name, value in filters.as_query().items():
            bound = self.fields[name]
            options = bound.widget.choices if name == "year" else bound.choices
            words = next((str(label) for key, label in options if str(key) == str(value)), str(value))
            summary.append((str(bound.label), words))
        return summary


def filter_publications(queryset: QuerySet, filters: Filters, choices: FilterChoices) -> QuerySet:
    """``queryset`` (publications) narrowed to ``filters``; codes are resolved through ``choices``."""
    if filters.year is not None:
        # The year as a range of decision dates too, so the list's index starts at the year's last
        # decision instead of reading every later one (decision_year is the decision date's year).
        queryset = queryset.filter(
            decision_year=filters.year,
            decision_date__gte=date(filters.year, 1, 1),
            decision_date__lte=date(filters.year, 12, 31),
        )
    if filters.district:
        ids = next((ids for code, _name, ids in choices.districts if code == filters.district), [])
        queryset = queryset.filter(district_id__in=ids)
    allegation = {}
    if filters.category:
        allegation["category_class_id"] = next((i for c, _l, i in choices.categories if c == filters.category), None)
    if filters.disposition:
        allegation["disposition"] = filters.disposition
    if filters.officer:
        ids = next((ids for key, _l, ids in choices.officers if key == filters.officer), [])
        allegation.update(officer_id__in=ids, officer_disclosed=True)
    if allegation:
        queryset = queryset.filter(id__in=PublishedAllegation.objects.filter(**allegation).values("publication_id"))
    return queryset


def filter_allegations(queryset: QuerySet, filters: Filters, choices: FilterChoices) -> QuerySet:
    """``queryset`` (published allegations) narrowed to ``filters``: the case filters apply to the
    allegation's case, the allegation filters to the allegation itself."""
    if filters.year is not None:
        queryset = queryset.filter(publication__decision_year=filters.year)
    if filters.district:
        ids = next((ids for code, _name, ids in choices.districts if code == filters.district), [])
        queryset = queryset.filter(publication__district_id__in=ids)
    if filters.category:
        queryset = queryset.filter(
            category_class_id=next((i for c, _l, i in choices.categories if c == filters.category), None)
        )
    if filters.disposition:
        queryset = queryset.filter(disposition=filters.disposition)
    if filters.officer:
        ids = next((ids for key, _l, ids in choices.officers if key == filters.officer), [])
        queryset = queryset.filter(officer_id__in=ids, officer_disclosed=True)
    return queryset


# --- Selectors -------------------------------------------------------------------------------------


def dispositions_public(filters: Filters, choices: FilterChoices) -> QuerySet:
    """Published cases matching ``filters``, newest decision first, with their allegations."""
    allegations = PublishedAllegation.objects.only(*ALLEGATION_FIELDS).order_by("position", "id")
    queryset = published_publications().only(*LIST_FIELDS).order_by(*ORDER)
    return filter_publications(queryset, filters, choices).prefetch_related(Prefetch("allegations", allegations))


def dispositions_as_of() -> datetime:
    """When the published record last changed: the latest publication, or now if there is none."""
    return _published_span()["latest"] or timezone.now()


def disposition_get_public(public_id: str) -> Publication:
    """The published version of ``public_id`` with its allegations, or Http404 (never published,
    retracted, superseded or unknown)."""
    publication = published_get(public_id[:32])
    publication.allegation_rows = list(
        PublishedAllegation.objects.filter(publication=publication).only(*ALLEGATION_FIELDS).order_by("position", "id")
    )
    return publication


@dataclass
class AllegationText:
    category_class: str
    category: str
    disposition: str
    disposition_code: str
    officer: str
    recommended_discipline: str
    department_response: str
    discipline_imposed: str


def allegation_text(allegation: PublishedAllegation, categories: dict[int, CategoryInfo]) -> AllegationText:
    category = categories.get(allegation.category_id)
    category_class = categories.get(allegation.category_class_id)
    return AllegationText(
        category_class=category_class.label if category_class else "",
        category=category.label if category else "",
        disposition=disposition_label(allegation.disposition),
        disposition_code=allegation.disposition,
        officer=officer_text(allegation),
        recommended_discipline=discipline_label(allegation.recommended_discipline),
        department_response=department_response_label(allegation.department_response),
        discipline_imposed=allegation.discipline_imposed,
    )


def incident_month(publication: Publication) -> date | None:
    if publication.incident_year and publication.incident_month and 1 <= publication.incident_month <= 12:
        return date(publication.incident_year, publication.incident_month, 1)
    return None


def with_public_text(publications: Any, choices: FilterChoices) -> list[Publication]:
    """The publications with what the pages show, in the reader's language: ``incident``,
    ``district_name``, ``allegation_texts`` and ``board_decision_text``."""
    items = list(publications)
    for publication in items:
        publication.incident = incident_month(publication)
        district = choices.district_info.get(publication.district_id)
        publication.district_name = district.name if district else ""
        rows = getattr(publication, "allegation_rows", None)
        if rows is None:
            rows = list(publication.allegations.all())
        publication.allegation_texts = [allegation_text(row, choices.category_info) for row in rows]
        text = BOARD_DECISION_TEXT.get(publication.board_decision)
        publication.board_decision_text = str(text) if text is not None else ""
    return items


def dispositions_explained(codes: Any) -> list[tuple[str, str]]:
    """(label, plain explanation) of each disposition in ``codes``, in the order the choices list them."""
    present = set(codes)
    return [(str(label), outcome_sentence(value)) for value, label in Disposition.choices if value in present]


# --- Views -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def disposition_list(request: HttpRequest) -> HttpResponse:
    choices = filter_choices()
    form = DispositionFilterForm(request.GET or None, choices=choices)
    filters = form.filters()
    queryset = dispositions_public(filters, choices)
    total: Total = capped_count(queryset, cap=COUNT_CAP)
    page = keyset_page_for_request(request, queryset, ordering=ORDER, per_page=PAGE_SIZE, total=total)
    page.object_list = with_public_text(page.object_list, choices)
    add_usa_classes(form)
    invalid = form.is_bound and bool(form.errors)
    return render(
        request,
        "public_portal/dispositions/list.html",
        {
            "form": form,
            "forms_with_errors": [form] if invalid else [],
            "page": page,
            "publications": page.object_list,
            "filters": filters,
            "summary": form.summary(filters),
            "querystring": querystring(filters.as_query()),
            "as_of": dispositions_as_of(),
            "explained": dispositions_explained(Disposition.values),
        },
        status=400 if invalid else 200,
    )


@require_http_methods(["GET", "HEAD"])
def disposition_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    publication = disposition_get_public(public_id)
    choices = FilterChoices(
        years=[], categories=[], districts=[], officers=[], category_info=category_map(), district_info=district_map()
    )
    (publication,) = with_public_text([publication], choices)
    return render(
        request,
        "public_portal/dispositions/detail.html",
        {
            "publication": publication,
            "explained": dispositions_explained(a.disposition_code for a in publication.allegation_texts),
            "any_discipline": any(
                a.recommended_discipline or a.department_response or a.discipline_imposed
                for a in publication.allegation_texts
            ),
        },
    )
