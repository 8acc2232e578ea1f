"""The retention pages: the list of cases due (supervisors), and per case the Retention tab (its
schedule, holds and tombstone), placing and releasing holds, and the destruction confirmation."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from complaints.models import Complaint
from investigations.frame import case_context
from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import posted
from oversight.pagination import keyset_page_for_request

from . import selectors, services
from .destruction import MARKER
from .forms import DestroyForm, HoldForm, ReleaseForm
from .models import LegalHold, RetentionRecord, Schedule
from .schedule import years_for
from .selectors import DESTROY_PERM, HOLD_PERM, REVIEW_PERM
from .workflow import DESTROY, RETENTION_LIFECYCLE

PAGE_SIZE = 50


@login_required
def due_list(request: HttpRequest) -> HttpResponse:
    """The cases whose retention period has run out, oldest complaint first, held ones marked."""
    if not request.user.has_perm(REVIEW_PERM):
        raise PermissionDenied
    page = keyset_page_for_request(
        request,
        selectors.due_with_holds(),
        ordering=selectors.DUE_ORDER,
        per_page=PAGE_SIZE,
        total=selectors.due_total(),
    )
    if page.invalid_cursor:
        messages.warning(request, _("That page link could not be read, so the first page is shown."))
    return render(
        request,
        "retention/due_list.html",
        {
            "rows": selectors.due_rows(page.object_list),
            "page": page,
            "querystring": "",
            "review": selectors.last_review(),
            "years_not_sustained": years_for(Schedule.NOT_SUSTAINED),
            "years_sustained": years_for(Schedule.SUSTAINED),
        },
    )


def _render_case(
    request: HttpRequest, complaint: Complaint, *, hold_form: HoldForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    standing = selectors.case_standing(complaint)
    may_hold = user.has_perm(HOLD_PERM) and not standing.is_destroyed
    may_destroy = user.has_perm(DESTROY_PERM) and not standing.is_destroyed
    if may_hold:
        hold_form = hold_form or HoldForm()
        add_usa_classes(hold_form)
    blockers = _blockers(complaint, user, standing) if may_destroy else []
    return render(
        request,
        "retention/case.html",
        {
            **case_context(request, complaint, tab="retention"),
            "standing": standing,
            "holds": selectors.case_holds(complaint),
            "hold_form": hold_form if may_hold else None,
            "may_hold": may_hold,
            "may_destroy": may_destroy,
            "blockers": blockers,
            "forms_with_errors": [hold_form] if hold_form is not None and hold_form.errors else [],
        },
        status=status,
    )


def _blockers(complaint: Complaint, user: Any, standing: selectors.Standing) -> list[str]:
    record = standing.record or RetentionRecord(complaint=complaint)
    return RETENTION_LIFECYCLE.blockers(record, user, DESTROY, params={"standing": standing})


@login_required
def case(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = selectors.retention_case_get_for_user(user=request.user, tracking_number=tracking_number)
    return _render_case(request, complaint)


@login_required
def hold_place(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = selectors.retention_case_get_for_user(
        user=request.user, tracking_number=tracking_number, perm=HOLD_PERM
    )
    if request.method != "POST":  # checked after the case: a hidden case answers 404 either way
        return HttpResponseNotAllowed(["POST"])
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            services.legal_hold_place(
                complaint=complaint,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Legal hold placed: this case's records cannot be destroyed while it is in force.")
            )
            return redirect("staff:retention:case", tracking_number)
    return _render_case(request, complaint, hold_form=form, status=400)


@login_required
def hold_release(request: HttpRequest, tracking_number: str, hold_id: int) -> HttpResponse:
    complaint = selectors.retention_case_get_for_user(
        user=request.user, tracking_number=tracking_number, perm=HOLD_PERM
    )
    hold = selectors.hold_get_for_case(complaint=complaint, hold_id=hold_id)
    if hold.status != LegalHold.Status.ACTIVE:
        messages.info(request, _("That hold was already released."))
        return redirect("staff:retention:case", tracking_number)
    form = ReleaseForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.legal_hold_release(hold=hold, actor=request.user, reason=form.cleaned_data["reason"])
            except services.RetentionRefused as refused:
                if refused.code == "forbidden":
                    raise PermissionDenied(refused.message) from None
                if refused.code in {"conflict", "not_allowed"}:
                    messages.error(request, refused.message)
                    return redirect("staff:retention:case", tracking_number)
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Hold released."))
                return redirect("staff:retention:case", tracking_number)
        status = 400
    add_usa_classes(form)
    return render(
        request,
        "retention/hold_release.html",
        {
            **case_context(request, complaint, tab="retention"),
            "hold": hold,
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
        },
        status=status,
    )


@login_required
def destroy(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Confirm, then destroy. The page says what goes and what stays; when the case may not be
    destroyed (not closed, not due, held, already destroyed) it says why and offers no button."""
    complaint = selectors.retention_case_get_for_user(
        user=request.user, tracking_number=tracking_number, perm=DESTROY_PERM
    )
    form = DestroyForm(posted(request), expected_number=complaint.tracking_number)
    refusal = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.case_destroy(complaint=complaint, actor=request.user, reason=form.cleaned_data["reason"])
            except services.RetentionRefused as refused:
                if refused.code == "forbidden":
                    raise PermissionDenied(refused.message) from None
                refusal = refused.message
            else:
                messages.success(
                    request,
                    _("The records of %(number)s were destroyed. Its tombstone remains.")
                    % {"number": complaint.tracking_number},
                )
                return redirect("staff:retention:case", tracking_number)
        status = 400
    standing = selectors.case_standing(complaint)
    blockers = [] if standing.is_destroyed else _blockers(complaint, request.user, standing)
    add_usa_classes(form)
    return render(
        request,
        "retention/destroy.html",
        {
            **case_context(request, complaint, tab="retention"),
            "standing": standing,
            "blockers": blockers,
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
            "extra_errors": [refusal] if refusal else [],
            "marker": MARKER,
        },
        status=status,
    )
