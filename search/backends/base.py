"""The one small interface both search backends implement, and the values it passes.

A page asks ``search.backend()`` for the configured backend and calls ``staff_search`` or
``public_search``; indexing calls ``index`` (and ``search_index`` the rest). Neither a page nor a
task knows which backend answers.

Who may see what is worked out once, here (``Scope``), with the rules of
``complaints.selectors.complaint_visible_queryset``: a backend applies a scope, it never decides
one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from django.utils.safestring import SafeString

from ..text import ParsedQuery, parse

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper than 1,000 hits, a person narrows the query instead
FACET_SIZE = 10
KINDS = ("cases", "dispositions")

STAFF_FACETS = ("status", "category", "district", "year", "officer")
PUBLIC_FACETS = ("category", "disposition", "district", "year")


class SearchUnavailable(Exception):
    """The search service could not answer (down, or refused the request). Pages say so plainly."""


@dataclass(frozen=True)
class Scope:
    """Which cases a staff member may find, as the selectors decide it.

    ``everything``: every case (supervisors, superusers). ``nothing``: none (inactive or signed
    out). Otherwise the cases whose principals include one of ``principals`` (their own
    ``user:<id>`` and their groups' ``group:<id>``), plus, when ``statuses`` is not empty, every
    case in one of those statuses (intake coordinators see every case in intake or mediation).
    ``personal_data``: whether they may search people's details (``complaints.view_personal_data``)."""

    user_id: int | None
    everything: bool = False
    nothing: bool = False
    principals: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    personal_data: bool = False


def scope_for(user: Any) -> Scope:
    from complaints.models import Complaint
    from oversight import personal_data

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(user_id=None, nothing=True)
    may_see_people = personal_data.may_view(user, "parties")
    if user.has_perm("complaints.view_all_complaints"):
        return Scope(user_id=user.pk, everything=True, personal_data=may_see_people)
    groups = user.groups.order_by("pk").values_list("pk", flat=True)
    principals = (f"user:{user.pk}", *(f"group:{pk}" for pk in groups))
    statuses = tuple(Complaint.TRIAGE_STATUSES) if user.has_perm("complaints.triage_complaint") else ()
    return Scope(user_id=user.pk, principals=principals, statuses=statuses, personal_data=may_see_people)


@dataclass(frozen=True)
class StaffQuery:
    text: str = ""
    status: str = ""
    district_id: int | None = None
    category_id: int | None = None
    year: int | None = None
    officer_id: int | None = None
    page: int = 1

    @property
    def parsed(self) -> ParsedQuery:
        return parse(self.text)

    @property
    def filters(self) -> dict[str, Any]:
        """The filters chosen, by facet name."""
        chosen = {
            "status": self.status or None,
            "category": self.category_id,
            "district": self.district_id,
            "year": self.year,
            "officer": self.officer_id,
        }
        return {name: value for name, value in chosen.items() if value not in (None, "")}


@dataclass(frozen=True)
class PublicQuery:
    text: str = ""
    category_class_id: int | None = None
    disposition: str = ""
    district_id: int | None = None
    year: int | None = None
    page: int = 1

    @property
    def parsed(self) -> ParsedQuery:
        return parse(self.text)

    @property
    def filters(self) -> dict[str, Any]:
        chosen = {
            "category": self.category_class_id,
            "disposition": self.disposition or None,
            "district": self.district_id,
            "year": self.year,
        }
        return {name: value for name, value in chosen.items() if value not in (None, "")}


@dataclass
class Hit:
    """One case or disposition found. ``id`` is the complaint's or publication's primary key,
    ``key`` its tracking number or public id; ``source`` the stored document (``search.documents``);
    ``snippets`` the passages that matched, escaped, the matching words in ``<mark>``."""

    id: int
    key: str
    source: dict[str, Any]
    snippets: list[SafeString] = field(default_factory=list)
    score: float | None = None


@dataclass
class Results:
    """A page of hits, the total and the facet counts (``{facet: [(value, count), ...]}``, values
    as strings, biggest count first). A query with no text and no filter returns nothing: a search
    page starts empty rather than listing every case."""

    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.page_size)))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @classmethod
    def empty(cls, page: int = 1) -> Results:
        return cls(hits=[], total=0, facets={}, page=page)


@dataclass
class Status:
    """One index as ``search_index status`` reports it."""

    kind: str
    in_database: int
    in_index: int
    backlog: int
    oldest_pending: Any = None
    detail: str = ""

    @property
    def in_step(self) -> bool:
        return self.in_database == self.in_index and self.backlog == 0


class SearchBackend(Protocol):
    name: ClassVar[str]

    def staff_search(self, *, scope: Scope, query: StaffQuery) -> Results: ...

    def public_search(self, *, query: PublicQuery) -> Results: ...

    def index(self, kind: str, ids: Iterable[int]) -> None:
        """Bring the documents of ``ids`` in line with the database: write those that should be
        indexed, delete the rest. Raises ``SearchUnavailable`` if the index could not be written."""

    def rebuild(self, kind: str, *, progress: Callable[[int, int], None] | None = None) -> int:
        """Build a fresh index of ``kind`` from the database and switch searches to it when it is
        whole; returns the number of documents written."""

    def count(self, kind: str) -> int:
        """How many documents the live index of ``kind`` holds."""

    def clear(self) -> None:
        """Drop every index (tests and ``search_index rebuild`` of an empty database)."""


def clamp_page(page: int) -> int:
    return min(max(1, page), MAX_PAGE)
