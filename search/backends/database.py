"""The embedded search backend: this database's own full-text search.

* **PostgreSQL**: each entry's text is a ``tsvector`` (``to_tsvector('simple', ...)`` of the
  English and the Spanish stems that ``search.text.analyze`` gives, so stemming and accent folding
  are the same as Elasticsearch's), GIN-indexed; a query is the ``tsquery`` of ``search.text``;
  hits are ranked by ``ts_rank``, then newest first.
* **SQLite** (development and the demo): the same stems stored as plain text and matched with
  ``LIKE`` on whole stems and runs of stems (phrases); newest first. It finds what PostgreSQL
  finds, only slower and without ranking.

Who may see which case is not copied into the index here: a staff search is
``complaint_visible_queryset(user)``, the rule every case page uses, narrowed by the text match
and the filters, so a grant or a recusal takes effect the moment it commits. Status, district,
year, kinds of allegation and officers are read from the case's own tables, so filters and facet
counts are the database's own counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from .. import documents, sources, text
from ..models import CaseEntry, DispositionEntry
from .base import (
    FACET_SIZE,
    PAGE_SIZE,
    Hit,
    PublicQuery,
    Results,
    Scope,
    StaffQuery,
    clamp_page,
)

BATCH = 500


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _lines(body: dict[str, Any], fields: Iterable[str]) -> tuple[str, str]:
    return text.analyze(*(str(body.get(name) or "") for name in fields))


def _filter_values(body: dict[str, Any]) -> tuple[str, int | None, int | None]:
    """The status, district and year received an entry keeps beside its vectors."""
    district = body.get("district_id")
    return body.get("status") or "", int(district) if district else None, body.get("year")


def _stored_terms(lines: tuple[str, str]) -> str:
    # Padded with spaces so that " stem " matches whole stems at either end of a line.
    return f" {lines[0]} \n {lines[1]} "


# Each vector is the English line of stems followed by the Spanish one (search.text.analyze).
_UPSERT_CASES = (
    "INSERT INTO search_caseentry (complaint_id, open_terms, full_terms, status, district_id, received_year,"
    " indexed_at, open_vector, full_vector)"
    " VALUES (%s, '', '', %s, %s, %s, %s, to_tsvector('simple', %s) || to_tsvector('simple', %s),"
    " to_tsvector('simple', %s) || to_tsvector('simple', %s))"
    " ON CONFLICT (complaint_id) DO UPDATE SET open_vector = EXCLUDED.open_vector,"
    " full_vector = EXCLUDED.full_vector, status = EXCLUDED.status, district_id = EXCLUDED.district_id,"
    " received_year = EXCLUDED.received_year, indexed_at = EXCLUDED.indexed_at"
)
_UPSERT_DISPOSITIONS = (
    "INSERT INTO search_dispositionentry (publication_id, terms, indexed_at, vector)"
    " VALUES (%s, '', %s, to_tsvector('simple', %s) || to_tsvector('simple', %s))"
    " ON CONFLICT (publication_id) DO UPDATE SET vector = EXCLUDED.vector, indexed_at = EXCLUDED.indexed_at"
)


class DatabaseBackend:
    name: ClassVar[str] = "database"

    # --- Writing -----------------------------------------------------------------------------------

    def index(self, kind: str, ids: Iterable[int]) -> None:
        ids = sorted({int(i) for i in ids})
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            if kind == "cases":
                self._write_cases(batch, sources.case_sources(batch))
            else:
                self._write_dispositions(batch, sources.disposition_sources(batch))

    def _write_cases(self, ids: list[int], bodies: dict[int, dict[str, Any]]) -> None:
        now = timezone.now()
        rows = [
            (
                pk,
                _filter_values(body),
                _lines(body, documents.OPEN_TEXT_FIELDS),
                _lines(body, documents.FULL_TEXT_FIELDS),
            )
            for pk, body in bodies.items()
        ]
        with transaction.atomic():
            CaseEntry.objects.filter(complaint_id__in=[pk for pk in ids if pk not in bodies]).delete()
            if not rows:
                return
            if _postgres():
                with connection.cursor() as cursor:
                    cursor.executemany(
                        _UPSERT_CASES,
                        [(pk, *filters, now, *open_lines, *full_lines) for pk, filters, open_lines, full_lines in rows],
                    )
            else:
                CaseEntry.objects.bulk_create(
                    [
                        CaseEntry(
                            complaint_id=pk,
                            open_terms=_stored_terms(open_lines),
                            full_terms=_stored_terms(full_lines),
                            status=filters[0],
                            district_id=filters[1],
                            received_year=filters[2],
                            indexed_at=now,
                        )
                        for pk, filters, open_lines, full_lines in rows
                    ],
                    update_conflicts=True,
                    unique_fields=["complaint"],
                    update_fields=["open_terms", "full_terms", "status", "district_id", "received_year", "indexed_at"],
                )

    def _write_dispositions(self, ids: list[int], bodies: dict[int, dict[str, Any]]) -> None:
        now = timezone.now()
        rows = [(pk, _lines(body, documents.PUBLIC_TEXT_FIELDS)) for pk, body in bodies.items()]
        with transaction.atomic():
            DispositionEntry.objects.filter(publication_id__in=[pk for pk in ids if pk not in bodies]).delete()
            if not rows:
                return
            if _postgres():
                with connection.cursor() as cursor:
                    cursor.executemany(
                        _UPSERT_DISPOSITIONS,
                        [(pk, now, *lines) for pk, lines in rows],
                    )
            else:
                DispositionEntry.objects.bulk_create(
                    [
                        DispositionEntry(publication_id=pk, terms=_stored_terms(lines), indexed_at=now)
                        for pk, lines in rows
                    ],
                    update_conflicts=True,
                    unique_fields=["publication"],
                    update_fields=["terms", "indexed_at"],
                )

    def rebuild(self, kind: str, *, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-index every case (or public disposition) in place, then drop the entries of what is no
        longer indexed. Searches keep answering from the entries throughout: each batch replaces its
        rows in one short transaction, so there is never a moment without an index."""
        started = timezone.now()
        ids = list(_all_ids(kind))
        written = 0
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            self.index(kind, batch)
            written += len(batch)
            if progress is not None:
                progress(written, len(ids))
        entries = CaseEntry.objects if kind == "cases" else DispositionEntry.objects
        entries.filter(indexed_at__lt=started).delete()
        return self.count(kind)

    def count(self, kind: str) -> int:
        return (CaseEntry if kind == "cases" else DispositionEntry).objects.count()

    def clear(self) -> None:
        CaseEntry.objects.all().delete()
        DispositionEntry.objects.all().delete()

    # --- Staff search ------------------------------------------------------------------------------

    def staff_search(self, *, scope: Scope, query: StaffQuery) -> Results:
        from complaints.selectors import complaint_visible_queryset

        page = clamp_page(query.page)
        parsed = query.parsed
        if scope.nothing or not (parsed or query.filters):
            return Results.empty(page)
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(pk=scope.user_id)
        cases = complaint_visible_queryset(user).filter(search_entry__isnull=False)
        cases = _case_filters(cases, query)
        vector = "full_vector" if scope.personal_data else "open_vector"
        terms = "full_terms" if scope.personal_data else "open_terms"
        rank = None
        if parsed:
            cases, rank = _match(cases, parsed, f"search_entry__{vector}", f"search_entry__{terms}")
        offset = (page - 1) * PAGE_SIZE
        few = _few_matches(cases, rank)
        if few is not None:
            # A few matches (the usual search with filters): one pass reads them all, and the total,
            # the facets and the page are worked out from it.
            total, facets, ordered = few
            found = ordered[offset : offset + PAGE_SIZE]
        else:
            total, facets = _case_facets(cases)
            order = ("-received_at", "-id")
            if rank is not None and total <= RANK_LIMIT:
                cases = cases.annotate(rank=rank)
                order = ("-rank", *order)
            found = list(cases.order_by(*order).values_list("pk", "tracking_number")[offset : offset + PAGE_SIZE])
        bodies = sources.case_sources([pk for pk, _key in found])
        snippet_fields = documents.SNIPPET_FIELDS_FULL if scope.personal_data else documents.SNIPPET_FIELDS_OPEN
        hits = []
        for pk, key in found:
            body = bodies.get(pk, {})
            if not scope.personal_data:
                body = {name: value for name, value in body.items() if name not in documents.PERSONAL_FIELDS}
            hits.append(Hit(id=pk, key=key, source=body, snippets=_snippets(body, snippet_fields, parsed)))
        return Results(hits=hits, total=total, facets=facets, page=page)

    # --- Public search -----------------------------------------------------------------------------

    def public_search(self, *, query: PublicQuery) -> Results:
        from public_portal.publication.models import Publication, PublishedAllegation

        page = clamp_page(query.page)
        parsed = query.parsed
        if not (parsed or query.filters):
            return Results.empty(page)
        found = Publication.objects.filter(
            status=Publication.Status.PUBLISHED, ended_at__isnull=True, search_entry__isnull=False
        )
        if query.category_class_id:
            found = found.filter(
                Exists(
                    PublishedAllegation.objects.filter(
                        publication=OuterRef("pk"), category_class_id=query.category_class_id
                    )
                )
            )
        if query.disposition:
            found = found.filter(
                Exists(PublishedAllegation.objects.filter(publication=OuterRef("pk"), disposition=query.disposition))
            )
        if query.district_id:
            found = found.filter(district_id=query.district_id)
        if query.year:
            found = found.filter(decision_year=query.year)
        rank = None
        if parsed:
            found, rank = _match(found, parsed, "search_entry__vector", "search_entry__terms")
        total = found.order_by().count()
        facets = _public_facets(found) if total else {}
        order = ("-decision_date", "-id")
        if rank is not None:
            found = found.annotate(rank=rank)
            order = ("-rank", *order)
        offset = (page - 1) * PAGE_SIZE
        rows = list(found.order_by(*order).values_list("pk", "public_id")[offset : offset + PAGE_SIZE])
        bodies = sources.disposition_sources([pk for pk, _key in rows])
        hits = [
            Hit(
                id=pk,
                key=key,
                source=bodies.get(pk, {}),
                snippets=_snippets(bodies.get(pk, {}), documents.PUBLIC_SNIPPET_FIELDS, parsed),
            )
            for pk, key in rows
        ]
        return Results(hits=hits, total=total, facets=facets, page=page)


