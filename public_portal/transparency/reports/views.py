"""The public reports pages: the public list and download, and the publication officers' pages
where reports are generated, given their narrative, approved, published, retracted or discarded."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import posted
from oversight.storage import download_response

from . import selectors, services
from .forms import GenerateForm, MoveForm, NarrativeForm
from .models import PublicReport
from .workflow import REPORT_LIFECYCLE, available_moves, two_person_rule

S = PublicReport.Status
STAFF_PAGE_SIZE = 50


# --- Public ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def report_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public_portal/reports/list.html",
        {"years": selectors.reports_public_by_year(), "last_updated": selectors.reports_last_updated()},
    )


@require_http_methods(["GET", "HEAD"])
def report_download(request: HttpRequest, slug: str) -> HttpResponse:
    report = selectors.report_get_public(slug=slug)
    try:
        handle = report.file.storage.open(report.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = download_response(handle, filename=report.filename, content_type="application/pdf")
    response["Content-Language"] = report.language
    return response


# --- Staff -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_report_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.reports_for_staff(request.user), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "public_reports/list.html",
        {
            "page": page,
            "reports": page.object_list,
            "querystring": "",
            "may_generate": selectors.may_generate(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_report_generate(request: HttpRequest) -> HttpResponse:
    if not selectors.may_generate(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = GenerateForm(posted(request), initial={"year": today.year - 1, "kind": PublicReport.Kind.ANNUAL})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_request(
                actor=request.user,
                kind=data["kind"],
                year=data["year"],
                quarter=data["quarter"],
                language=data["language"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if report.status == S.GENERATING:
                messages.success(request, _("The report is being generated. Reload this page in a moment."))
            else:
                messages.success(request, _("The report is generated: write the board's narrative next."))
            return redirect("public_reports:detail", report.pk)
    add_usa_classes(form)
    return render(
        request,
        "public_reports/generate.html",
        {"form": form, "forms_with_errors": [form] if form.errors else []},
        status=400 if form.errors else 200,
    )


def _render_detail(
    request: HttpRequest,
    report: PublicReport,
    *,
    narrative_form: NarrativeForm | None = None,
    status: int = 200,
    extra_errors: list[str] | None = None,
) -> HttpResponse:
    user = request.user
    may_write = report.status == S.DRAFT and selectors.may_generate(user)
    if may_write and narrative_form is None:
        narrative_form = NarrativeForm(
            initial={"narrative": report.narrative, "narrative_language": report.narrative_language}
        )
    if narrative_form is not None:
        add_usa_classes(narrative_form)
        narrative_form.fields["narrative"].widget.attrs["lang"] = report.narrative_language
    moves = available_moves(report, user)
    steps = [
        {"move": move, "blockers": REPORT_LIFECYCLE.blockers(report, user, move), "form": _reason_form(move)}
        for move in moves
    ]
    return render(
        request,
        "public_reports/detail.html",
        {
            "report": report,
            "events": selectors.report_events(report),
            "steps": steps,
            "narrative_form": narrative_form if may_write else None,
            "forms_with_errors": [narrative_form] if narrative_form is not None and narrative_form.errors else [],
            "extra_errors": extra_errors or [],
            "two_person_rule": two_person_rule(),
        },
        status=status,
    )


def _reason_form(move: Any) -> MoveForm:
    form = MoveForm(initial={"to": move.target, "expected": move.source})
    form.fields["reason"].required = move.reason_required
    form.auto_id = f"id_{move.action}_%s"
    add_usa_classes(form)
    return form


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_staff(user=request.user, pk=pk)
    return _render_detail(request, report)


@login_required
@require_POST
def staff_report_narrative(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_staff(user=request.user, pk=pk)
    if not selectors.may_generate(request.user):
        raise PermissionDenied
    form = NarrativeForm(posted(request))
    if form.is_valid():
        try:
            services.report_narrative_change(
                report=report,
                actor=request.user,
                narrative=form.cleaned_data["narrative"],
                narrative_language=form.cleaned_data["narrative_language"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.ReportRefused as refused:
            if refused.code == "forbidden":
                raise PermissionDenied(refused.message) from None
            messages.error(request, refused.message)
            return redirect("public_reports:detail", report.pk)
        else:
            messages.success(request, _("The narrative is saved and the report is being rebuilt with it."))
            return redirect("public_reports:detail", report.pk)
    report.refresh_from_db()
    if report.status != S.DRAFT:
        messages.error(request, _("Only a draft's narrative can be changed."))
        return redirect("public_reports:detail", report.pk)
    return _render_detail(request, report, narrative_form=form, status=400)


@login_required
@require_POST
def staff_report_move(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_staff(user=request.user, pk=pk)
    form = MoveForm(posted(request))
    if not form.is_valid():
        messages.error(request, _("That step could not be read. Use the buttons on this page."))
        return redirect("public_reports:detail", report.pk)
    data = form.cleaned_data
    try:
        services.report_move(
            report=report,
            target=data["to"],
            actor=request.user,
            reason=data["reason"],
            expected=data["expected"] or None,
        )
    except services.ReportRefused as refused:
        if refused.code == "forbidden":
            raise PermissionDenied(refused.message) from None
        if refused.code == "reason_required":
            return _render_detail(request, report, status=400, extra_errors=[refused.message])
        messages.error(request, refused.message)
        return redirect("public_reports:detail", report.pk)
    messages.success(request, _("Done: the report is now “%(status)s”.") % {"status": report.get_status_display()})
    return redirect("public_reports:detail", report.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_staff(user=request.user, pk=pk)
    if not report.has_file:
        raise Http404
    try:
        handle = report.file.storage.open(report.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    services.report_preview_downloaded(report=report, actor=request.user)
    prefix = "" if report.status == S.PUBLISHED else f"{report.status}-"
    return download_response(handle, filename=f"{prefix}{report.filename}", content_type="application/pdf")


def staff_home_panel(request: HttpRequest) -> str | None:
    """The staff home's link to the report pages, for the publication officers (``staff_home.panels``)."""
    if not selectors.may_see_reports(request.user):
        return None
    return render_to_string("public_reports/panel.html", {"waiting": selectors.reports_in_progress()}, request=request)
