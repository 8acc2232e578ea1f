"""Policy recommendations: the board's recommendations to the police department, and the
department's response and implementation over time.

A recommendation is recorded either as adopted (the board has voted it) or as proposed (the board
is considering it, and may open it for residents' comments: ``public_portal.comments``); a proposed
one is adopted later, keeping its number. The open data API and the public reports read adopted
recommendations only (``recommendations_public``); the public pages list proposed ones in their own
section (``recommendations_proposed_public``).

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
Stage = PolicyRecommendation.Stage

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


def _create(
    *,
    actor: Any,
    action: str,
    fields: dict[str, Any],
    numbered_by: date,
    data: dict[str, Any],
) -> PolicyRecommendation:
    for _attempt in range(3):
        try:
            with audit.service_atomic():
                recommendation = PolicyRecommendation.objects.create(
                    number=_next_number(numbered_by.year), created_by=actor, **fields
                )
                audit.record(action, target=recommendation, actor=actor, data={"number": recommendation.number, **data})
            return recommendation
        except IntegrityError:
            # Someone else took the number at the same moment: take the next one.
            continue
    raise ValidationError(_("The recommendation could not be numbered. Try again."))


def _check_common(errors: dict[str, list[str]], *, title: str, text: str, related_cases: int | None) -> tuple[str, str]:
    title = _check_text(errors, "title", title, _("Give the recommendation a title."))
    text = _check_text(errors, "text", text, _("Write the recommendation."))
    if related_cases is None or related_cases < 0:
        errors["related_cases"] = [_("Give the number of cases as 0 or more.")]
    return title, text


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
    title, text = _check_common(errors, title=title, text=text, related_cases=related_cases)
    if adopted_on is None:
        errors["adopted_on"] = [_("Give the date the board adopted it.")]
    elif adopted_on > timezone.localdate():
        errors["adopted_on"] = [_("The adoption date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    return _create(
        actor=actor,
        action="recommendation.recorded",
        numbered_by=adopted_on,
        fields={
            "title": title,
            "text": text,
            "stage": Stage.ADOPTED,
            "adopted_on": adopted_on,
            "themes": (themes or "").strip(),
            "related_cases": related_cases,
            "department": department,
        },
        data={"adopted_on": adopted_on},
    )


def recommendation_propose(
    *,
    actor: Any,
    title: str,
    text: str,
    proposed_on: date | None,
    themes: str = "",
    related_cases: int = 0,
    department: Agency | None = None,
) -> PolicyRecommendation:
    """Record a recommendation the board is considering and has not adopted (the chair or a
    supervisor). It is numbered by the year it was proposed and keeps that number once adopted; it
    is public at once (in its own section of the list), with no status until it is adopted."""
    if not may_record_recommendations(actor):
        audit.record_refusal("recommendation.proposed", target_label=(title or "")[:200], actor=actor)
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    title, text = _check_common(errors, title=title, text=text, related_cases=related_cases)
    if proposed_on is None:
        errors["proposed_on"] = [_("Give the date the recommendation was proposed.")]
    elif proposed_on > timezone.localdate():
        errors["proposed_on"] = [_("The date it was proposed cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    return _create(
        actor=actor,
        action="recommendation.proposed",
        numbered_by=proposed_on,
        fields={
            "title": title,
            "text": text,
            "stage": Stage.PROPOSED,
            "proposed_on": proposed_on,
            "themes": (themes or "").strip(),
            "related_cases": related_cases,
            "department": department,
        },
        data={"proposed_on": proposed_on},
    )


def recommendation_adopt(*, recommendation: PolicyRecommendation, actor: Any, adopted_on: date | None) -> None:
    """Record that the board adopted a proposed recommendation (the chair or a supervisor). From then
    on it is an adopted recommendation like any other: in the API and the reports, awaiting the
    department's response. A comment period still open ends with the adoption."""
    if not may_record_recommendations(actor):
        audit.record_refusal("recommendation.adopted", target=recommendation, actor=actor)
        raise PermissionDenied
    with audit.service_atomic():
        locked = PolicyRecommendation.objects.select_for_update().get(pk=recommendation.pk)
        if locked.stage != Stage.PROPOSED:
            raise ValidationError(_("This recommendation is already adopted."))
        if adopted_on is None:
            raise ValidationError({"adopted_on": [_("Give the date the board adopted it.")]})
        if adopted_on > timezone.localdate():
            raise ValidationError({"adopted_on": [_("The adoption date cannot be in the future.")]})
        if locked.proposed_on and adopted_on < locked.proposed_on:
            raise ValidationError({"adopted_on": [_("The adoption date cannot be before it was proposed.")]})
        locked.stage = Stage.ADOPTED
        locked.adopted_on = adopted_on
        locked.save(update_fields=["stage", "adopted_on", "updated_at"])
        audit.record(
            "recommendation.adopted",
            target=locked,
            actor=actor,
            data={"number": locked.number, "adopted_on": adopted_on},
        )
    recommendation.stage, recommendation.adopted_on = locked.stage, locked.adopted_on


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
    if recommendation.stage != Stage.ADOPTED:
        raise ValidationError(_("Record the board's adoption first: a proposed recommendation has no status."))
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
    """Every adopted recommendation, newest adoption first, with its current status; ``response``
    keeps those whose current response is that one (an unknown value keeps all). Proposed ones are
    not here: see ``recommendations_proposed_public``."""
    queryset = _with_current_status(
        PolicyRecommendation.objects.filter(stage=Stage.ADOPTED)
        .select_related("department")
        .only("number", "title", "stage", "adopted_on", "themes", "related_cases", "department__name")
    ).order_by(*STAFF_ORDER)
    if response in Response.values:
        queryset = queryset.filter(current_response=response)
    return queryset


def recommendations_proposed_public() -> QuerySet:
    """The recommendations the board has proposed and not adopted yet, newest proposal first."""
    return (
        PolicyRecommendation.objects.filter(stage=Stage.PROPOSED)
        .select_related("department")
        .only("number", "title", "stage", "proposed_on", "themes", "related_cases", "department__name")
        .order_by("-proposed_on", "-id")
    )


def recommendation_get_public(*, number: str, adopted_only: bool = False) -> PolicyRecommendation:
    """One recommendation with its current status and its timeline (oldest first), or 404; with
    ``adopted_only`` (the API), a proposed one is a 404 too."""
    queryset = _with_current_status(PolicyRecommendation.objects.select_related("department"))
    if adopted_only:
        queryset = queryset.filter(stage=Stage.ADOPTED)
    found = queryset.filter(number=number[:20]).first()
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
    """Every adopted recommendation with its current status, for the people who record them; others
    are refused (the pages are theirs, the public pages are everyone's). Proposed ones:
    ``recommendations_proposed_for_staff``."""
    if not may_record_recommendations(user):
        raise PermissionDenied
    return _with_current_status(
        PolicyRecommendation.objects.filter(stage=Stage.ADOPTED).select_related("department", "created_by")
    )


def recommendations_proposed_for_staff(user: Any) -> list[PolicyRecommendation]:
    """The proposed recommendations, newest proposal first (a handful at a time: not paginated)."""
    if not may_record_recommendations(user):
        raise PermissionDenied
    return list(
        PolicyRecommendation.objects.filter(stage=Stage.PROPOSED)
        .select_related("department", "created_by")
        .order_by("-proposed_on", "-id")
    )


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
