"""The interviews tab: the case's interviews and a form to record one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from complaints.selectors import complaint_parties_for_user
from oversight import personal_data
from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import posted

from ..forms.interviews import InterviewForm
from ..frame import case_context
from ..selectors import (
    can_work,
    case_get_for_user,
    case_subject_officers,
    evidence_choices_for_case,
    interview_list_for_case,
    interviewers_for_case,
)
from ..services import interviews as interview_services

PAGE_SIZE = 25


@login_required
def interview_list(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number, work=request.method == "POST")
    form = None
    status = 200
    if can_work(request.user, complaint):
        parties = list(complaint_parties_for_user(user=request.user, complaint=complaint))
        if parties:  # the form's list of people to pick from names them
            personal_data.shown(request, complaint, ["parties"])
        form = InterviewForm(
            posted(request),
            initial={"interviewer": request.user.pk},
            parties=parties,
            subjects=case_subject_officers(complaint=complaint),
            interviewers=interviewers_for_case(complaint=complaint),
            evidence=evidence_choices_for_case(complaint=complaint),
        )
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    interview_services.interview_record(
                        complaint=complaint,
                        actor=request.user,
                        person_name=data["person_name"],
                        role=data["role"],
                        conducted_at=data["conducted_at"],
                        location=data["location"],
                        interviewer=data["interviewer"],
                        recorded=data["recorded"],
                        summary=data["summary"],
                        party=data["party"],
                        subject_officer=data["subject_officer"],
                        recording_items=data["recordings"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error, {"conducted_at": "conducted_date"})
                else:
                    messages.success(request, _("Interview recorded."))
                    return redirect("cases:interviews", tracking_number)
            status = 400
        add_usa_classes(form)
    page = Paginator(interview_list_for_case(complaint=complaint), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "investigations/interviews/list.html",
        {
            **case_context(request, complaint, tab="interviews"),
            "page": page,
            "form": form,
            "forms_with_errors": [form] if form is not None and form.errors else [],
        },
        status=status,
    )


urlpatterns = [
    path("", interview_list, name="interviews"),
]
