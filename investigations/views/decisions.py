"""The board's decision page: the chair records adopt / modify / remand; everyone who can see the
case reads the decisions, final findings and the department's responses; supervisors record those
responses."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Complaint
from oversight.forms import add_usa_classes

from ..board import is_current_chair, is_recused
from ..models import BoardDecision, DepartmentResponse, Disposition
from ..selectors import case_get_for_user
from ..services import decisions as services
from ..services.transitions import TransitionRefused
from .case import case_context


class DecisionForm(forms.Form):
    """The chair's decision, with a final disposition, rationale and discipline per allegation."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=BoardDecision.Kind.choices, widget=forms.RadioSelect
    )
    instructions = forms.CharField(
        label=gettext_lazy("Instructions for the investigator (remand)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args: Any, allegations: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        discipline = [("", gettext_lazy("— none —"))] + [
            (v, v.replace("_", " ").capitalize()) for v in settings.DISCIPLINE_SCALE
        ]
        self.rows = []
        for allegation in allegations:
            finding = getattr(allegation, "finding", None)
            if finding is None:
                continue
            key = allegation.pk
            self.fields[f"final_{key}"] = forms.ChoiceField(
                label=gettext_lazy("Final disposition"),
                choices=Disposition.choices,
                initial=finding.proposed_disposition,
                required=False,
            )
            self.fields[f"rationale_{key}"] = forms.CharField(
                label=gettext_lazy("Board rationale (required if it differs from the proposal)"),
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
            self.fields[f"discipline_{key}"] = forms.ChoiceField(
                label=gettext_lazy("Recommended discipline (required if sustained)"), choices=discipline, required=False
            )
            self.rows.append(allegation)

    def bound_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "allegation": a,
                "finding": a.finding,
                "final": self[f"final_{a.pk}"],
                "rationale": self[f"rationale_{a.pk}"],
                "discipline": self[f"discipline_{a.pk}"],
            }
            for a in self.rows
        ]

    def finals(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {a.pk: (data.get(f"final_{a.pk}", ""), data.get(f"rationale_{a.pk}", "")) for a in self.rows}

    def discipline(self) -> dict[int, str]:
        """Adopt keeps the proposals, so the discipline applies to the sustained proposals."""
        return {a.pk: self.cleaned_data.get(f"discipline_{a.pk}", "") for a in self.rows}


class DepartmentResponseForm(forms.Form):
    response = forms.ChoiceField(
        label=gettext_lazy("Department's response"),
        choices=[("", gettext_lazy("— choose —")), *DepartmentResponse.Response.choices],
    )
    responded_on = forms.DateField(
        label=gettext_lazy("Date of response"), widget=forms.DateInput(attrs={"type": "date"})
    )
    discipline_imposed = forms.CharField(label=gettext_lazy("Discipline imposed"), max_length=200, required=False)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _render(
    request: HttpRequest,
    complaint: Complaint,
    *,
    decision_form: DecisionForm | None = None,
    bound_response: tuple[int, DepartmentResponseForm] | None = None,
) -> HttpResponse:
    context = case_context(request, complaint, tab="decision")
    allegations = services.decision_allegations(complaint)
    chair = is_current_chair(request.user) and not is_recused(request.user, complaint)
    may_decide = chair and complaint.status == Complaint.Status.BOARD_REVIEW
    quorum = services.decision_quorum(complaint) if may_decide else None
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
        "investigations/decision/decision.html",
        {
            **context,
            "rows": rows,
            "decisions": services.decisions_for_case(complaint),
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
    allegations = services.decision_allegations(complaint)
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
            return redirect("cases:decision", tracking_number)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The board's decision is recorded."))
            return redirect("cases:decision", tracking_number)
    complaint.refresh_from_db()
    return _render(request, complaint, decision_form=form)


@login_required
def department_response(request: HttpRequest, tracking_number: str, response_id: int) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    response = (
        DepartmentResponse.objects.filter(pk=response_id, finding__allegation__complaint=complaint)
        .select_related("finding__allegation")
        .first()
    )
    if response is None:
        raise Http404
    if not request.user.has_perm("investigations.approve_findings"):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("cases:decision", tracking_number)
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
            _add_errors(form, error)
        else:
            messages.success(request, _("The department's response is recorded."))
            return redirect("cases:decision", tracking_number)
    return _render(request, complaint, bound_response=(response.pk, form))


urlpatterns = [
    path("", decision, name="decision"),
    path("responses/<int:response_id>/", department_response, name="department_response"),
]
