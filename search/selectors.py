"""Reads the search pages make: the labels their filters and facets show, and the staff officer page.

Every read here is a fixed number of queries, whatever the number of rows: the labels of a page's
districts, kinds of allegation and officers are one query each, and the officer page reads the
officer, one page of complaints and their allegations against the officer.

Which complaints the officer page lists is ``complaints.selectors.complaint_visible_queryset``: the
one rule of who sees which case, never widened here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import get_language

from complaints.models import Allegation, AllegationCategory, Complaint, SubjectOfficer
from complaints.selectors import complaint_visible_queryset
from oversight.models import District, Officer

# The officer page's list: newest received first, keyset pages walk it from a (received_at, id) cursor.
OFFICER_CASE_ORDER = ("-received_at", "-id")
OFFICER_CASE_COLUMNS = ("id", "tracking_number", "received_at", "status")
OFFICER_PAGE_SIZE = 25


# --- Labels of filters and facets -------------------------------------------------------------------


@dataclass(frozen=True)
class SearchChoices:
    """The districts and the kinds of allegation, with their labels in the reader's language: one
    read of each table per request (both are small)."""

    districts: dict[int, str] = field(default_factory=dict)
    # Every kind of allegation offered, "Class › sub-category", in label order.
    categories: dict[int, str] = field(default_factory=dict)
    # The top-level classes: id -> (code, label).
    classes: dict[int, tuple[str, str]] = field(default_factory=dict)


def search_choices(language: str | None = None, *, subcategories: bool = True) -> SearchChoices:
    """The districts and kinds of allegation a search form offers and its facets name (two queries).
    ``subcategories=False`` offers the top-level classes only, as the public decisions list does."""
    language = language or get_language()
    districts = dict(District.objects.order_by("name", "pk").values_list("pk", "name"))
    entries = list(AllegationCategory.objects.only("id", "code", "name", "translations", "parent_id"))
    names = {entry.pk: entry.localized_name(language) for entry in entries}
    categories: dict[int, str] = {}
    classes: dict[int, tuple[str, str]] = {}
    for entry in entries:
        if entry.parent_id is None:
            classes[entry.pk] = (entry.code, names[entry.pk])
            categories[entry.pk] = names[entry.pk]
        elif subcategories:
            parent = names.get(entry.parent_id)
            categories[entry.pk] = f"{parent} › {names[entry.pk]}" if parent else names[entry.pk]
    ordered = dict(sorted(categories.items(), key=lambda item: item[1].casefold()))
    return SearchChoices(districts=districts, categories=ordered, classes=classes)


@dataclass(frozen=True)
class OfficerLabel:
    id: int
    name: str
    badge: str

    def __str__(self) -> str:
        return f"{self.name} (#{self.badge})" if self.badge else self.name


def officer_labels(ids: Iterable[Any]) -> dict[int, OfficerLabel]:
    """Name and badge of each roster officer in ``ids`` (one query; unknown ids are left out)."""
    wanted = {int(pk) for pk in ids if str(pk).isdigit()}
    if not wanted:
        return {}
    rows = Officer.objects.filter(pk__in=wanted).values_list("pk", "first_name", "last_name", "badge_number")
    return {
        pk: OfficerLabel(id=pk, name=f"{first} {last}".strip(), badge=badge or "") for pk, first, last, badge in rows
    }


# --- The officer page ---------------------------------------------------------------------------------


def officer_get(*, officer_id: int) -> Officer:
    """The roster officer with their agency, or ``Http404``. The roster is not case content: any
    signed-in staff member may read an officer's roster entry."""
    officer = Officer.objects.select_related("agency").filter(pk=officer_id).first()
    if officer is None:
        raise Http404("No officer found")
    return officer


def officer_complaints_for_user(*, user: Any, officer_id: int) -> QuerySet[Complaint]:
    """The complaints naming the officer (a subject officer linked to them) that ``user`` may see,
    newest received first, loading only what the officer page shows."""
    named = SubjectOfficer.objects.filter(complaint=OuterRef("pk"), officer_id=officer_id)
    return (
        complaint_visible_queryset(user).filter(Exists(named)).only(*OFFICER_CASE_COLUMNS).order_by(*OFFICER_CASE_ORDER)
    )


@dataclass(frozen=True)
class OfficerAllegation:
    """One allegation against the officer, as the officer page lists it: the kind of allegation and
    the finding, proposed and (once the board decided) final."""

    category: str
    proposed: str = ""
    final: str = ""


def officer_allegations_by_complaint(
    *, officer_id: int, complaint_ids: Iterable[int], language: str | None = None
) -> dict[int, list[OfficerAllegation]]:
    """The allegations against the officer on each of ``complaint_ids``, in the order they were
    recorded, with their kind and finding (one query)."""
    ids = list(complaint_ids)
    if not ids:
        return {}
    language = language or get_language()
    rows = (
        Allegation.objects.filter(complaint_id__in=ids, subject_officer__officer_id=officer_id)
        .select_related("category__parent", "finding")
        .only(
            "id",
            "complaint_id",
            "category__name",
            "category__translations",
            "category__parent__name",
            "category__parent__translations",
            "finding__proposed_disposition",
            "finding__final_disposition",
        )
        .order_by("complaint_id", "id")
    )
    found: dict[int, list[OfficerAllegation]] = defaultdict(list)
    for allegation in rows:
        category = allegation.category
        if category is None:
            label = ""
        elif category.parent_id and category.parent is not None:
            label = f"{category.parent.localized_name(language)} › {category.localized_name(language)}"
        else:
            label = category.localized_name(language)
        finding = getattr(allegation, "finding", None)
        found[allegation.complaint_id].append(
            OfficerAllegation(
                category=label,
                proposed=finding.get_proposed_disposition_display() if finding else "",
                final=finding.get_final_disposition_display() if finding and finding.final_disposition else "",
            )
        )
    return dict(found)
