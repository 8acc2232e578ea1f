"""Reads of publications.

The public reads (``published_publications``, ``published_get``) touch only the publication
tables: never a case table, a party or anything personal. The staff reads below them scope what a
publisher may see to the cases eligible for publication.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Publication

# Public reads that would otherwise scan every published row on each request (the officers a
# published record names) are cached under this counter, which every save of a publication or its
# allegations bumps, at once and again after commit (``PublicationConfig.ready`` connects it), so
# no path that writes one (the lifecycle, the admin, a factory) leaves a stale cache.
GENERATION_KEY = "publication:published-generation"
GENERATION_TTL = 300  # a safety net for rows written outside the lifecycle (bulk loads)


def published_generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 0, None)


def bump_published_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def published_changed(**kwargs: Any) -> None:
    """``post_save``/``post_delete`` receiver for publications and their allegations."""
    bump_published_generation()
    transaction.on_commit(bump_published_generation)


def published_publications() -> QuerySet[Publication]:
    """Every version the public may see now: status published, one per case. No joins to case
    tables; callers add ``select_related("district")`` or prefetch allegations as their page needs."""
    return Publication.objects.filter(status=Publication.Status.PUBLISHED)


def published_get(public_id: str) -> Publication:
    """The published version of ``public_id``, or Http404 (never published, retracted, or unknown)."""
    publication = published_publications().filter(public_id=str(public_id or "").strip().upper()).first()
    if publication is None:
        raise Http404("No such published record.")
    return publication


# --- Staff reads -------------------------------------------------------------------------------------

# Decisions are numbered in the order they are recorded: newest first by id is newest decision first,
# served by the primary key (an order on the decision's date would sort every decision ever made).
QUEUE_ORDER = ("-id", "-id")
PUBLICATION_ORDER = ("-updated_at", "-id")


def may_use_publication(user: Any) -> bool:
    """Whether ``user`` may open the publication pages (publication officers)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("publication.view_publication")
    )


def require_publication_access(user: Any) -> None:
    """The staff 403 page for a signed-in user without the role (the pages say nothing of any case)."""
    if not may_use_publication(user):
        raise PermissionDenied(_("The publication pages are for publication officers."))


def ready_to_draft(*, district_id: int | None = None, tracking_number: str = "") -> QuerySet:
    """Board decisions in force (adopt or modify) of cases eligible for publication that have no
    open or published version: the cases a publication officer may draft, as ``BoardDecision`` rows
    with their complaint and its district loaded. Most recently recorded decision first (``QUEUE_ORDER``)."""
    from investigations.board.models import BoardDecision

    from .services import eligible_statuses

    later = BoardDecision.objects.filter(complaint_id=OuterRef("complaint_id"), id__gt=OuterRef("id"))
    live = Publication.objects.filter(
        complaint_id=OuterRef("complaint_id"),
        status__in=[Publication.Status.DRAFT, Publication.Status.APPROVED, Publication.Status.PUBLISHED],
    )
    decisions = (
        BoardDecision.objects.filter(
            kind__in=[BoardDecision.Kind.ADOPT, BoardDecision.Kind.MODIFY],
            complaint__status__in=eligible_statuses(),
        )
        .exclude(Exists(later))
        .exclude(Exists(live))
        .select_related("complaint__district")
        .only(
            "id",
            "kind",
            "created_at",
            "complaint_id",
            "complaint__tracking_number",
            "complaint__status",
            "complaint__district__name",
        )
    )
    if district_id:
        decisions = decisions.filter(complaint__district_id=district_id)
    if tracking_number:
        decisions = decisions.filter(complaint__tracking_number=tracking_number)
    return decisions


def publications_with_status(status: str, *, district_id: int | None = None, search: str = "") -> QuerySet[Publication]:
    """Versions in ``status``, last changed first (``PUBLICATION_ORDER``), for the queue's tabs."""
    queryset = (
        Publication.objects.filter(status=status)
        .select_related("complaint", "district")
        .only(
            "id",
            "public_id",
            "version",
            "status",
            "updated_at",
            "decision_date",
            "drafted_by_name",
            "approved_by_name",
            "published_at",
            "complaint__tracking_number",
            "district__name",
        )
    )
    if district_id:
        queryset = queryset.filter(district_id=district_id)
    if search:
        queryset = queryset.filter(Q(complaint__tracking_number=search) | Q(public_id=search))
    return queryset


def publication_counts() -> dict[str, int]:
    """How many versions are being prepared (drafts, approved): the queue's and the staff home's
    counts, each read from the (status, updated) index. The other statuses grow with the archive and
    are not counted."""
    return {
        status: Publication.objects.filter(status=status).count()
        for status in (Publication.Status.DRAFT, Publication.Status.APPROVED)
    }


def publication_case_get(*, user: Any, tracking_number: str) -> Any:
    """The case behind ``tracking_number`` for a publication officer: only a case eligible for
    publication, or one that has versions already (to correct or retract them); 404 otherwise."""
    from complaints.models import Complaint

    from .services import decision_in_force, eligibility_refusal

    require_publication_access(user)
    complaint = Complaint.objects.select_related("district").filter(tracking_number=str(tracking_number)[:32]).first()
    if complaint is None:
        raise Http404
    if (
        eligibility_refusal(complaint, decision_in_force(complaint))
        and not Publication.objects.filter(complaint=complaint).exists()
    ):
        raise Http404
    return complaint


def publication_get(*, user: Any, tracking_number: str, version: int) -> Publication:
    """One version of a case's publication, for a publication officer; 404 if there is none."""
    require_publication_access(user)
    publication = (
        Publication.objects.select_related("complaint", "district", "supersedes")
        .filter(complaint__tracking_number=str(tracking_number)[:32], version=version)
        .first()
    )
    if publication is None:
        raise Http404
    return publication


def publication_versions(publication: Publication) -> list[Publication]:
    """Every version of the case's publication, newest first."""
    return list(
        Publication.objects.filter(complaint_id=publication.complaint_id)
        .only(
            "id",
            "public_id",
            "version",
            "status",
            "drafted_by_name",
            "approved_by_name",
            "published_by_name",
            "published_at",
            "ended_at",
            "created_at",
            "complaint_id",
        )
        .order_by("-version", "-id")
    )


def publication_allegations(publication: Publication) -> list:
    """The allegation rows as they will be published, with category and class loaded, and the
    labels of their disposition and department's response (``disposition_label``, ``response_label``)."""
    from investigations.board.models import DepartmentResponse
    from investigations.models import Disposition

    dispositions = dict(Disposition.choices)
    responses = dict(DepartmentResponse.Response.choices)
    rows = list(publication.allegations.select_related("category", "category_class").order_by("position", "id"))
    for row in rows:
        row.disposition_label = dispositions.get(row.disposition, row.disposition)
        row.response_label = responses.get(row.department_response, row.department_response)
    return rows
