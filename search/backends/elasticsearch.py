"""The Elasticsearch backend: the documents of ``search.documents`` in an Elasticsearch 8 cluster
(or any server speaking its REST API, through ``search.transport``).

**Indexes and aliases.** Searches read an alias per kind (``index_name(kind)``, e.g.
``oversight-cases``) that points at one physical index named after it and the moment it was made
(``oversight-cases-20260314150000123456``). ``rebuild`` fills a new physical index while the old
one keeps answering, then moves the alias in one atomic step and drops the old index; while it
fills, the new index also carries the alias ``<alias>-next``, and ``index`` writes to every index
behind either alias, so a case changed during a rebuild is right in both. The first write to a
kind that has no index yet creates one.

**Who sees what.** A ``Scope`` becomes a filter on the same query that gives the facet counts, so
counts never tell a reader about a case they cannot open. A reader without
``complaints.view_personal_data`` searches only the masked texts, and the personal fields are left
out of what the server sends back (``_source`` excludes), so they reach neither a snippet nor
``Hit.source``.

**Errors.** Anything the server refuses or a connection that fails becomes ``SearchUnavailable``
with a short message naming the kind of error, never a document's content.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch.dsl import Document

from .. import text
from ..documents import (
    FULL_TEXT_FIELDS,
    OPEN_TEXT_FIELDS,
    PERSONAL_FIELDS,
    PUBLIC_SNIPPET_FIELDS,
    PUBLIC_TEXT_FIELDS,
    SNIPPET_FIELDS_FULL,
    SNIPPET_FIELDS_OPEN,
    CaseDocument,
    DispositionDocument,
    index_name,
)
from ..sources import case_sources, disposition_sources
from ..transport import client
from .base import (
    FACET_SIZE,
    PAGE_SIZE,
    Hit,
    PublicQuery,
    Results,
    Scope,
    SearchUnavailable,
    StaffQuery,
    clamp_page,
)

BATCH = 500
SNIPPETS_PER_HIT = 3
# Writing a batch of 500 documents takes longer than a search page may wait.
BULK_TIMEOUT = 60.0
# Status and year have few values and a page lists them all; the others show the biggest.
WIDE_FACET_SIZE = 50
_STAMP = re.compile(r"-\d{20}$")

DOCUMENTS: dict[str, type[Document]] = {"cases": CaseDocument, "dispositions": DispositionDocument}
SOURCES: dict[str, Callable[[Iterable[int]], dict[int, dict[str, Any]]]] = {
    "cases": case_sources,
    "dispositions": disposition_sources,
}

# Facet name -> (field, facet size), and the filter each facet's value sets.
STAFF_FACET_FIELDS = {
    "status": ("status", WIDE_FACET_SIZE),
    "category": ("category_ids", FACET_SIZE),
    "district": ("district_id", FACET_SIZE),
    "year": ("year", WIDE_FACET_SIZE),
    "officer": ("officer_ids", FACET_SIZE),
}
PUBLIC_FACET_FIELDS = {
    "category": ("category_class_ids", FACET_SIZE),
    "disposition": ("dispositions", WIDE_FACET_SIZE),
    "district": ("district_id", FACET_SIZE),
    "year": ("decision_year", WIDE_FACET_SIZE),
}


def _problem(exc: Exception) -> str:
    """A short description of what went wrong: the status and the server's error type, never its
    reason text (which can quote a document)."""
    if isinstance(exc, ApiError):
        kind = ""
        body = exc.body
        if isinstance(body, dict):
            error = body.get("error")
            kind = error.get("type", "") if isinstance(error, dict) else ""
        return f"Elasticsearch answered {exc.status_code}" + (f" ({kind})" if kind else "")
    return f"Elasticsearch could not be reached ({type(exc).__name__})"


@contextlib.contextmanager
def _unavailable() -> Iterator[None]:
    try:
        yield
    except (ApiError, TransportError) as exc:
        raise SearchUnavailable(_problem(exc)) from exc


def _missing_index(exc: NotFoundError) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error")
    return isinstance(error, dict) and error.get("type") == "index_not_found_exception"


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    iterator = iter(ids)
    while batch := list(itertools.islice(iterator, BATCH)):
        yield batch


@functools.cache
def _field_targets(document: type[Document], fields: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The text fields to match ``fields`` on (each with its other-language subfields, never the
    ``.raw`` keywords) and the keyword fields among them (matched whole)."""
    properties = document._doc_type.mapping.properties.to_dict()["properties"]
    texts: list[str] = []
    keywords: list[str] = []
    for name in fields:
        spec = properties[name]
        if spec["type"] == "keyword":
            keywords.append(name)
            continue
        texts.append(name)
        texts.extend(f"{name}.{sub}" for sub, sub_spec in spec.get("fields", {}).items() if sub_spec["type"] == "text")
    return tuple(texts), tuple(keywords)


