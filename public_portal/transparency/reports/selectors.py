"""Reads of the public reports.

The public selectors read the report table only (``public_reports_publicreport``): never a case
table. Only published reports exist for the public; anything else is a 404.
"""

from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import PublicReport, PublicReportEvent
from .workflow import APPROVE_PERM, GENERATE_PERM, PUBLISH_PERM, VIEW_PERM

S = PublicReport.Status
PUBLIC_FIELDS = (
    "kind",
    "year",
    "quarter",
    "period_start",
    "period_end",
    "slug",
    "title",
    "language",
    "size",
    "pages",
    "data_as_of",
    "published_at",
)


# --- Public ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearOfReports:
    year: int
    reports: list[PublicReport]


def reports_public() -> QuerySet:
    """Published reports, newest period first (the annual report before the last quarter of its year)."""
    return PublicReport.objects.filter(status=S.PUBLISHED).only(*PUBLIC_FIELDS).order_by("-period_end", "kind", "-id")


def reports_public_by_year() -> list[YearOfReports]:
    reports = list(reports_public())
    return [YearOfReports(year, list(items)) for year, items in groupby(reports, key=lambda r: r.year)]


def reports_last_updated() -> date | None:
    """When the public list last changed: the latest publication or retraction."""
    found = PublicReport.objects.filter(status__in=[S.PUBLISHED, S.RETRACTED]).aggregate(
        published=Max("published_at"), ended=Max("ended_at")
    )
    latest = max((value for value in found.values() if value is not None), default=None)
    return timezone.localdate(latest) if latest else None


def report_get_public(*, slug: str) -> PublicReport:
    """The published report at this address, or 404 (a draft, a retracted report and an unknown
    address look the same)."""
    found = (
        PublicReport.objects.filter(slug=slug[:20], status=S.PUBLISHED)
        .only(*PUBLIC_FIELDS, "file", "sha256", "status")
        .first()
    )
    if found is None or not found.has_file:
        raise Http404
    return found


# --- Staff -------------------------------------------------------------------------------------------------


def may_see_reports(user: Any) -> bool:
    """The publication officers (who hold the report permissions)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(VIEW_PERM))


def may_generate(user: Any) -> bool:
    return may_see_reports(user) and user.has_perm(GENERATE_PERM)


def may_approve_or_publish(user: Any) -> bool:
    return may_see_reports(user) and (user.has_perm(APPROVE_PERM) or user.has_perm(PUBLISH_PERM))


def reports_for_staff(user: Any) -> QuerySet:
    """Every report, newest period first, for the publication officers; anyone else is refused."""
    if not may_see_reports(user):
        raise PermissionDenied
    return PublicReport.objects.select_related("approved_by", "published_by").order_by(
        "-period_end", "kind", "-created_at", "-id"
    )


def report_get_for_staff(*, user: Any, pk: int) -> PublicReport:
    if not may_see_reports(user):
        raise PermissionDenied
    found = PublicReport.objects.select_related("requested_by", "approved_by", "published_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def report_events(report: PublicReport) -> list[PublicReportEvent]:
    return list(report.events.select_related("actor").order_by("occurred_at", "id"))


def reports_in_progress() -> int:
    """How many reports wait for someone: drafts and approved reports (the staff home panel)."""
    return PublicReport.objects.filter(status__in=[S.DRAFT, S.APPROVED]).count()
