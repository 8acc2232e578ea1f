"""Policy recommendations: the board's recommendations to the police department, and the
department's response and implementation over time.

Who records them: the board's current chair and supervisors (who hold the model permissions on
``PolicyRecommendation`` and ``RecommendationStatusUpdate``). Every write goes through a service
here, inside ``audit.service_atomic()``, and is audited; a refused attempt is audited too.

The public selectors read only the two recommendation tables and the agency's name: never a
complaint, a party or anything else about a case.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from investigations.board.membership import is_current_chair
from oversight import audit
from oversight.models import Agency

from ..models import PolicyRecommendation, RecommendationStatusUpdate

Response = RecommendationStatusUpdate.Response
Implementation = RecommendationStatusUpdate.Implementation

NUMBER_PREFIX = "PR"
STAFF_ORDER = ("-adopted_on", "-id")

# What the public reads for each status: whole sentences, not the staff's short labels.
PUBLIC_RESPONSE = {
    Response.AWAITING: gettext_lazy("The department has not responded yet"),
    Response.ACCEPTED: gettext_lazy("The department accepted it"),
    Response.PARTLY_ACCEPTED: gettext_lazy("The department accepted part of it"),
    Response.REJECTED: gettext_lazy("The department rejected it"),
}
PUBLIC_IMPLEMENTATION = {
    Implementation.NOT_STARTED: gettext_lazy("Work has not started"),
    Implementation.IN_PROGRESS: gettext_lazy("Work is in progress"),
    Implementation.IMPLEMENTED: gettext_lazy("It has been put in place"),
    Implementation.NOT_IMPLEMENTED: gettext_lazy("It will not be put in place"),
}


# --- Who may record -------------------------------------------------------------------------------------


def may_record_recommendations(user: Any) -> bool:
    """The board's current chair, or a holder of the recommendation permissions (supervisors)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm("public_portal.add_policyrecommendation") or is_current_chair(user)


