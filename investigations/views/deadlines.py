"""The deadline section of a case: the clock, its tolling periods, and the discovery date."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from oversight.forms import add_usa_classes

from ..deadlines import CLOCK_STOPPED_STATUSES
from ..forms.deadlines import DiscoveryDateForm, TollingAddForm, TollingEndForm
from ..frame import case_context
from ..models import Investigation, TollingPeriod
from ..selectors import (
    case_get_for_user,
    investigation_get_for_case,
    investigation_tolling_periods,
    tolling_period_get_for_case,
)
from ..services import deadlines as deadline_services


def _may_set_discovery(user: Any) -> bool:
    return user.has_perm("investigations.approve_findings")


def _render_page(
    request: HttpRequest,
    complaint: Complaint,
    *,
    add_form: TollingAddForm | None = None,
    end_form: TollingEndForm | None = None,
    discovery_form: DiscoveryDateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = case_context(request, complaint, tab="deadline")
    investigation: Investigation | None = context["investigation"]
    periods: list[TollingPeriod] = []
    end_forms: list[TollingEndForm] = []
    clock_runs = complaint.status not in CLOCK_STOPPED_STATUSES
    may_change = context["may_work"] and clock_runs
    if investigation is not None:
        today = timezone.localdate()
        periods, context["deadline"] = investigation_tolling_periods(investigation=investigation, today=today)
        if may_change:
            add_form = add_form or TollingAddForm()
            for period in periods:
                if period.end is None or period.end > today:
                    form = end_form if end_form is not None and end_form.period.pk == period.pk else None
                    end_forms.append(form or TollingEndForm(period=period))
            if _may_set_discovery(request.user):
                discovery_form = discovery_form or DiscoveryDateForm(
                    initial={"discovery_date": investigation.discovery_date}
                )
    else:
        add_form = discovery_form = None
    for form in [add_form, discovery_form, *end_forms]:
        if form is not None:
            add_usa_classes(form)
    forms_with_errors = [f for f in [add_form, discovery_form, *end_forms] if f is not None and f.errors]
    return render(
        request,
        "investigations/deadline/detail.html",
        {
            **context,
            "periods": periods,
            "add_form": add_form if may_change else None,
            "end_forms": end_forms,
            "discovery_form": discovery_form if may_change else None,
            "clock_runs": clock_runs,
            "forms_with_errors": forms_with_errors,
        },
        status=status,
    )


def _case_for_change(request: HttpRequest, tracking_number: str) -> Complaint:
    # Outsiders get 404 whatever the method; a GET (a reload after an error) goes back to the page.
    return case_get_for_user(user=request.user, tracking_number=tracking_number, work=request.method == "POST")


@login_required
def deadline(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    return _render_page(request, complaint)


@login_required
def tolling_add(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _case_for_change(request, tracking_number)
    if request.method != "POST":
        return redirect("cases:deadline", tracking_number)
    investigation = investigation_get_for_case(complaint=complaint)
    form = TollingAddForm(request.POST)
    if form.is_valid():
        try:
            deadline_services.tolling_add(
                investigation=investigation,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Tolling period recorded. The due date has been recalculated."))
            return redirect("cases:deadline", tracking_number)
    return _render_page(request, complaint, add_form=form, status=400)


@login_required
def tolling_end(request: HttpRequest, tracking_number: str, period_id: int) -> HttpResponse:
    complaint = _case_for_change(request, tracking_number)
    if request.method != "POST":
        return redirect("cases:deadline", tracking_number)
    investigation = investigation_get_for_case(complaint=complaint)
    period = tolling_period_get_for_case(investigation=investigation, period_id=period_id)
    form = TollingEndForm(request.POST, period=period)
    if form.is_valid():
        try:
            deadline_services.tolling_end(period=period, actor=request.user, end=form.cleaned_data["end"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Tolling period ended. The due date has been recalculated."))
            return redirect("cases:deadline", tracking_number)
    return _render_page(request, complaint, end_form=form, status=400)


@login_required
def discovery_date_set(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _case_for_change(request, tracking_number)
    if request.method != "POST":
        return redirect("cases:deadline", tracking_number)
    if not _may_set_discovery(request.user):
        raise PermissionDenied
    investigation = investigation_get_for_case(complaint=complaint)
    form = DiscoveryDateForm(request.POST)
    if form.is_valid():
        try:
            deadline_services.investigation_discovery_date_set(
                investigation=investigation, actor=request.user, discovery_date=form.cleaned_data["discovery_date"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Discovery date changed. The due date has been recalculated."))
            return redirect("cases:deadline", tracking_number)
    return _render_page(request, complaint, discovery_form=form, status=400)


urlpatterns = [
    path("", deadline, name="deadline"),
    path("tolling/", tolling_add, name="deadline_tolling_add"),
    path("tolling/<int:period_id>/end/", tolling_end, name="deadline_tolling_end"),
    path("discovery/", discovery_date_set, name="deadline_discovery"),
]