def _text_clauses(
    parsed: text.ParsedQuery, texts: Iterable[str], keywords: Iterable[str]
) -> tuple[list[dict], list[dict]]:
    """``must`` and ``must_not`` clauses for the terms of ``parsed``: each positive term must match
    as a phrase in one of the fields; a negative one in none. A keyword field (a tracking number,
    a public id) matches a term whose words are its own, case aside; typed without quotes, its
    pieces are separate terms, so the whole query is also tried as one."""

    def one(term: text.Term) -> dict:
        phrase = " ".join(term.words)
        should: list[dict] = [{"match_phrase": {field: phrase}} for field in texts]
        should.extend(
            {"term": {field: {"value": "-".join(term.words), "case_insensitive": True}}} for field in keywords
        )
        return {"bool": {"should": should, "minimum_should_match": 1}}

    must = [one(term) for term in parsed.positive]
    whole = [word for term in parsed.positive for word in term.words]
    if keywords and len(parsed.positive) > 1:
        exact = [{"term": {field: {"value": "-".join(whole), "case_insensitive": True}}} for field in keywords]
        must = [{"bool": {"should": [{"bool": {"must": must}}, *exact], "minimum_should_match": 1}}]
    return must, [one(term) for term in parsed.negative]


def _snippets(source: dict[str, Any], fields: Iterable[str], parsed: text.ParsedQuery) -> list:
    found: list = []
    for field in fields:
        value = source.get(field)
        if not value:
            continue
        found.extend(text.snippets(value, parsed, limit=SNIPPETS_PER_HIT - len(found)))
        if len(found) >= SNIPPETS_PER_HIT:
            break
    return found


