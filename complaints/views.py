from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oversight import audit

from . import selectors
from .models import Complaint

PAGE_SIZE = 50


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Complaint.Status.values:
        status = ""
    queryset = selectors.complaint_list_for_user(user=request.user, status=status or None)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/complaint_list.html",
        {"page": page, "status": status, "statuses": Complaint.Status.choices},
    )


@login_required
def complaint_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = selectors.complaint_get_for_user(user=request.user, tracking_number=tracking_number)
    audit.record("complaint.viewed", target=complaint)
    subjects = complaint.subject_officers.select_related("officer").prefetch_related("allegations__category")
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "complaint": complaint,
            "parties": selectors.complaint_parties_for_user(user=request.user, complaint=complaint),
            "subjects": subjects,
            "attachments": complaint.attachments.all(),
        },
    )
