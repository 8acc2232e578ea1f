"""The evidence tab: items with their hashes, receiving new items, downloads (each one recorded in
the chain of custody) and recording copies, transfers, returns and destruction."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from oversight import personal_data
from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import posted, posted_files
from oversight.scanning import ScanState
from oversight.storage import download_response

from ..forms.evidence import CustodyForm, EvidenceForm
from ..frame import case_context
from ..selectors import can_work, case_get_for_user, custody_chain, evidence_get_for_case, evidence_list_for_case
from ..services import evidence as evidence_services

PAGE_SIZE = 50


@login_required
def evidence_list(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number, work=request.method == "POST")
    form = None
    status = 200
    if can_work(request.user, complaint):
        form = EvidenceForm(posted(request), posted_files(request))
        if request.method == "POST":
            if form.is_valid():
                upload = form.cleaned_data.get("file")
                try:
                    item = evidence_services.evidence_add(
                        complaint=complaint,
                        actor=request.user,
                        kind=form.cleaned_data["kind"],
                        source=form.cleaned_data["source"],
                        description=form.cleaned_data["description"],
                        stream=upload,
                        original_name=upload.name if upload else "",
                        received_at=form.cleaned_data.get("received_at"),
                    )
                except ValidationError as error:
                    add_service_errors(form, error, {"received_at": "received_date"})
                else:
                    messages.success(request, _("%(item)s received.") % {"item": item.label})
                    return redirect("cases:evidence_detail", tracking_number, item.number)
            status = 400
        add_usa_classes(form)
    page = Paginator(evidence_list_for_case(complaint=complaint), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "investigations/evidence/list.html",
        {
            **case_context(request, complaint, tab="evidence"),
            "page": page,
            "form": form,
            "forms_with_errors": [form] if form is not None and form.errors else [],
        },
        status=status,
    )


def _render_detail(request, complaint, item, custody_form=None, status=200) -> HttpResponse:
    may_work = can_work(request.user, complaint)
    if custody_form is None and may_work and not item.destroyed:
        custody_form = CustodyForm()
    if custody_form is not None:
        add_usa_classes(custody_form)
    return render(
        request,
        "investigations/evidence/detail.html",
        {
            **case_context(request, complaint, tab="evidence"),
            "item": item,
            "events": custody_chain(item=item),
            "custody_form": custody_form,
            "forms_with_errors": [custody_form] if custody_form is not None and custody_form.errors else [],
        },
        status=status,
    )


@login_required
def evidence_detail(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    return _render_detail(request, complaint, evidence_get_for_case(complaint=complaint, number=number))


@login_required
def evidence_custody(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    # The case is looked up first, so a person not on it gets 404 whatever the method.
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number, work=request.method == "POST")
    if request.method != "POST":
        return redirect("cases:evidence_detail", tracking_number, number)
    item = evidence_get_for_case(complaint=complaint, number=number)
    form = CustodyForm(request.POST)
    if form.is_valid():
        try:
            event = evidence_services.custody_record(
                item=item,
                actor=request.user,
                action=form.cleaned_data["action"],
                counterparty=form.cleaned_data["counterparty"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Recorded: %(item)s %(action)s.")
                % {"item": item.label, "action": event.get_action_display().lower()},
            )
            return redirect("cases:evidence_detail", tracking_number, number)
    return _render_detail(request, complaint, item, custody_form=form, status=400)


@login_required
def evidence_download(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    """Stream the file as a download (never shown inline). Every call appends an "accessed" custody
    event. A file in quarantine gets a page that says why it cannot be downloaded."""
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    item = evidence_get_for_case(complaint=complaint, number=number)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        handle = evidence_services.evidence_download(item=item, actor=request.user)
    except evidence_services.EvidenceUnavailable:
        return render(
            request,
            "investigations/evidence/unavailable.html",
            {**case_context(request, complaint, tab="evidence"), "item": item},
            status=410 if item.destroyed else 404,
        )
    except evidence_services.EvidenceQuarantined:
        return render(
            request,
            "investigations/evidence/quarantined.html",
            {**case_context(request, complaint, tab="evidence"), "item": item},
            status=403 if item.scan_state == ScanState.INFECTED else 409,
        )
    personal_data.shown(request, complaint, ["evidence"])
    return download_response(handle, filename=item.original_name or item.label, content_type=item.content_type)


urlpatterns = [
    path("", evidence_list, name="evidence"),
    path("<int:number>/", evidence_detail, name="evidence_detail"),
    path("<int:number>/download/", evidence_download, name="evidence_download"),
    path("<int:number>/custody/", evidence_custody, name="evidence_custody"),
]