# --- Helpers -----------------------------------------------------------------------------------------


def _all_ids(kind: str) -> Iterable[int]:
    if kind == "cases":
        from complaints.models import Complaint

        return Complaint.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10_000)
    from public_portal.publication.models import Publication

    return (
        Publication.objects.filter(status=Publication.Status.PUBLISHED, ended_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=10_000)
    )


# Up to this many matches, one read of them all gives the total, the facets and the page.
FEW_MATCHES = 2000
# Past this many matches, hits come newest first instead of by rank: ranking scores every match,
# and a common word matches a large share of a city's cases.
RANK_LIMIT = 5000


def _match(queryset: QuerySet, parsed: text.ParsedQuery, vector: str, terms: str) -> tuple[QuerySet, Any]:
    """``queryset`` narrowed to the rows whose entry matches ``parsed``, and (on PostgreSQL) the
    rank expression to order them by."""
    if _postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank

        search = SearchQuery(text.tsquery(parsed), search_type="raw", config="simple")
        return queryset.filter(**{vector: search}), SearchRank(F(vector), search)
    for term in parsed.terms:
        english = " ".join(text.stem("english", word) for word in term.words)
        spanish = " ".join(text.stem("spanish", word) for word in term.words)
        holds = Q(**{f"{terms}__contains": f" {english} "}) | Q(**{f"{terms}__contains": f" {spanish} "})
        queryset = queryset.exclude(holds) if term.negated else queryset.filter(holds)
    return queryset, None


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)


