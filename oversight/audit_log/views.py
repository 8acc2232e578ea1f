"""The audit log page (``staff:audit_log``) and its CSV export (``staff:audit_log_export``).

Supervisors only (``permissions.may_review_audit_log``); anyone else gets the staff 404 page, as
for any page that is not theirs. Each page view records ``audit_log.viewed`` and each export
``audit_log.exported``, both with the filters used.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight import audit, permissions
from oversight.forms import add_usa_classes
from oversight.pagination import capped_count, keyset_page_for_request, querystring

from . import export
from .forms import AuditLogFilterForm
from .selectors import AUDIT_LOG_ORDER, audit_events_filtered, event_details

PAGE_SIZE = 50


def _supervisor_only(request: HttpRequest) -> None:
    if not permissions.may_review_audit_log(request.user):
        raise Http404


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _supervisor_only(request)
    form = AuditLogFilterForm(request.GET)
    filters = form.filters()
    events = audit_events_filtered(filters)
    page = keyset_page_for_request(
        request, events, ordering=AUDIT_LOG_ORDER, per_page=PAGE_SIZE, total=capped_count(events)
    )
    if page.invalid_cursor:
        messages.warning(request, _("That page link could not be read, so the first page is shown."))
    rows = [(event, audit.label_for(event.action), event_details(event)) for event in page.object_list]
    # Recorded after the page is read, so the list does not open with this very view.
    audit.record(
        "audit_log.viewed",
        data={
            "filters": filters.as_data(),
            "page": "later" if request.GET.get("after") or request.GET.get("before") else "first",
        },
    )
    add_usa_classes(form)
    query = querystring(filters.as_data())
    return render(
        request,
        "oversight/audit_log.html",
        {
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
            "page": page,
            "rows": rows,
            "querystring": query,
            "filtered": bool(query),
            "export_limit": export.EXPORT_MAX_ROWS,
        },
    )


@login_required
def audit_log_export(request: HttpRequest) -> StreamingHttpResponse:
    _supervisor_only(request)
    filters = AuditLogFilterForm(request.GET).filters()
    audit.record("audit_log.exported", data={"filters": filters.as_data(), "limit": export.EXPORT_MAX_ROWS})
    lines = export.csv_lines(export.events_in_chunks(audit_events_filtered(filters)))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
