"""Pagination for staff lists that may hold a million rows.

Django's ``Paginator`` costs two things in proportion to the table: ``COUNT(*)`` of every matching
row on each page load, and ``OFFSET`` on deep pages (page 500 reads and discards 24,950 rows).
Lists here avoid both:

* **Keyset pagination** (``keyset_page``) for the big lists (the staff case list): a page is "the
  next 50 rows after this one" in the list's order, found through the index that serves the
  order, so page 500 costs what page 1 costs. Links read "Previous" and "Next" with an opaque
  cursor on (ordering field, id); there are no page numbers.
* **A known count** (``KnownCountPaginator``) for lists whose size is already known from another
  read (the intake queue takes it from its status breakdown): numbered pages without the extra
  ``COUNT(*)``.
* **A capped count** (``capped_count``) where a total is shown but no cheap exact figure exists:
  the count stops at ``COUNT_CAP`` and the page says "more than 10,000".
"""

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

COUNT_CAP = 10_000
_EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)
CURSOR_PARAMS = ("after", "before", "page")


@dataclass(frozen=True)
class Total:
    """How many rows a list holds: ``count`` exactly, or, when ``capped``, more than ``count``."""

    count: int
    capped: bool = False


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> Total:
    """Count ``queryset`` but stop after ``cap`` rows: the database reads at most ``cap + 1``."""
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return Total(cap, capped=True) if found > cap else Total(found)


@dataclass
class KeysetPage:
    """One page of a keyset-paginated list; iterate it like ``page.object_list``."""

    object_list: list[Any]
    next_cursor: str = ""
    previous_cursor: str = ""
    # The cursor in the link could not be read (edited by hand, or from an older version): the
    # first page is shown instead, and the view says so.
    invalid_cursor: bool = False
    total: Total | None = None
    is_keyset: bool = field(default=True, init=False)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _encode(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, model: type[Model], names: Sequence[str]) -> list[Any] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != len(names):
        return None
    parsed = []
    for name, value in zip(names, values, strict=True):
        if not isinstance(value, str):  # cursors are made of strings (``_key``)
            return None
        try:
            parsed.append(model._meta.get_field(name).to_python(value))
        except (ValidationError, TypeError, ValueError, OverflowError):
            return None
        if parsed[-1] is None or (isinstance(parsed[-1], datetime) and not _usable(parsed[-1])):
            return None
    return parsed


def _usable(moment: datetime) -> bool:
    """Aware, and far enough from the ends of the calendar to convert to any time zone."""
    if timezone.is_naive(moment):
        return False
    return _EARLIEST < moment < _LATEST


def _key(obj: Any, names: Sequence[str], model: type[Model]) -> list[Any]:
    return [model._meta.get_field(name).value_to_string(obj) for name in names]


def _beyond(names: Sequence[str], values: Sequence[Any], *, greater: bool) -> Q:
    """Rows strictly past ``values`` in (first, second) order.

    Written as ``first >= v AND (first > v OR second > w)`` rather than the plain OR so the
    database can start an index range scan at ``v`` instead of filtering from the first row.
    """
    first, second = names
    v, w = values
    op, op_eq = ("gt", "gte") if greater else ("lt", "lte")
    return Q(**{f"{first}__{op_eq}": v}) & (Q(**{f"{first}__{op}": v}) | Q(**{f"{second}__{op}": w}))


def keyset_page(
    queryset: QuerySet,
    *,
    ordering: tuple[str, str],
    per_page: int,
    after: str = "",
    before: str = "",
    total: Total | None = None,
) -> KeysetPage:
    """The page of ``queryset`` after the cursor ``after`` (or before ``before``), or the first.

    ``ordering`` is two fields running the same way, the second unique (``("-received_at",
    "-id")``), and an index should serve it. One query per page, however deep: ``per_page + 1``
    rows are read to know whether there is another page in the direction of travel.
    """
    model = queryset.model
    descending = ordering[0].startswith("-")
    if descending != ordering[1].startswith("-"):
        raise ValueError("Both ordering fields must run the same way.")
    names = [name.lstrip("-") for name in ordering]
    flipped = tuple(name if descending else f"-{name}" for name in names)
    cursor, backwards = (before, True) if before else (after, False)
    values = _decode(cursor, model, names) if cursor else None
    page = KeysetPage(object_list=[], invalid_cursor=bool(cursor) and values is None, total=total)
    if values is None:
        rows = list(queryset.order_by(*ordering)[: per_page + 1])
        has_previous, has_next = False, len(rows) > per_page
        rows = rows[:per_page]
    elif backwards:
        # Walk the other way from the cursor, then turn the rows round.
        rows = list(queryset.filter(_beyond(names, values, greater=descending)).order_by(*flipped)[: per_page + 1])
        has_previous, has_next = len(rows) > per_page, True
        rows = rows[:per_page][::-1]
    else:
        rows = list(queryset.filter(_beyond(names, values, greater=not descending)).order_by(*ordering)[: per_page + 1])
        has_previous, has_next = True, len(rows) > per_page
        rows = rows[:per_page]
    page.object_list = rows
    if rows:
        page.previous_cursor = _encode(_key(rows[0], names, model)) if has_previous else ""
        page.next_cursor = _encode(_key(rows[-1], names, model)) if has_next else ""
    elif values is not None:
        # Nothing left past the cursor (rows moved on since the link was made): offer the way back.
        page.previous_cursor, page.next_cursor = ("", cursor) if backwards else (cursor, "")
    return page


def keyset_page_for_request(
    request: Any, queryset: QuerySet, *, ordering: tuple[str, str], per_page: int, total: Total | None = None
) -> KeysetPage:
    """``keyset_page`` with the cursor read from the request's ``after`` or ``before`` parameter."""
    return keyset_page(
        queryset,
        ordering=ordering,
        per_page=per_page,
        after=request.GET.get("after", "")[:200],
        before=request.GET.get("before", "")[:200],
        total=total,
    )


class KnownCountPaginator(Paginator):
    """A ``Paginator`` told its total, for lists whose size is already known: no ``COUNT(*)``."""

    def __init__(self, object_list: Any, per_page: int, *, count: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


def querystring(params: dict[str, Any]) -> str:
    """A query string of the non-empty ``params``, for links that keep a list's filters."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = str(value)
    return query.urlencode()