def may_record_status(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm("public_portal.add_recommendationstatusupdate") or is_current_chair(user)


# --- Services ----------------------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    taken = PolicyRecommendation.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    highest = max((int(n.removeprefix(prefix)) for n in taken if n.removeprefix(prefix).isdigit()), default=0)
    return f"{prefix}{highest + 1:02d}"


def _check_text(errors: dict[str, list[str]], name: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = [message]
    return value


def recommendation_record(
    *,
    actor: Any,
    title: str,
    text: str,
    adopted_on: date | None,
    themes: str = "",
    related_cases: int = 0,
    department: Agency | None = None,
) -> PolicyRecommendation:
    """Record a recommendation the board adopted (the chair or a supervisor). It gets the next number
    of its adoption year (``PR-2026-03``) and starts with no status update: awaiting the response."""
    if not may_record_recommendations(actor):
        audit.record_refusal("recommendation.recorded", target_label=(title or "")[:200], actor=actor)
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    title = _check_text(errors, "title", title, _("Give the recommendation a title."))
    text = _check_text(errors, "text", text, _("Write the recommendation."))
    if adopted_on is None:
        errors["adopted_on"] = [_("Give the date the board adopted it.")]
    elif adopted_on > timezone.localdate():
        errors["adopted_on"] = [_("The adoption date cannot be in the future.")]
    if related_cases is None or related_cases < 0:
        errors["related_cases"] = [_("Give the number of cases as 0 or more.")]
    if errors:
        raise ValidationError(errors)
    for _attempt in range(3):
        try:
            with audit.service_atomic():
                recommendation = PolicyRecommendation.objects.create(
                    number=_next_number(adopted_on.year),
                    title=title,
                    text=text,
                    adopted_on=adopted_on,
                    themes=(themes or "").strip(),
                    related_cases=related_cases,
                    department=department,
                    created_by=actor,
                )
                audit.record(
                    "recommendation.recorded",
                    target=recommendation,
                    actor=actor,
                    data={"number": recommendation.number, "adopted_on": adopted_on},
                )
            return recommendation
        except IntegrityError:
            # Someone else took the number at the same moment: take the next one.
            continue
    raise ValidationError(_("The recommendation could not be numbered. Try again."))


def recommendation_status_record(
    *,
    recommendation: PolicyRecommendation,
    actor: Any,
    recorded_on: date | None,
    department_response: str,
    implementation: str,
    note: str = "",
) -> RecommendationStatusUpdate:
    """Record the department's response and the implementation status as of a date (the chair or a
    supervisor). The latest update, by date, is the recommendation's current status."""
    if not may_record_status(actor):
        audit.record_refusal("recommendation.updated", target=recommendation, actor=actor)
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if department_response not in Response.values:
        errors["department_response"] = [_("Choose the department's response.")]
    if implementation not in Implementation.values:
        errors["implementation"] = [_("Choose the implementation status.")]
    if recorded_on is None:
        errors["recorded_on"] = [_("Give the date of this status.")]
    elif recorded_on > timezone.localdate():
        errors["recorded_on"] = [_("The date cannot be in the future.")]
    elif recorded_on < recommendation.adopted_on:
        errors["recorded_on"] = [_("The date cannot be before the board adopted the recommendation.")]
    if errors:
        raise ValidationError(errors)
    with audit.service_atomic():
        locked = PolicyRecommendation.objects.select_for_update().get(pk=recommendation.pk)
        update = RecommendationStatusUpdate.objects.create(
            recommendation=locked,
            recorded_on=recorded_on,
            department_response=department_response,
            implementation=implementation,
            note=(note or "").strip(),
            recorded_by=actor,
        )
        # The recommendation's own timestamp says when its public page last changed.
        locked.save(update_fields=["updated_at"])
        audit.record(
            "recommendation.updated",
            target=locked,
            actor=actor,
            data={
                "update": update.pk,
                "recorded_on": recorded_on,
                "department_response": department_response,
                "implementation": implementation,
            },
        )
    return update


# --- Selectors ---------------------------------------------------------------------------------------------


def _with_current_status(queryset: QuerySet) -> QuerySet:
    latest = RecommendationStatusUpdate.objects.filter(recommendation=OuterRef("pk")).order_by("-recorded_on", "-id")
    return queryset.annotate(
        current_response=Coalesce(Subquery(latest.values("department_response")[:1]), Value(Response.AWAITING)),
        current_implementation=Coalesce(
            Subquery(latest.values("implementation")[:1]), Value(Implementation.NOT_STARTED)
        ),
        status_as_of=Subquery(latest.values("recorded_on")[:1]),
    )


def recommendations_public(*, response: str = "") -> QuerySet:
    """Every recommendation, newest adoption first, with its current status; ``response`` keeps
    those whose current response is that one (an unknown value keeps all)."""
    queryset = _with_current_status(
        PolicyRecommendation.objects.select_related("department").only(
            "number", "title", "adopted_on", "themes", "related_cases", "department__name"
        )
    ).order_by(*STAFF_ORDER)
    if response in Response.values:
        queryset = queryset.filter(current_response=response)
    return queryset


def recommendation_get_public(*, number: str) -> PolicyRecommendation:
    """One recommendation with its current status and its timeline (oldest first), or 404."""
    found = (
        _with_current_status(PolicyRecommendation.objects.select_related("department"))
        .filter(number=number[:20])
        .first()
    )
    if found is None:
        raise Http404
    with_public_text([found])
    found.timeline = with_public_text(
        RecommendationStatusUpdate.objects.filter(recommendation=found)
        .only("recorded_on", "department_response", "implementation", "note", "recommendation_id")
        .order_by("recorded_on", "id")
    )
    return found


def recommendations_last_updated(recommendation: PolicyRecommendation | None = None) -> date | None:
    """The date the public information last changed: a recommendation recorded or a status added
    (for one recommendation, or for all of them)."""
    recommendations = PolicyRecommendation.objects.all()
    if recommendation is not None:
        recommendations = recommendations.filter(pk=recommendation.pk)
    latest: datetime | None = recommendations.aggregate(latest=Max("updated_at"))["latest"]
    return timezone.localdate(latest) if latest else None


def recommendations_for_staff(user: Any) -> QuerySet:
    """Every recommendation with its current status, for the people who record them; others are
    refused (the pages are theirs, the public pages are everyone's)."""
    if not may_record_recommendations(user):
        raise PermissionDenied
    return _with_current_status(PolicyRecommendation.objects.select_related("department", "created_by"))


def recommendation_get_for_staff(*, user: Any, number: str) -> PolicyRecommendation:
    if not may_record_recommendations(user):
        raise PermissionDenied
    found = (
        _with_current_status(PolicyRecommendation.objects.select_related("department", "created_by"))
        .filter(number=number[:20])
        .first()
    )
    if found is None:
        raise Http404
    with_public_text([found])
    found.timeline = with_public_text(
        RecommendationStatusUpdate.objects.filter(recommendation=found)
        .select_related("recorded_by")
        .order_by("-recorded_on", "-id")
    )
    return found


def with_public_text(items: Any) -> list[Any]:
    """The items (recommendations with their current status, or status updates) with the status in
    the public's words (``response_text``, ``implementation_text``) and in the staff's short labels
    (``response_label``, ``implementation_label``)."""
    items = list(items)
    for item in items:
        if isinstance(item, RecommendationStatusUpdate):
            response, implementation = item.department_response, item.implementation
        else:
            response, implementation = item.current_response, item.current_implementation
        item.response_text = PUBLIC_RESPONSE.get(response, "")
        item.implementation_text = PUBLIC_IMPLEMENTATION.get(implementation, "")
        # The staff's short labels.
        item.response_label = Response(response).label if response in Response.values else ""
        item.implementation_label = (
            Implementation(implementation).label if implementation in Implementation.values else ""
        )
    return items
