"""The search pages: the staff case search and officer page, and the public search of decisions.

Both searches go through ``search.backends.backend()``; neither page knows which backend answers.
A backend that cannot answer (``SearchUnavailable``) gives the page with a plain message and
status 503, never a server error. A page with nothing asked yet does not call the backend at all.

The staff search records ``search.staff_searched`` for every query it runs, with the filters and
the length of the words searched, never the words (they may be a person's name). Snippets of a
case's narrative, notes or people are personal data: each response that shows some marks the read
(``oversight.personal_data.shown``), so it is audited as the case pages are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from complaints.models import Complaint
from investigations.models import Disposition
from oversight import audit, personal_data
from oversight.forms import add_usa_classes
from oversight.input_guard import parse_int
from oversight.pagination import capped_count, keyset_page_for_request, querystring

from . import documents, selectors, text
from .backends import backend
from .backends.base import MAX_PAGE, PAGE_SIZE, Hit, Results, SearchUnavailable, scope_for
from .forms import PublicSearchForm, StaffSearchForm

STAFF_FILTERS = ("status", "district", "category", "year", "officer")
PUBLIC_FILTERS = ("category", "disposition", "district", "year")
STAFF_FACET_ORDER = ("status", "category", "district", "year", "officer")
PUBLIC_FACET_ORDER = ("category", "disposition", "district", "year")

# What a snippet of each case field shows, as ``oversight.personal_data`` names it. The notes text
# holds the case notes and the interview summaries; ``people`` the parties, the people interviewed
# and the people subpoenaed. The officers and the place are shown on the case page to everyone who
# sees the case, unmarked.
SNIPPET_KINDS: dict[str, tuple[str, ...]] = {
    "narrative": ("narrative",),
    "narrative_masked": ("narrative",),
    "allegations": ("narrative",),
    "allegations_masked": ("narrative",),
    "notes": ("notes", "interview_summaries"),
    "notes_masked": ("notes", "interview_summaries"),
    "people": tuple(personal_data.PEOPLE_KINDS),
}


# --- Pieces both searches share ----------------------------------------------------------------------


@dataclass
class NumberedPage:
    """A page of search results in the shape ``components/pagination.html`` reads."""

    number: int
    num_pages: int
    is_keyset: bool = False

    @property
    def paginator(self) -> NumberedPage:
        return self

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return max(1, min(self.number, self.num_pages + 1) - 1)

    @property
    def next_page_number(self) -> int:
        return self.number + 1


@dataclass
class Bucket:
    label: str
    count: int
    url: str
    selected: bool = False
    extra_url: str = ""  # the officer facet: the officer's page


@dataclass
class Facet:
    name: str
    label: str
    buckets: list[Bucket] = field(default_factory=list)


@dataclass
class Chosen:
    """One filter in use: its name, the value in words and the link that removes it."""

    label: str
    value: str
    remove_url: str


def _requested_page(request: HttpRequest) -> tuple[int, str]:
    """The page asked for (1 when none), and a note when the number could not be used as given."""
    raw = request.GET.get("page")
    if raw in (None, ""):
        return 1, ""
    number = parse_int(raw, minimum=1)
    if number is None:
        return 1, _("That page number could not be read, so the first page is shown.")
    if number > MAX_PAGE:
        return MAX_PAGE, _("Only the first %(pages)d pages of results can be shown; this is the last of them.") % {
            "pages": MAX_PAGE
        }
    return number, ""


def _links(base: dict[str, Any]) -> tuple[Any, Any]:
    """Two helpers building links from the search's parameters: one adding (or changing) a filter,
    one removing it. Both start again at the first page."""

    def adding(name: str, value: Any) -> str:
        return "?" + querystring({**base, name: value})

    def removing(name: str) -> str:
        rest = {key: value for key, value in base.items() if key != name}
        found = querystring(rest)
        return f"?{found}" if found else "?"

    return adding, removing


def _iso_date(value: Any) -> date | None:
    """A date from a document's ISO date or date-time string, in the site's time zone."""
    if not value:
        return None
    moment = parse_datetime(str(value))
    if moment is not None:
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return parse_date(str(value)[:10])


def _page_notes(results: Results, asked_page: int) -> list[str]:
    notes = []
    if results.total and not results.hits and asked_page > 1:
        notes.append(
            _("There is no page %(page)d for this search: it has %(pages)d.")
            % {"page": asked_page, "pages": results.pages}
        )
    if results.total > MAX_PAGE * PAGE_SIZE:
        notes.append(
            _("Only the first %(shown)s results can be paged through. Add words or filters to narrow the search.")
            % {"shown": f"{MAX_PAGE * PAGE_SIZE:,}"}
        )
    return notes


# --- Staff case search -------------------------------------------------------------------------------


def snippet_kinds(hit: Hit, parsed: text.ParsedQuery, *, personal: bool) -> list[str]:
    """The kinds of personal data ``hit``'s snippets show, found by walking the snippet fields in the
    order the backends take them. A field whose text the hit does not carry, or snippets that cannot
    all be accounted for, count as every kind they might show: a read is never left unmarked."""
    if not hit.snippets:
        return []
    fields = documents.SNIPPET_FIELDS_FULL if personal else documents.SNIPPET_FIELDS_OPEN
    kinds: list[str] = []
    remaining = len(hit.snippets)
    for name in fields:
        if remaining <= 0:
            break
        if name not in hit.source:
            kinds.extend(SNIPPET_KINDS.get(name, ()))
            continue
        found = text.snippets(str(hit.source.get(name) or ""), parsed, limit=remaining)
        if found:
            kinds.extend(SNIPPET_KINDS.get(name, ()))
            remaining -= len(found)
    if remaining > 0:
        kinds.extend(kind for name in fields for kind in SNIPPET_KINDS.get(name, ()))
    return list(dict.fromkeys(kinds))


@dataclass
class CaseHit:
    tracking_number: str
    status: str
    district: str
    received: date | None
    officers: list[selectors.OfficerLabel]
    categories: list[str]
    # Built by ``search.text.snippets``: every piece of the case's text escaped, only the <mark>
    # tags around matching words added, so the template may print them as they are.
    snippets: list[SafeString]


def _staff_audit_data(query: Any) -> dict[str, Any]:
    return {
        "filters": {name: str(value) for name, value in query.filters.items()},
        "query_length": len(query.text),
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def case_search(request: HttpRequest) -> HttpResponse:
    """Every signed-in staff member may search; each finds only the cases they may see (a user who
    may see none finds nothing). The words are searched in the case's text as the case pages show
    it to them: with people's names replaced by their roles unless they may see people's details."""
    choices = selectors.search_choices()
    form = StaffSearchForm(request.GET or None, choices=choices)
    page_number, page_note = _requested_page(request)
    query = form.query(page_number)
    parsed = query.parsed
    notes = [page_note] if page_note else []
    results, unavailable = Results.empty(page_number), False
    asked = bool(query.text or query.filters)
    scope = scope_for(request.user)
    if parsed or query.filters:
        try:
            results = backend().staff_search(scope=scope, query=query)
        except SearchUnavailable:
            unavailable = True
        else:
            audit.record("search.staff_searched", data=_staff_audit_data(query))
    if not unavailable:
        notes += _page_notes(results, page_number)

    # Every label the page shows, in one query per table (the districts and kinds came with the form).
    officer_ids = {pk for pk, _n in results.facets.get("officer", [])}
    for hit in results.hits:
        officer_ids.update(hit.source.get("officer_ids") or [])
    if query.officer_id:
        officer_ids.add(query.officer_id)
    officers = selectors.officer_labels(officer_ids)
    statuses = dict(Complaint.Status.choices)

    hits = []
    for hit in results.hits:
        kinds = snippet_kinds(hit, parsed, personal=scope.personal_data)
        if kinds:
            # The hit's own complaint, named without a query: the read is audited on it.
            personal_data.shown(request, Complaint(pk=hit.id, tracking_number=hit.key), kinds)
        source = hit.source
        hits.append(
            CaseHit(
                tracking_number=hit.key,
                status=str(statuses.get(source.get("status"), source.get("status") or "")),
                district=source.get("district") or "",
                received=_iso_date(source.get("received_at")),
                officers=[officers[pk] for pk in map(_int, source.get("officer_ids") or []) if pk in officers],
                categories=[
                    choices.categories[pk]
                    for pk in map(_int, source.get("category_ids") or [])
                    if pk in choices.categories
                ],
                snippets=hit.snippets,
            )
        )

    base = {"q": query.text, **_staff_filter_values(query)}
    adding, removing = _links(base)
    labels = {
        "status": lambda v: str(statuses.get(v, v)),
        "category": lambda v: choices.categories.get(_int(v), v),
        "district": lambda v: choices.districts.get(_int(v), v),
        "year": str,
        "officer": lambda v: str(officers[_int(v)]) if _int(v) in officers else _("Officer #%(id)s") % {"id": v},
    }
    facet_titles = {
        "status": _("Status"),
        "category": _("Kind of allegation"),
        "district": _("District"),
        "year": _("Year received"),
        "officer": _("Officer"),
    }
    chosen_values = {name: str(value) for name, value in _staff_filter_values(query).items()}
    facets = []
    for name in STAFF_FACET_ORDER:
        buckets = []
        for value, count in results.facets.get(name, []):
            selected = chosen_values.get(name) == str(value)
            extra = reverse("staff:search:officer", args=[_int(value)]) if name == "officer" and _int(value) else ""
            buckets.append(Bucket(labels[name](value), count, "" if selected else adding(name, value), selected, extra))
        if buckets:
            facets.append(Facet(name, facet_titles[name], buckets))
    chosen = [Chosen(facet_titles[name], labels[name](value), removing(name)) for name, value in chosen_values.items()]
    filter_officer = officers.get(query.officer_id) if query.officer_id else None

    add_usa_classes(form)
    invalid = form.is_bound and bool(form.errors)
    status = 503 if unavailable else 400 if invalid else 200
    return render(
        request,
        "search/case_search.html",
        {
            "form": form,
            "forms_with_errors": [form] if invalid else [],
            "asked": asked,
            "only_excluded": asked and bool(query.text) and not parsed and not query.filters,
            "unavailable": unavailable,
            "results": results,
            "hits": hits,
            "facets": facets,
            "chosen": chosen,
            "filter_officer": filter_officer,
            "clear_url": "?" + querystring({"q": query.text}),
            "notes": notes,
            "page": NumberedPage(results.page, results.pages),
            "querystring": querystring(base),
        },
        status=status,
    )


def _int(value: Any) -> int | None:
    return parse_int(str(value), minimum=1)


def _staff_filter_values(query: Any) -> dict[str, Any]:
    values = {
        "status": query.status,
        "district": query.district_id,
        "category": query.category_id,
        "year": query.year,
        "officer": query.officer_id,
    }
    return {name: value for name, value in values.items() if value not in (None, "")}


# --- The staff officer page --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def officer_detail(request: HttpRequest, officer_id: int) -> HttpResponse:
    """An officer's roster entry and the complaints naming them that the user may see (no more than
    the case list shows them), with the allegations against the officer and their findings."""
    officer = selectors.officer_get(officer_id=officer_id)
    complaints = selectors.officer_complaints_for_user(user=request.user, officer_id=officer.pk)
    page = keyset_page_for_request(
        request,
        complaints,
        ordering=selectors.OFFICER_CASE_ORDER,
        per_page=selectors.OFFICER_PAGE_SIZE,
        total=capped_count(complaints),
    )
    if page.invalid_cursor:
        messages.warning(request, _("That page link could not be read, so the first page is shown."))
    allegations = selectors.officer_allegations_by_complaint(
        officer_id=officer.pk, complaint_ids=[complaint.pk for complaint in page.object_list]
    )
    from investigations.early_intervention.selectors import officer_flags_for_user

    return render(
        request,
        "search/officer_detail.html",
        {
            "officer": officer,
            "page": page,
            "rows": [(complaint, allegations.get(complaint.pk, [])) for complaint in page.object_list],
            "querystring": "",
            # Early-intervention flags (open and closed): None for a user who may not see flags.
            "flags": officer_flags_for_user(user=request.user, officer=officer),
        },
    )


# --- Public search of published decisions ------------------------------------------------------------


@dataclass
class DecisionHit:
    public_id: str
    decided: date | None
    district: str
    kinds: list[str]
    findings: list[str]
    # Built by ``search.text.snippets`` from the published record: escaped, with <mark> added.
    snippets: list[SafeString]


@require_http_methods(["GET", "HEAD"])
def disposition_search(request: HttpRequest) -> HttpResponse:
    """The public search: only what a publication itself contains is searched or shown."""
    choices = selectors.search_choices(subcategories=False)
    form = PublicSearchForm(request.GET or None, choices=choices)
    page_number, page_note = _requested_page(request)
    query = form.query(page_number)
    notes = [page_note] if page_note else []
    results, unavailable = Results.empty(page_number), False
    asked = bool(query.text or query.filters)
    if query.parsed or query.filters:
        try:
            results = backend().public_search(query=query)
        except SearchUnavailable:
            unavailable = True
    if not unavailable:
        notes += _page_notes(results, page_number)

    findings = dict(Disposition.choices)
    hits = [
        DecisionHit(
            public_id=hit.key,
            decided=_iso_date(hit.source.get("decision_date")),
            district=choices.districts.get(_int(hit.source.get("district_id")) or 0, hit.source.get("district") or ""),
            kinds=[
                choices.classes[pk][1]
                for pk in map(_int, hit.source.get("category_class_ids") or [])
                if pk in choices.classes
            ],
            findings=[str(findings.get(code, code)) for code in hit.source.get("dispositions") or []],
            snippets=hit.snippets,
        )
        for hit in results.hits
    ]

    class_code = {pk: code for pk, (code, _label) in choices.classes.items()}
    values = {
        "category": class_code.get(query.category_class_id, "") if query.category_class_id else "",
        "disposition": query.disposition,
        "district": query.district_id,
        "year": query.year,
    }
    values = {name: value for name, value in values.items() if value not in (None, "")}
    base = {"q": query.text, **values}
    adding, removing = _links(base)
    titles = {
        "category": _("Kind of allegation"),
        "disposition": _("Finding"),
        "district": _("District"),
        "year": _("Year decided"),
    }
    labels = {
        "category": lambda v: choices.classes.get(_int(v) or 0, ("", v))[1],
        "disposition": lambda v: str(findings.get(v, v)),
        "district": lambda v: choices.districts.get(_int(v) or 0, v),
        "year": str,
    }
    # The category facet counts classes by id; the query string names a class by its code.
    to_param = {"category": lambda v: class_code.get(_int(v) or 0, "")}
    facets = []
    for name in PUBLIC_FACET_ORDER:
        buckets = []
        for value, count in results.facets.get(name, []):
            param = to_param.get(name, lambda v: v)(value)
            if param in (None, ""):
                continue
            selected = str(values.get(name, "")) == str(param)
            buckets.append(Bucket(labels[name](value), count, "" if selected else adding(name, param), selected))
        if buckets:
            facets.append(Facet(name, titles[name], buckets))
    by_code = {code: pk for pk, code in class_code.items()}
    chosen = []
    for name, value in values.items():
        shown_value = labels[name](by_code.get(value, value) if name == "category" else value)
        chosen.append(Chosen(titles[name], str(shown_value), removing(name)))

    add_usa_classes(form)
    invalid = form.is_bound and bool(form.errors)
    status = 503 if unavailable else 400 if invalid else 200
    return render(
        request,
        "public_portal/dispositions/search.html",
        {
            "form": form,
            "forms_with_errors": [form] if invalid else [],
            "asked": asked,
            "only_excluded": asked and bool(query.text) and not query.parsed and not query.filters,
            "unavailable": unavailable,
            "results": results,
            "hits": hits,
            "facets": facets,
            "chosen": chosen,
            "clear_url": "?" + querystring({"q": query.text}),
            "notes": notes,
            "page": NumberedPage(results.page, results.pages),
            "querystring": querystring(base),
        },
        status=status,
    )
