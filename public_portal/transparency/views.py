"""Policy recommendation pages: the public list and detail, and the staff pages where the board's
chair and supervisors record recommendations (adopted, or proposed and adopted later) and their
status. A proposed recommendation's page also shows its comment period and the approved comments
(``public_portal.comments``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oversight.forms import add_service_errors, add_usa_classes
from oversight.pagination import keyset_page_for_request, querystring
from public_portal.comments import selectors as comment_selectors

from . import recommendations as recs
from .forms import AdoptionForm, RecommendationFilterForm, RecommendationForm, StatusUpdateForm

PUBLIC_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50


# --- Public ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def recommendation_list(request: HttpRequest) -> HttpResponse:
    form = RecommendationFilterForm(request.GET or None)
    response = form.chosen_response() if form.is_bound else ""
    add_usa_classes(form)
    page = Paginator(recs.recommendations_public(response=response), PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = recs.with_public_text(page.object_list)
    return render(
        request,
        "public_portal/recommendations/list.html",
        {
            "form": form,
            "page": page,
            "recommendations": page.object_list,
            # Proposed recommendations have their own section, above the adopted ones (first page).
            "proposed": comment_selectors.with_comment_periods(recs.recommendations_proposed_public())
            if page.number == 1
            else [],
            "response": response,
            "querystring": querystring({"response": response}),
            "last_updated": recs.recommendations_last_updated(),
        },
    )


@require_http_methods(["GET", "HEAD"])
def recommendation_detail(request: HttpRequest, number: str) -> HttpResponse:
    recommendation = recs.recommendation_get_public(number=number)
    return render(
        request,
        "public_portal/recommendations/detail.html",
        {
            "recommendation": recommendation,
            "last_updated": recs.recommendations_last_updated(recommendation),
            "comments": comment_selectors.public_comments_for(
                recommendation=recommendation, page=request.GET.get("page")
            ),
        },
    )


# --- Staff -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_recommendation_list(request: HttpRequest) -> HttpResponse:
    queryset = recs.recommendations_for_staff(request.user)
    page = keyset_page_for_request(request, queryset, ordering=recs.STAFF_ORDER, per_page=STAFF_PAGE_SIZE)
    if page.invalid_cursor:
        messages.warning(request, _("That page link could not be read, so the first page is shown."))
    page.object_list = recs.with_public_text(page.object_list)
    return render(
        request,
        "public_portal/staff/recommendations/list.html",
        {
            "recommendations": page.object_list,
            "proposed": recs.recommendations_proposed_for_staff(request.user) if not page.has_previous else [],
            "page": page,
            "querystring": "",
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_recommendation_add(request: HttpRequest) -> HttpResponse:
    if not recs.may_record_recommendations(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = RecommendationForm(request.POST or None, initial={"adopted_on": today, "proposed_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": request.user,
            "title": data["title"],
            "text": data["text"],
            "themes": data["themes"],
            "related_cases": data["related_cases"],
            "department": data["department"],
        }
        try:
            if form.chosen_stage() == recs.Stage.PROPOSED:
                recommendation = recs.recommendation_propose(proposed_on=data["proposed_on"], **common)
            else:
                recommendation = recs.recommendation_record(adopted_on=data["adopted_on"], **common)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Recommendation %(number)s is recorded.") % {"number": recommendation.number})
            return redirect("staff_intake:recommendation_detail", recommendation.number)
    add_usa_classes(form)
    return render(
        request,
        "public_portal/staff/recommendations/add.html",
        {"form": form, "forms_with_errors": [form] if form.errors else []},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_recommendation_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A recommendation's staff page. An adopted one takes status updates; a proposed one takes the
    board's adoption (its comment period is opened and closed from the comments pages)."""
    recommendation = recs.recommendation_get_for_staff(user=request.user, number=number)
    if recommendation.stage == recs.Stage.PROPOSED:
        return _staff_proposed_detail(request, recommendation)
    form = StatusUpdateForm(request.POST or None, initial={"recorded_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recs.recommendation_status_record(
                recommendation=recommendation,
                actor=request.user,
                recorded_on=data["recorded_on"],
                department_response=data["department_response"],
                implementation=data["implementation"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The status is recorded."))
            return redirect("staff_intake:recommendation_detail", recommendation.number)
    add_usa_classes(form)
    return render(
        request,
        "public_portal/staff/recommendations/detail.html",
        {
            "recommendation": recommendation,
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
        },
        status=400 if form.errors else 200,
    )


def _staff_proposed_detail(request: HttpRequest, recommendation) -> HttpResponse:
    form = AdoptionForm(request.POST or None, initial={"adopted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            recs.recommendation_adopt(
                recommendation=recommendation, actor=request.user, adopted_on=form.cleaned_data["adopted_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Recommendation %(number)s is adopted.") % {"number": recommendation.number})
            return redirect("staff_intake:recommendation_detail", recommendation.number)
    add_usa_classes(form)
    return render(
        request,
        "public_portal/staff/recommendations/detail.html",
        {
            "recommendation": recommendation,
            "adoption_form": form,
            "comment_period": comment_selectors.period_for(recommendation),
            "forms_with_errors": [form] if form.errors else [],
        },
        status=400 if form.errors else 200,
    )


def staff_home_panel(request: HttpRequest) -> str | None:
    """The staff home's link to these pages, for those who may record (``staff_home.panels``)."""
    if not recs.may_record_recommendations(request.user):
        return None
    return render_to_string("public_portal/staff/recommendations/panel.html", request=request)
