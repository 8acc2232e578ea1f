from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from oversight import audit
from oversight.pagination import KnownCountPaginator, keyset_page_for_request, querystring

from . import selectors
from .forms import ComplaintListFilterForm, IntakeQueueFilterForm
from .models import Complaint

PAGE_SIZE = 50


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Keyset pages ("Previous" / "Next" from a cursor), so page 500 costs what page 1 costs."""
    form = ComplaintListFilterForm(request.GET)
    filters = form.filters()
    page = keyset_page_for_request(
        request,
        selectors.complaint_list_for_user(user=request.user, **filters),
        ordering=selectors.COMPLAINT_LIST_ORDER,
        per_page=PAGE_SIZE,
        total=selectors.complaint_list_total(user=request.user, **filters),
    )
    if page.invalid_cursor:
        messages.warning(request, _("That page link could not be read, so the first page is shown."))
    return render(
        request,
        "complaints/complaint_list.html",
        {
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
            "page": page,
            "querystring": querystring({"status": filters["status"], "district": filters["district_id"]}),
        },
    )


@login_required
@permission_required("complaints.triage_complaint", raise_exception=True)
def intake_queue(request: HttpRequest) -> HttpResponse:
    """Numbered pages; the total comes from the status breakdown, so there is no extra count."""
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
    counts = selectors.intake_queue_counts(queue=queryset)
    paginator = KnownCountPaginator(queryset, PAGE_SIZE, count=sum(counts.values()))
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/intake_queue.html",
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "count_received": counts[Complaint.Status.RECEIVED],
            "count_in_triage": counts[Complaint.Status.IN_TRIAGE],
        },
    )


@login_required
def complaint_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = selectors.complaint_get_for_user(user=request.user, tracking_number=tracking_number)
    audit.record("complaint.viewed", target=complaint)
    subjects = complaint.subject_officers.select_related("officer").prefetch_related("allegations__category__parent")
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
