"""Every read of comment periods and comments a page makes.

Public reads return approved comments only, and never a contact email: ``PUBLIC_FIELDS`` is what a
public page may load. Staff reads are for the people who manage comment periods (the chair,
supervisors) or moderate (publication officers, supervisors); anyone else gets 404, as for a page
that does not exist.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from public_portal.models import PolicyRecommendation

from .models import CommentPeriod, PublicComment
from .services import may_manage_periods, may_moderate

State = PublicComment.State
PUBLIC_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50
# What a public page may read of a comment: never the email, never the moderation.
PUBLIC_FIELDS = ("id", "recommendation_id", "name", "text", "language", "received_at")


def period_for(recommendation: PolicyRecommendation) -> CommentPeriod | None:
    period = CommentPeriod.objects.filter(recommendation=recommendation).first()
    if period is not None:
        period.recommendation = recommendation
    return period


def with_comment_periods(recommendations: Any) -> list[PolicyRecommendation]:
    """The recommendations with ``comment_period_found`` (their comment period or None) and
    ``comment_period_open``, in two queries."""
    items = list(recommendations)
    periods = {p.recommendation_id: p for p in CommentPeriod.objects.filter(recommendation__in=[r.pk for r in items])}
    for item in items:
        period = periods.get(item.pk)
        if period is not None:
            period.recommendation = item
        item.comment_period_found = period
        item.comment_period_open = period is not None and period.is_open()
    return items


# --- Public ----------------------------------------------------------------------------------------


@dataclass
class PublicComments:
    """What a recommendation's public page shows of its comment period."""

    period: CommentPeriod | None
    is_open: bool
    closed_on: date | None
    received: int
    approved: Page | None


def public_comments_for(*, recommendation: PolicyRecommendation, page: Any = None) -> PublicComments | None:
    """The comment period of a recommendation, how many comments it received and a page of the
    approved ones (oldest first); None when it never had a comment period."""
    period = period_for(recommendation)
    if period is None:
        return None
    received = PublicComment.objects.filter(recommendation=recommendation).count()
    approved = (
        PublicComment.objects.filter(recommendation=recommendation, state=State.APPROVED)
        .only(*PUBLIC_FIELDS)
        .order_by("received_at", "id")
    )
    is_open = period.is_open()
    return PublicComments(
        period=period,
        is_open=is_open,
        closed_on=None if is_open else period.closed_on(),
        received=received,
        approved=Paginator(approved, PUBLIC_PAGE_SIZE).get_page(page),
    )


def recommendation_for_comment(*, number: str) -> PolicyRecommendation:
    """The recommendation a resident comments on, with its comment period, or 404."""
    found = PolicyRecommendation.objects.filter(number=number[:20]).first()
    if found is None:
        raise Http404
    found.comment_period_found = period_for(found)
    found.comment_period_open = found.comment_period_found is not None and found.comment_period_found.is_open()
    return found


# --- Staff -----------------------------------------------------------------------------------------


def may_use_staff_pages(user: Any) -> bool:
    return may_manage_periods(user) or may_moderate(user)


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise Http404


def staff_recommendations(*, user: Any) -> list[PolicyRecommendation]:
    """Every recommendation that is proposed or has had a comment period, newest first, with its
    period and its comments counted by state."""
    _refuse_unless(may_use_staff_pages(user))
    recommendations = PolicyRecommendation.objects.filter(
        Q(stage=PolicyRecommendation.Stage.PROPOSED) | Q(comment_period__isnull=False)
    )
    items = with_comment_periods(recommendations.order_by("-created_at", "-id"))
    counts: dict[int, dict[str, int]] = {}
    for row in (
        PublicComment.objects.filter(recommendation__in=[r.pk for r in items])
        .values("recommendation_id", "state")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(row["recommendation_id"], {})[row["state"]] = row["n"]
    for item in items:
        found = counts.get(item.pk, {})
        item.comment_counts = {state: found.get(state, 0) for state in State.values}
        item.comment_total = sum(found.values())
    return items


def staff_recommendation(*, user: Any, number: str) -> PolicyRecommendation:
    _refuse_unless(may_use_staff_pages(user))
    return recommendation_for_comment(number=number)


def staff_comments(*, user: Any, recommendation: PolicyRecommendation, state: str = "") -> QuerySet:
    """A recommendation's comments for moderation, oldest first (moderators only)."""
    _refuse_unless(may_moderate(user))
    queryset = PublicComment.objects.filter(recommendation=recommendation).order_by("received_at", "id")
    if state in State.values:
        queryset = queryset.filter(state=state)
    return queryset


def moderation_queue(*, user: Any) -> QuerySet:
    """Every comment waiting for moderation, oldest first (moderators only)."""
    _refuse_unless(may_moderate(user))
    return (
        PublicComment.objects.filter(state=State.PENDING).select_related("recommendation").order_by("received_at", "id")
    )


def comment_for_moderation(*, user: Any, comment_id: int) -> PublicComment:
    _refuse_unless(may_moderate(user))
    found = PublicComment.objects.select_related("recommendation").filter(pk=comment_id).first()
    if found is None:
        raise Http404
    return found


@dataclass
class Summary:
    """A comment period's summary for the meeting packet: the counts and the approved comments."""

    recommendation: PolicyRecommendation
    period: CommentPeriod | None
    is_open: bool
    closed_on: date | None
    total: int
    by_state: list[tuple[str, int]]
    by_language: list[tuple[str, int]]
    approved: list[PublicComment] = field(default_factory=list)
    as_of: date = field(default_factory=timezone.localdate)


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def summary_for(*, user: Any, recommendation: PolicyRecommendation) -> Summary:
    """Counts by state and by language, and every approved comment (oldest first). Nothing of
    the comments' contact emails."""
    _refuse_unless(may_use_staff_pages(user))
    period = period_for(recommendation)
    comments = PublicComment.objects.filter(recommendation=recommendation)
    states = dict(comments.values_list("state").annotate(n=Count("id")).order_by())
    languages = dict(comments.values_list("language").annotate(n=Count("id")).order_by())
    known = [code for code, _name in settings.LANGUAGES]
    language_order = known + sorted(code for code in languages if code not in known)
    is_open = period is not None and period.is_open()
    return Summary(
        recommendation=recommendation,
        period=period,
        is_open=is_open,
        closed_on=period.closed_on() if period is not None and not is_open else None,
        total=sum(states.values()),
        by_state=[(str(State(state).label), states.get(state, 0)) for state in State.values],
        by_language=[(language_name(code), languages.get(code, 0)) for code in language_order],
        approved=list(comments.filter(state=State.APPROVED).only(*PUBLIC_FIELDS).order_by("received_at", "id")),
    )


def state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else _("Unknown")
