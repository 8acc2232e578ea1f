"""The pages of messages: the case's Messages tab and file downloads (staff), and the complainant's
side of the status page (the page opened in this browser session, sending an answer, closing)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from complaints import selectors as complaint_selectors
from complaints.selectors import PublicStatus
from investigations.frame import render_case
from oversight import audit, personal_data
from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import posted
from oversight.ratelimit import Rate, hit
from oversight.scanning import ScanState
from oversight.storage import download_response

from . import selectors, services
from .forms import MessageForm, ReplyAgainForm, ReplyForm
from .status import OPEN_MINUTES, status_forget, status_open, status_page, status_reopen


def _not_found_text() -> str:
    # The status lookup's own words: a wrong number and a wrong code get the same answer.
    return _("We could not find a complaint with that tracking number and code. Check both and try again.")


# --- Staff: the Messages tab ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_messages(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The thread with the complainant, oldest first (the last page by default, where the newest
    are), and the form to write to them while the complaint is open. Opening it marks the
    complainant's replies read."""
    complaint = selectors.case_for_messages(user=request.user, tracking_number=tracking_number)
    is_open = selectors.messaging_open(complaint)
    form = MessageForm(posted(request)) if is_open else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This complaint is closed, so no new messages can be sent on it."))
            return redirect("staff:case_messages:case", tracking_number)
        if form.is_valid():
            try:
                services.message_send(
                    complaint=complaint,
                    actor=request.user,
                    body=form.cleaned_data["body"],
                    idempotency_key=form.cleaned_data["form_token"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if complaint.is_anonymous:
                    sent = _(
                        "Message sent. The complainant is anonymous: they will read it when they next check "
                        "their status."
                    )
                else:
                    sent = _("Message sent. If the complainant left an email, they are told a message is waiting.")
                messages.success(request, sent)
                return redirect(reverse("staff:case_messages:case", args=[tracking_number]) + "#thread")
        status = 400
    if form is not None:
        add_usa_classes(form)
    paginator = Paginator(selectors.case_messages(complaint=complaint), selectors.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    new = [m.pk for m in page.object_list if m.from_complainant and m.read_at is None]
    if selectors.case_unread_replies(complaint=complaint):
        services.messages_read_by_staff(complaint=complaint, actor=request.user)
    return render_case(
        request,
        complaint,
        "messages",
        "case_messages/case_messages.html",
        status=status,
        form=form,
        page=page,
        new=new,
        is_open=is_open,
        language_label=dict(settings.LANGUAGES).get(complaint.language, complaint.language),
        forms_with_errors=[form] if form is not None and form.errors else [],
    )


@login_required
def message_file_download(request: HttpRequest, tracking_number: str, file_id: int) -> HttpResponse:
    """A file the complainant sent, as a download (never shown inline); each one is audited. A file
    in quarantine gets a page that says why it cannot be downloaded."""
    complaint = selectors.case_for_messages(user=request.user, tracking_number=tracking_number)
    file = selectors.message_file_get_for_case(complaint=complaint, file_id=file_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        handle = services.message_file_open(file=file, actor=request.user)
    except services.FileQuarantined:
        return render_case(
            request,
            complaint,
            "messages",
            "case_messages/file_quarantined.html",
            status=403 if file.scan_state == ScanState.INFECTED else 409,
            file=file,
        )
    personal_data.shown(request, complaint, ["evidence"])
    return download_response(handle, filename=file.original_name, content_type=file.content_type)


# --- The complainant: the status page -----------------------------------------------------------------


def _reply_limited(request: HttpRequest, scope: str, rate: str) -> HttpResponse | None:
    """The "try again later" page (429) once this client sent too many, as the public forms do."""
    allowed, retry_after = hit(scope, request, Rate.parse(rate))
    if allowed:
        return None
    audit.record("ratelimit.refused", outcome=audit.Outcome.DENIED, data={"scope": scope})
    response = render(request, "ratelimited.html", {"retry_minutes": max(1, round(retry_after / 60))}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _closed_page() -> HttpResponse:
    return redirect("public_portal:status_lookup")


@never_cache
@require_http_methods(["GET"])
def status_messages(request: HttpRequest) -> HttpResponse:
    """The status page this browser session opened (with its messages), for as long as it is open.
    Where a sent answer leads; after that, the lookup form again."""
    status = status_reopen(request)
    if status is None:
        messages.info(
            request, _("For your safety, your status page closed. Enter your tracking number and code again.")
        )
        return _closed_page()
    return status_page(request, status)


@never_cache
@require_http_methods(["GET", "POST"])
def status_reply(request: HttpRequest) -> HttpResponse:
    """Send an answer from the status page. Posted with the text and files only: the complaint is
    the one this session opened with its number and code. A page that closed meanwhile asks for the
    number and code again and keeps the text typed. A sent answer leads back to the status page,
    which says it was sent."""
    if request.method == "GET":
        return redirect("public_portal:status_messages")
    # Answers a client may send per period ("COUNT/SECONDS", as the other public limits).
    limited = _reply_limited(request, "message_reply", settings.RATE_LIMIT_MESSAGE_REPLY)
    if limited is not None:
        return limited
    status = status_reopen(request)
    if status is None:
        return _reply_again(request)
    form = ReplyForm(request.POST, request.FILES)
    return _send(request, status, form)


def _send(request: HttpRequest, status: PublicStatus, form: ReplyForm) -> HttpResponse:
    if form.is_valid():
        complaint = selectors.complaint_for_status_page(complaint_id=status.complaint_id)
        try:
            services.message_reply(
                complaint=complaint,
                body=form.cleaned_data["body"],
                files=form.uploaded(),
                idempotency_key=form.cleaned_data["form_token"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your answer was sent. The staff working on your complaint will read it soon."))
            return redirect(reverse("public_portal:status_messages") + "#messages")
    return status_page(request, status, reply_form=form, http_status=400)


def _reply_again(request: HttpRequest) -> HttpResponse:
    """The status page closed before the answer was sent. The first time, the visitor is asked for
    the number and code, with their text kept; sent with them, the code is checked as the lookup
    checks it (same limit, same answer for a wrong number or a wrong code) and the answer goes."""
    confirming = "tracking_number" in request.POST or "code" in request.POST
    if not confirming:
        form = ReplyAgainForm(initial={"body": request.POST.get("body", "")[:20000]})
        token = request.POST.get("form_token", "")
        if isinstance(token, str) and token:
            form.initial["form_token"] = token[:64]
        return _render_again(request, form, status=200)
    limited = _reply_limited(request, "status_lookup", settings.RATE_LIMIT_STATUS_LOOKUP)
    if limited is not None:
        return limited
    form = ReplyAgainForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_again(request, form, status=400)
    number, code = form.cleaned_data["tracking_number"], form.cleaned_data["code"]
    status = complaint_selectors.complaint_status_for_public(tracking_number=number, code=code)
    audit.record(
        "status.looked_up",
        outcome=audit.Outcome.SUCCESS if status else audit.Outcome.FAILED,
        target_label=number[:64],
    )
    if status is None:
        form.add_error(None, _not_found_text())
        return _render_again(request, form, status=400)
    status_open(request, tracking_number=status.tracking_number, code=code)
    # The page is open again: the answer goes, or its problems show on the status page.
    return _send(request, status, ReplyForm(request.POST, request.FILES))


def _render_again(request: HttpRequest, form: ReplyAgainForm, *, status: int) -> HttpResponse:
    add_usa_classes(form)
    return render(
        request,
        "case_messages/reply_again.html",
        {
            "form": form,
            "forms_with_errors": [form] if form.is_bound and form.errors else [],
            "minutes": OPEN_MINUTES,
        },
        status=status,
    )


@never_cache
@require_http_methods(["POST"])
def status_close(request: HttpRequest) -> HttpResponse:
    """Close the status page in this browser: the session forgets the number and code."""
    status_forget(request)
    messages.info(request, _("Your status page is closed. To open it again, enter your tracking number and code."))
    return _closed_page()
