"""The board's decision page: the chair records adopt / modify / remand; everyone who can see the
case reads the decisions, final findings and the department's responses; supervisors record those
responses."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from complaints.models import Complaint
from investigations.frame import case_context
from investigations.selectors import case_get_for_user
from investigations.services.transitions import TransitionRefused
from oversight.forms import add_service_errors, add_usa_classes

from .. import selectors
from ..forms import DecisionForm, DepartmentResponseForm
from ..membership import is_acting_chair
from ..models import BoardDecision
from ..services import decisions as services


def _render(
    request: HttpRequest,
    complaint: Complaint,
    *,
    decision_form: DecisionForm | None = None,
    bound_response: tuple[int, DepartmentResponseForm] | None = None,
) -> HttpResponse:
    context = case_context(request, complaint, tab="decision")
    allegations = selectors.decision_allegations(complaint)
    chair = is_acting_chair(request.user, complaint)
    may_decide = chair and complaint.status == Complaint.Status.BOARD_REVIEW
    quorum = selectors.decision_quorum(complaint) if may_decide else None
    if may_decide:
        decision_form = decision_form or DecisionForm(allegations=allegations)
        add_usa_classes(decision_form)
    else:
        decision_form = None
    may_respond = request.user.has_perm("investigations.approve_findings")
    rows = []
    for allegation in allegations:
        finding = getattr(allegation, "finding", None)
        response = getattr(finding, "department_response", None) if finding else None
        response_form = None
        if response is not None and may_respond:
            if bound_response is not None and bound_response[0] == response.pk:
                response_form = bound_response[1]
            else:
                response_form = DepartmentResponseForm(
                    prefix=f"r{response.pk}",
                    initial={
                        "response": response.response,
                        "responded_on": response.responded_on,
                        "discipline_imposed": response.discipline_imposed,
                    },
                )
            add_usa_classes(response_form)
        rows.append(
            {"allegation": allegation, "finding": finding, "response": response, "response_form": response_form}
        )
    with_errors = [
        f for f in (decision_form, bound_response[1] if bound_response else None) if f is not None and f.errors
    ]
    return render(
        request,
        "board/decision.html",
        {
            **context,
            "rows": rows,
            "decisions": selectors.decisions_for_case(complaint),
            "may_decide": may_decide,
            "decision_form": decision_form,
            "decision_rows": decision_form.bound_rows() if decision_form else [],
            "quorum": quorum,
            "forms_with_errors": with_errors,
        },
        status=400 if with_errors else 200,
    )


@login_required
def decision(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    if request.method != "POST":
        return _render(request, complaint)
    allegations = selectors.decision_allegations(complaint)
    form = DecisionForm(request.POST, allegations=allegations)
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            services.decision_record(
                complaint=complaint,
                actor=request.user,
                kind=kind,
                instructions=form.cleaned_data["instructions"],
                finals=form.finals() if kind == BoardDecision.Kind.MODIFY else None,
                discipline=form.discipline(),
            )
        except TransitionRefused as error:
            if error.code == "forbidden":
                raise PermissionDenied from None
            messages.error(request, error.message)
            return redirect("board:decision", tracking_number)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The board's decision is recorded."))
            return redirect("board:decision", tracking_number)
    complaint.refresh_from_db()
    return _render(request, complaint, decision_form=form)


@login_required
def department_response(request: HttpRequest, tracking_number: str, response_id: int) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    response = selectors.department_response_get(complaint=complaint, response_id=response_id)
    if not request.user.has_perm("investigations.approve_findings"):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("board:decision", tracking_number)
    form = DepartmentResponseForm(request.POST, prefix=f"r{response.pk}")
    if form.is_valid():
        try:
            services.department_response_record(
                response=response,
                actor=request.user,
                kind=form.cleaned_data["response"],
                responded_on=form.cleaned_data["responded_on"],
                discipline_imposed=form.cleaned_data["discipline_imposed"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The department's response is recorded."))
            return redirect("board:decision", tracking_number)
    return _render(request, complaint, bound_response=(response.pk, form))