def _case_filters(cases: QuerySet, query: StaffQuery) -> QuerySet:
    from complaints.models import Allegation, SubjectOfficer

    # Each filter is asked of the entry's copy too: on PostgreSQL the copies share one GIN index with
    # the words, which then narrow the search together. The case's own column stays the rule.
    if query.status:
        cases = cases.filter(status=query.status, search_entry__status=query.status)
    if query.district_id:
        cases = cases.filter(district_id=query.district_id, search_entry__district_id=query.district_id)
    if query.year:
        start, end = _year_range(query.year)
        cases = cases.filter(received_at__gte=start, received_at__lt=end, search_entry__received_year=query.year)
    if query.category_id:
        cases = cases.filter(Exists(Allegation.objects.filter(complaint=OuterRef("pk"), category_id=query.category_id)))
    if query.officer_id:
        cases = cases.filter(
            Exists(SubjectOfficer.objects.filter(complaint=OuterRef("pk"), officer_id=query.officer_id))
        )
    return cases


def _ranked(counts: Iterable[tuple[Any, int]], size: int | None = FACET_SIZE) -> list[tuple[str, int]]:
    ordered = sorted(((str(value), n) for value, n in counts if value is not None and n), key=lambda c: (-c[1], c[0]))
    return ordered[:size] if size else ordered


