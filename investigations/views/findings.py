"""The case's findings: a proposal per allegation, the public summary, and submitting them."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from complaints.models import Complaint
from oversight.forms import add_service_errors, add_usa_classes

from ..forms.findings import FindingForm, FindingsSubmitForm, PublicSummaryForm
from ..frame import case_context
from ..models import Investigation
from ..selectors import (
    allegation_get_for_case,
    case_get_for_user,
    findings_allegations_for_case,
    findings_last_sent_back,
    investigation_get_for_case,
)
from ..services import findings as services
from ..services.transitions import TransitionRefused


def _prefix(allegation_id: int) -> str:
    return f"a{allegation_id}"


def _render(
    request: HttpRequest,
    complaint: Complaint,
    *,
    bound_finding: tuple[int, FindingForm] | None = None,
    bound_summary: PublicSummaryForm | None = None,
) -> HttpResponse:
    context = case_context(request, complaint, tab="findings")
    investigation: Investigation | None = context["investigation"]
    editable = bool(
        context["may_work"] and investigation is not None and complaint.status == Complaint.Status.UNDER_INVESTIGATION
    )
    rows: list[dict[str, Any]] = []
    for allegation in findings_allegations_for_case(complaint=complaint):
        finding = getattr(allegation, "finding", None)
        form = None
        if editable:
            if bound_finding is not None and bound_finding[0] == allegation.pk:
                form = bound_finding[1]
            else:
                initial = (
                    {"disposition": finding.proposed_disposition, "rationale": finding.rationale} if finding else {}
                )
                form = FindingForm(prefix=_prefix(allegation.pk), initial=initial)
            add_usa_classes(form)
        rows.append({"allegation": allegation, "finding": finding, "form": form})
    summary_form = None
    if editable:
        summary_form = bound_summary or PublicSummaryForm(initial={"text": investigation.public_summary})
        add_usa_classes(summary_form)
    without = sum(1 for row in rows if row["finding"] is None)
    summary_missing = investigation is None or not investigation.public_summary.strip()
    bound = [f for f in (bound_finding[1] if bound_finding else None, bound_summary) if f is not None and f.errors]
    return render(
        request,
        "investigations/findings/findings.html",
        {
            **context,
            "rows": rows,
            "editable": editable,
            "summary_form": summary_form,
            "without_proposal": without,
            "summary_missing": summary_missing,
            "ready": editable and rows and not without and not summary_missing,
            "sent_back": findings_last_sent_back(complaint=complaint),
            "forms_with_errors": bound,
        },
        status=400 if bound else 200,
    )


@login_required
def findings(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    return _render(request, complaint)


@login_required
def finding_propose(request: HttpRequest, tracking_number: str, allegation_id: int) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number, work=True)
    if request.method != "POST":
        return redirect("cases:findings", tracking_number)
    allegation = allegation_get_for_case(complaint=complaint, allegation_id=allegation_id)
    form = FindingForm(request.POST, prefix=_prefix(allegation.pk))
    if form.is_valid():
        try:
            services.finding_propose(
                allegation=allegation,
                actor=request.user,
                disposition=form.cleaned_data["disposition"],
                rationale=form.cleaned_data["rationale"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Proposed finding saved."))
            return redirect("cases:findings", tracking_number)
    return _render(request, complaint, bound_finding=(allegation.pk, form))


@login_required
def public_summary(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number, work=True)
    if request.method != "POST":
        return redirect("cases:findings", tracking_number)
    investigation = investigation_get_for_case(complaint=complaint)
    form = PublicSummaryForm(request.POST)
    if form.is_valid():
        try:
            services.investigation_public_summary_set(
                investigation=investigation, actor=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Public summary saved."))
            return redirect("cases:findings", tracking_number)
    return _render(request, complaint, bound_summary=form)


@login_required
def submit(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number, work=True)
    if request.method != "POST":
        return redirect("cases:findings", tracking_number)
    form = FindingsSubmitForm(request.POST)
    expected = form.cleaned_data["expected_status"] if form.is_valid() else complaint.status
    try:
        services.findings_submit(complaint=complaint, actor=request.user, expected_status=expected)
    except TransitionRefused as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Findings submitted for approval."))
    return redirect("cases:findings", tracking_number)


urlpatterns = [
    path("", findings, name="findings"),
    path("allegations/<int:allegation_id>/", finding_propose, name="finding_propose"),
    path("summary/", public_summary, name="findings_summary"),
    path("submit/", submit, name="findings_submit"),
]
