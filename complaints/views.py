from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oversight import audit

from . import selectors
from .forms import IntakeQueueFilterForm
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
@permission_required("complaints.triage_complaint", raise_exception=True)
def intake_queue(request: HttpRequest) -> HttpResponse:
    form = IntakeQueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.intake_queue_for_user(
        user=request.user,
        received_from=filters.get("received_from"),
        received_to=filters.get("received_to"),
        channel=filters.get("channel", ""),
        district_id=filters["district"].pk if filters.get("district") else None,
        language=filters.get("language", ""),
        newest_first=filters.get("order") == "newest",
    )
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/intake_queue.html",
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "count_received": counts.get(Complaint.Status.RECEIVED, 0),
            "count_in_triage": counts.get(Complaint.Status.IN_TRIAGE, 0),
        },
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