def _few_matches(cases: QuerySet, rank: Any) -> tuple[int, dict, list[tuple[int, str]]] | None:
    """When ``cases`` holds at most ``FEW_MATCHES`` rows: the total, the facets and every match in
    page order (rank, then newest first), from one read of the matches and two small facet queries
    over their ids. ``None`` when there are more (then each is its own grouped query)."""
    fields = ["pk", "tracking_number", "status", "district_id", "y", "received_at"]
    rows = cases.order_by().annotate(y=ExtractYear("received_at"))
    if rank is not None:
        rows = rows.annotate(rank=rank)
        fields.append("rank")
    found = list(rows.values_list(*fields)[: FEW_MATCHES + 1])
    if len(found) > FEW_MATCHES:
        return None
    if not found:
        return 0, {}, []
    status: dict[Any, int] = {}
    district: dict[Any, int] = {}
    year: dict[Any, int] = {}
    for row in found:
        status[row[2]] = status.get(row[2], 0) + 1
        district[row[3]] = district.get(row[3], 0) + 1
        year[row[4]] = year.get(row[4], 0) + 1
    # The order the database gives the page otherwise: rank first where there is one, then newest.
    found.sort(key=lambda row: (-(row[6] if rank is not None else 0), -row[5].timestamp(), -row[0]))
    facets = _facets_in_order(status, district, year, _related_facets([row[0] for row in found]))
    return len(found), facets, [(row[0], row[1]) for row in found]


def _related_facets(ids: Any) -> dict[str, list[tuple[str, int]]]:
    """The category and officer facets of the cases ``ids`` (a list or a subquery), each case once."""
    from complaints.models import Allegation, SubjectOfficer

    return {
        "category": _ranked(
            Allegation.objects.filter(complaint_id__in=ids, category__isnull=False)
            .order_by()
            .values_list("category_id")
            .annotate(n=Count("complaint_id", distinct=True))
        ),
        "officer": _ranked(
            SubjectOfficer.objects.filter(complaint_id__in=ids, officer__isnull=False)
            .order_by()
            .values_list("officer_id")
            .annotate(n=Count("complaint_id", distinct=True))
        ),
    }


def _case_facets(cases: QuerySet) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """The total and the facet counts of ``cases``. Status, district and year come from one grouped
    pass over the matches (a few hundred groups at most), the total with them; categories and
    officers, counted once per case, from one query each."""
    groups = (
        cases.order_by()
        .annotate(y=ExtractYear("received_at"))
        .values_list("status", "district_id", "y")
        .annotate(n=Count("id"))
    )
    total = 0
    status: dict[Any, int] = {}
    district: dict[Any, int] = {}
    year: dict[Any, int] = {}
    for status_value, district_id, year_value, n in groups:
        total += n
        status[status_value] = status.get(status_value, 0) + n
        district[district_id] = district.get(district_id, 0) + n
        year[year_value] = year.get(year_value, 0) + n
    if not total:
        return 0, {}
    return total, _facets_in_order(status, district, year, _related_facets(cases.order_by().values("pk")))


def _facets_in_order(status: dict, district: dict, year: dict, related: dict) -> dict[str, list[tuple[str, int]]]:
    return {
        "status": _ranked(status.items(), None),
        "category": related["category"],
        "district": _ranked(district.items()),
        "year": _ranked(year.items(), None),
        "officer": related["officer"],
    }


def _public_facets(found: QuerySet) -> dict[str, list[tuple[str, int]]]:
    from public_portal.publication.models import PublishedAllegation

    ids = found.order_by().values("pk")
    plain = found.order_by()
    allegations = PublishedAllegation.objects.filter(publication_id__in=ids).order_by()
    return {
        "category": _ranked(
            allegations.filter(category_class__isnull=False)
            .values_list("category_class_id")
            .annotate(n=Count("publication_id", distinct=True))
        ),
        "disposition": _ranked(
            allegations.values_list("disposition").annotate(n=Count("publication_id", distinct=True)), None
        ),
        "district": _ranked(plain.filter(district__isnull=False).values_list("district_id").annotate(n=Count("id"))),
        "year": _ranked(
            plain.filter(decision_year__isnull=False).values_list("decision_year").annotate(n=Count("id")), None
        ),
    }


def _snippets(body: dict[str, Any], fields: Iterable[str], parsed: text.ParsedQuery, limit: int = 3) -> list:
    found: list = []
    for name in fields:
        if len(found) >= limit:
            break
        found.extend(text.snippets(str(body.get(name) or ""), parsed, limit=limit - len(found)))
    return found