def _facets(answer: dict[str, Any], names: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """The facet counts of ``answer`` (none at all when nothing was found, as in the other backend)."""
    if not answer["hits"]["total"]["value"]:
        return {}
    aggregations = answer.get("aggregations", {})
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        buckets = aggregations.get(name, {}).get("buckets", [])
        counted = [(str(bucket["key"]), int(bucket["doc_count"])) for bucket in buckets]
        facets[name] = sorted(counted, key=lambda pair: (-pair[1], pair[0]))
    return facets


class ElasticsearchBackend:
    name: ClassVar[str] = "elasticsearch"

    def __init__(self, es: Elasticsearch | None = None) -> None:
        self.es = es if es is not None else client()

    # --- Indexes and aliases -----------------------------------------------------------------------

    @staticmethod
    def building_alias(kind: str) -> str:
        return f"{index_name(kind)}-next"

    def _new_index(self, kind: str, *, aliases: Iterable[str] = ()) -> str:
        """Create an empty physical index for ``kind`` with the document's mapping and analyzers."""
        name = f"{index_name(kind)}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
        body = DOCUMENTS[kind]._index.clone(name).to_dict()
        self.es.indices.create(index=name, aliases={alias: {} for alias in aliases}, **body)
        return name

    def _behind(self, *aliases: str) -> dict[str, list[str]]:
        """The physical indexes behind each of ``aliases`` (an alias that does not exist: none)."""
        answer = self.es.options(ignore_status=404).indices.get_alias(name=",".join(aliases)).body
        found: dict[str, list[str]] = {alias: [] for alias in aliases}
        for index, entry in answer.items():
            if not isinstance(entry, dict):
                continue  # "error" and "status" when one of the aliases is missing
            for alias in entry.get("aliases", {}):
                if alias in found:
                    found[alias].append(index)
        return {alias: sorted(indexes) for alias, indexes in found.items()}

    def physical_indexes(self, kind: str) -> list[str]:
        """Every physical index this backend made for ``kind``, behind an alias or not."""
        alias = index_name(kind)
        with _unavailable():
            names = self.es.indices.get(index=f"{alias}*", expand_wildcards="all").body
        return sorted(name for name in names if name == alias or (name.startswith(f"{alias}-") and _STAMP.search(name)))

    def live_index(self, kind: str) -> str | None:
        """The physical index searches of ``kind`` read now, if there is one."""
        with _unavailable():
            behind = self._behind(index_name(kind))[index_name(kind)]
        return behind[0] if behind else None

    def _targets(self, kind: str) -> list[str]:
        """The physical indexes a change to ``kind`` is written to, creating the first one."""
        alias, building = index_name(kind), self.building_alias(kind)
        behind = self._behind(alias, building)
        if not behind[alias]:
            behind[alias] = [self._new_index(kind, aliases=[alias])]
        return sorted({*behind[alias], *behind[building]})

    # --- Writing -----------------------------------------------------------------------------------

    def _bulk(self, operations: list[dict], **params: Any) -> None:
        """Send one bulk request; a delete of a document that is not there, or a create refused
        because a newer write already put the document there, is not an error."""
        if not operations:
            return
        answer = self.es.options(request_timeout=BULK_TIMEOUT).bulk(operations=operations, **params)
        if not answer.get("errors"):
            return
        for item in answer["items"]:
            action, result = next(iter(item.items()))
            status = result.get("status", 500)
            if status < 300 or (action == "delete" and status == 404) or (action == "create" and status == 409):
                continue
            error = result.get("error")
            kind = error.get("type", "") if isinstance(error, dict) else ""
            raise SearchUnavailable(f"Elasticsearch refused a document ({status} {kind})".strip())

    def index(self, kind: str, ids: Iterable[int]) -> None:
        ids = sorted(set(ids))
        if not ids:
            return
        with _unavailable():
            targets = self._targets(kind)
            for batch in _batches(ids):
                bodies = SOURCES[kind](batch)
                operations: list[dict] = []
                for pk in batch:
                    for target in targets:
                        if pk in bodies:
                            operations += [{"index": {"_index": target, "_id": str(pk)}}, bodies[pk]]
                        else:
                            operations.append({"delete": {"_index": target, "_id": str(pk)}})
                # wait_for: the change (a case unassigned, a member recused) shows in the next search.
                self._bulk(operations, refresh="wait_for")

    def _rebuild_ids(self, kind: str) -> tuple[int, Iterator[list[int]]]:
        """How many documents ``kind`` should hold, and their ids in batches, by primary key.
        Each batch is its own short query (from the last id on), so no cursor stays open while
        a batch is written."""
        if kind == "cases":
            from complaints.models import Complaint

            queryset = Complaint.objects.all()
        else:
            from public_portal.publication.models import Publication

            queryset = Publication.objects.filter(status=Publication.Status.PUBLISHED, ended_at__isnull=True)

        def batches() -> Iterator[list[int]]:
            last = None
            while True:
                page = queryset if last is None else queryset.filter(pk__gt=last)
                batch = list(page.order_by("pk").values_list("pk", flat=True)[:BATCH])
                if not batch:
                    return
                yield batch
                last = batch[-1]

        return queryset.order_by().count(), batches()

    def rebuild(self, kind: str, *, progress: Callable[[int, int], None] | None = None) -> int:
        alias, building = index_name(kind), self.building_alias(kind)
        with _unavailable():
            previous = self._behind(alias, building)
            new = self._new_index(kind)
            # Point the building alias at the new index alone, so index() writes there too from now.
            actions: list[dict] = [{"remove": {"index": index, "alias": building}} for index in previous[building]]
            actions.append({"add": {"index": new, "alias": building}})
            self.es.indices.update_aliases(actions=actions)
        try:
            written = self._fill(kind, new, progress)
            with _unavailable():
                self.es.indices.refresh(index=new)
                behind = self._behind(alias)[alias]
                swap: list[dict] = [{"remove": {"index": index, "alias": alias}} for index in behind]
                if alias in self.physical_indexes(kind):
                    # A concrete index under the alias's own name (written to before any alias
                    # existed) would stop the alias being made.
                    swap.append({"remove_index": {"index": alias}})
                swap += [{"add": {"index": new, "alias": alias}}, {"remove": {"index": new, "alias": building}}]
                self.es.indices.update_aliases(actions=swap)
        except BaseException:
            with contextlib.suppress(ApiError, TransportError):
                self.es.indices.delete(index=new)
            raise
        with _unavailable():
            building_now = set(self._behind(building)[building])
            for index in self.physical_indexes(kind):
                if index != new and index not in building_now:
                    self.es.options(ignore_status=404).indices.delete(index=index)
        return written

    def _fill(self, kind: str, target: str, progress: Callable[[int, int], None] | None) -> int:
        total, batches = self._rebuild_ids(kind)
        done = written = 0
        for batch in batches:
            bodies = SOURCES[kind](batch)
            operations: list[dict] = []
            for pk, body in bodies.items():
                # "create", not "index": a document index() wrote meanwhile is newer than this one.
                operations += [{"create": {"_index": target, "_id": str(pk)}}, body]
            with _unavailable():
                self._bulk(operations)
            done += len(batch)
            written += len(bodies)
            if progress is not None:
                progress(done, total)
        return written

    def count(self, kind: str) -> int:
        with _unavailable():
            try:
                return int(self.es.count(index=index_name(kind))["count"])
            except NotFoundError as exc:
                if _missing_index(exc):
                    return 0
                raise

    def clear(self) -> None:
        """Drop every index of both kinds under this site's prefix (other sites sharing the cluster
        keep theirs, even where one site's prefix begins another's)."""
        with _unavailable():
            for kind in DOCUMENTS:
                for index in self.physical_indexes(kind):
                    self.es.options(ignore_status=404).indices.delete(index=index)

    def ping(self) -> bool:
        """Whether the server answers at all (``search_index status``)."""
        try:
            return bool(self.es.ping())
        except (ApiError, TransportError):
            return False

    # --- Searching ---------------------------------------------------------------------------------

    def _search(self, kind: str, page: int, **request: Any) -> dict[str, Any] | None:
        """The server's answer, or None when ``kind`` has no index yet (one is made for next time)."""
        with _unavailable():
            try:
                return self.es.search(
                    index=index_name(kind),
                    from_=(page - 1) * PAGE_SIZE,
                    size=PAGE_SIZE,
                    track_total_hits=True,
                    **request,
                ).body
            except NotFoundError as exc:
                if not _missing_index(exc):
                    raise
        with contextlib.suppress(ApiError, TransportError):
            self._targets(kind)
        return None

    def staff_search(self, *, scope: Scope, query: StaffQuery) -> Results:
        page = clamp_page(query.page)
        parsed, filters = query.parsed, query.filters
        if scope.nothing or (not parsed and not filters):
            return Results.empty(page)
        conditions: list[dict] = []
        if not scope.everything:
            allowed: list[dict] = [{"terms": {"principals": list(scope.principals)}}]
            if scope.statuses:
                allowed.append({"terms": {"status": list(scope.statuses)}})
            conditions.append({"bool": {"should": allowed, "minimum_should_match": 1}})
        for name, value in filters.items():
            field = STAFF_FACET_FIELDS[name][0]
            conditions.append({"term": {field: int(value) if field == "year" else str(value)}})
        texts, keywords = _field_targets(CaseDocument, FULL_TEXT_FIELDS if scope.personal_data else OPEN_TEXT_FIELDS)
        must, must_not = _text_clauses(parsed, texts, keywords)
        sort: list[Any] = [{"received_at": {"order": "desc"}}, {"tracking_number": {"order": "desc"}}]
        answer = self._search(
            "cases",
            page,
            query={"bool": {"must": must, "must_not": must_not, "filter": conditions}},
            aggs={
                name: {"terms": {"field": field, "size": size}} for name, (field, size) in STAFF_FACET_FIELDS.items()
            },
            sort=[{"_score": {"order": "desc"}}, *sort] if parsed else sort,
            **({} if scope.personal_data else {"source_excludes": list(PERSONAL_FIELDS)}),
        )
        if answer is None:
            return Results.empty(page)
        snippet_fields = SNIPPET_FIELDS_FULL if scope.personal_data else SNIPPET_FIELDS_OPEN
        hits = [
            Hit(
                id=int(hit["_id"]),
                key=hit["_source"].get("tracking_number", ""),
                source=hit["_source"],
                snippets=_snippets(hit["_source"], snippet_fields, parsed),
                score=hit.get("_score"),
            )
            for hit in answer["hits"]["hits"]
        ]
        return Results(
            hits=hits,
            total=int(answer["hits"]["total"]["value"]),
            facets=_facets(answer, STAFF_FACET_FIELDS),
            page=page,
        )

    def public_search(self, *, query: PublicQuery) -> Results:
        page = clamp_page(query.page)
        parsed, filters = query.parsed, query.filters
        if not parsed and not filters:
            return Results.empty(page)
        conditions = []
        for name, value in filters.items():
            field = PUBLIC_FACET_FIELDS[name][0]
            conditions.append({"term": {field: int(value) if field == "decision_year" else str(value)}})
        texts, keywords = _field_targets(DispositionDocument, PUBLIC_TEXT_FIELDS)
        must, must_not = _text_clauses(parsed, texts, keywords)
        sort: list[Any] = [{"decision_date": {"order": "desc"}}, {"public_id": {"order": "desc"}}]
        answer = self._search(
            "dispositions",
            page,
            query={"bool": {"must": must, "must_not": must_not, "filter": conditions}},
            aggs={
                name: {"terms": {"field": field, "size": size}} for name, (field, size) in PUBLIC_FACET_FIELDS.items()
            },
            sort=[{"_score": {"order": "desc"}}, *sort] if parsed else sort,
        )
        if answer is None:
            return Results.empty(page)
        hits = [
            Hit(
                id=int(hit["_id"]),
                key=hit["_source"].get("public_id", ""),
                source=hit["_source"],
                snippets=_snippets(hit["_source"], PUBLIC_SNIPPET_FIELDS, parsed),
                score=hit.get("_score"),
            )
            for hit in answer["hits"]["hits"]
        ]
        return Results(
            hits=hits,
            total=int(answer["hits"]["total"]["value"]),
            facets=_facets(answer, PUBLIC_FACET_FIELDS),
            page=page,
        )
