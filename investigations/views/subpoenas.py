"""The case's subpoenas: the list with a draft form, and one subpoena's page with its moves. Board
review adds its panel (votes on authorizing it) through the ``subpoena.panels`` hook."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from complaints.models import Complaint
from oversight import hooks
from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import posted

from ..forms.subpoenas import SubpoenaDraftForm, SubpoenaMoveForm
from ..frame import case_context
from ..models import Subpoena
from ..selectors import (
    case_get_for_user,
    subpoena_events,
    subpoena_evidence_choices,
    subpoena_get_for_case,
    subpoena_list_for_case,
    subpoena_returns,
)
from ..services import subpoenas as services
from ..subpoena_workflow import SUBPOENA_LIFECYCLE, may_move, move_for, subpoena_available_moves

PAGE_SIZE = 25


def _may_draft(context: dict[str, Any], complaint: Complaint) -> bool:
    return context["may_work"] and complaint.status == Complaint.Status.UNDER_INVESTIGATION


@login_required
def subpoena_list(request: HttpRequest, tracking_number: str) -> HttpResponse:
    posting = request.method == "POST"
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number, work=posting)
    context = case_context(request, complaint, tab="subpoenas")
    form = SubpoenaDraftForm(posted(request)) if _may_draft(context, complaint) or posting else None
    status = 200
    if posting:
        if form.is_valid():
            try:
                subpoena = services.subpoena_draft(complaint=complaint, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Subpoena S-%(number)02d drafted.") % {"number": subpoena.number})
                return redirect("cases:subpoena_detail", tracking_number, subpoena.number)
        status = 400
    if form is not None:
        add_usa_classes(form)
    page = Paginator(subpoena_list_for_case(complaint=complaint), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "investigations/subpoenas/subpoena_list.html",
        {
            **context,
            "page": page,
            "form": form,
            "forms_with_errors": [form] if form is not None and form.errors else [],
        },
        status=status,
    )


def _render_detail(
    request: HttpRequest, complaint: Complaint, subpoena: Subpoena, bound: SubpoenaMoveForm | None = None
) -> HttpResponse:
    evidence = subpoena_evidence_choices(complaint=complaint)
    move_forms, blocked = [], []
    for move in subpoena_available_moves(subpoena, request.user):
        reasons = SUBPOENA_LIFECYCLE.blockers(subpoena, request.user, move)
        if reasons and not (bound is not None and bound.move == move):
            blocked.append((move, reasons))
            continue
        form = bound if bound is not None and bound.move == move else SubpoenaMoveForm(move=move, evidence=evidence)
        add_usa_classes(form)
        move_forms.append(form)
    failed = [bound] if bound is not None and bound.errors else []
    return render(
        request,
        "investigations/subpoenas/subpoena_detail.html",
        {
            **case_context(request, complaint, tab="subpoenas"),
            "subpoena": subpoena,
            "events": subpoena_events(subpoena=subpoena),
            "returns": subpoena_returns(subpoena=subpoena),
            "move_forms": move_forms,
            "blocked_moves": blocked,
            "panels": hooks.run("subpoena.panels", request, subpoena),
            "forms_with_errors": failed,
        },
        status=400 if failed else 200,
    )


@login_required
def subpoena_detail(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    return _render_detail(request, complaint, subpoena_get_for_case(complaint=complaint, number=number))


@login_required
def subpoena_move(request: HttpRequest, tracking_number: str, number: int, to_status: str) -> HttpResponse:
    # Authorizing is not case work (under "board_vote" the chair may do it); the service checks who may.
    work = to_status != Subpoena.Status.AUTHORIZED
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number, work=work)
    subpoena = subpoena_get_for_case(complaint=complaint, number=number)
    if request.method != "POST":
        return redirect("cases:subpoena_detail", tracking_number, number)
    move = move_for(subpoena.status, to_status)
    if move is None:
        if to_status not in Subpoena.Status.values:
            raise Http404
        messages.error(
            request,
            _("This subpoena is now “%(status)s”; that step is no longer possible.")
            % {"status": subpoena.get_status_display()},
        )
        return redirect("cases:subpoena_detail", tracking_number, number)
    if not may_move(request.user, subpoena, move):
        # Let the service refuse it, so the denial is audited like any other (raises PermissionDenied).
        services.subpoena_transition(subpoena=subpoena, to_status=to_status, actor=request.user)
        raise PermissionDenied
    form = SubpoenaMoveForm(request.POST, move=move, evidence=subpoena_evidence_choices(complaint=complaint))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.subpoena_transition(
                subpoena=subpoena,
                to_status=to_status,
                actor=request.user,
                note=data.get("note", ""),
                service_method=data.get("service_method") or None,
                served_at=data.get("served_at"),
                return_items=data.get("return_items") or (),
                expected_status=move.source,
            )
        except services.SubpoenaTransitionRefused as error:
            messages.error(request, " ".join(error.messages))
            return redirect("cases:subpoena_detail", tracking_number, number)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("S-%(number)02d is now “%(status)s”.") % {"number": number, "status": subpoena.get_status_display()},
            )
            return redirect("cases:subpoena_detail", tracking_number, number)
    return _render_detail(request, complaint, subpoena, bound=form)


urlpatterns = [
    path("", subpoena_list, name="subpoenas"),
    path("<int:number>/", subpoena_detail, name="subpoena_detail"),
    path("<int:number>/move/<str:to_status>/", subpoena_move, name="subpoena_move"),
]
