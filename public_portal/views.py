from datetime import date, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from complaints import selectors as complaint_selectors
from oversight import audit
from oversight.forms import add_usa_classes
from oversight.input_guard import parse_indexed
from oversight.ratelimit import rate_limited
from oversight.views import bad_request

from . import intake, selectors
from .forms import MAX_ROWS, ROWS_UNREADABLE, EmploymentForm, EvidenceForm, StatusLookupForm
from .models import IntakeDraft

RECEIPTS_SESSION_KEY = "intake_receipts"
START_ACTIONS = ("start", "restart", "continue")
EVIDENCE_ACTIONS = ("upload", "next", "back")


def _input_unreadable() -> str:
    return _(
        "Some of what was sent could not be read, so nothing on this page was saved. Check the page and try again."
    )


def _button_unreadable() -> str:
    return _("That button could not be read, so nothing on this page was saved. Check the page and try again.")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public_portal/home.html")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without a request context: nothing the visitor sent can reach this page.
    return render(None, "500.html", status=500)


# --- Intake --------------------------------------------------------------------------------------


# The URL names of each mode's pages: ``<prefix>_start``, ``<prefix>_step`` and so on.
_URL_PREFIX = {
    IntakeDraft.Mode.PUBLIC: "public_portal:intake",
    IntakeDraft.Mode.STAFF: "staff_intake:intake",
    IntakeDraft.Mode.EMPLOYEE: "public_portal:employee_intake",
}


def _url(mode: str, name: str, *args) -> str:
    return reverse(f"{_URL_PREFIX[mode]}_{name}", args=args)


def _context(request: HttpRequest, mode: str, **extra) -> dict:
    staff = mode == IntakeDraft.Mode.STAFF
    return {
        "base_template": "base_staff.html" if staff else "base_public.html",
        "staff_mode": staff,
        "employee_mode": mode == IntakeDraft.Mode.EMPLOYEE,
        "mode": mode,
        "steps": intake.steps_for(mode),
        "step_url_name": f"{_URL_PREFIX[mode]}_step",
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def intake_start(request: HttpRequest, mode: str = IntakeDraft.Mode.PUBLIC) -> HttpResponse:
    draft = selectors.draft_for_request(request, mode)
    if request.method == "POST":
        action = request.POST.get("action", "start")
        if action not in START_ACTIONS:
            return bad_request(request)  # the plain 400 page: the start page has nothing to correct
        if action == "continue" and draft is not None and not draft.submitted:
            return redirect(_url(mode, "step", intake.STEP_SLUGS[0]))
        draft = intake.draft_start(request, mode=mode, language=get_language() or settings.LANGUAGE_CODE)
        return redirect(_url(mode, "step", intake.STEP_SLUGS[0]))
    unfinished = draft if draft is not None and not draft.submitted else None
    template = "start_employee.html" if mode == IntakeDraft.Mode.EMPLOYEE else "start.html"
    return render(request, f"public_portal/intake/{template}", _context(request, mode, unfinished=unfinished))


def _steps_done(draft: IntakeDraft) -> set[str]:
    return set(draft.data)


@never_cache
@require_http_methods(["GET", "POST"])
def intake_step(request: HttpRequest, step: str, mode: str = IntakeDraft.Mode.PUBLIC) -> HttpResponse:
    if step not in intake.step_slugs(mode):
        raise Http404
    draft = selectors.draft_for_request(request, mode)
    if draft is None:
        messages.info(request, _("Your form had expired or was not started. Please start again."))
        return redirect(_url(mode, "start"))
    if draft.submitted:
        return redirect(_url(mode, "done"))
    if step == "review":
        return _review(request, draft, mode)
    previous, following = intake.neighbours(step, mode)
    status = 200
    upload_errors: list[str] = []
    form = None
    if request.method == "POST":
        action = request.POST.get("action", "next")
        if step == "incident" and request.POST.get("website"):
            intake.record_spam(step)
            return bad_request(request)  # the plain 400 page, in the public layout
        if step == "evidence":
            if action.startswith("remove-file-"):
                file_id = parse_indexed(action, "remove-file-")
                if file_id is None:
                    upload_errors, status = [_button_unreadable()], 400
                else:
                    intake.draft_remove_file(draft, file_id)
                    return redirect(_url(mode, "step", step))
            elif action not in EVIDENCE_ACTIONS:
                upload_errors, status = [_button_unreadable()], 400
            else:
                upload_errors = intake.draft_stage_files(
                    draft, intake.form_for(draft, step, request.POST, request.FILES).uploaded()
                )
                if upload_errors:
                    status = 400
                elif action == "back":
                    return redirect(_url(mode, "step", previous))
                elif action == "next":
                    return redirect(_url(mode, "step", following))
                else:
                    return redirect(_url(mode, "step", step))
        else:
            response, form, upload_errors = _post_step(request, draft, mode, step, action)
            if response is not None:
                return response
            status = 400
    if form is None:
        form = EvidenceForm() if step == "evidence" else intake.form_for(draft, step)
    staged_files = list(selectors.draft_staged_files(draft=draft)) if step == "evidence" else None
    blank_form_key = None if upload_errors else intake.blank_form_key(draft, step, form, staged_files=staged_files)
    _prepare(form)
    return render(
        request,
        f"public_portal/intake/step_{step}.html",
        _context(
            request,
            mode,
            draft=draft,
            step=step,
            step_number=intake.step_index(step, mode) + 1,
            step_title=intake.steps_for(mode)[intake.step_index(step, mode)].title,
            form=form,
            previous=previous,
            upload_errors=upload_errors,
            staged_files=staged_files,
            consent=form.consent if step == "consent" else None,
            max_files=settings.INTAKE_MAX_FILES,
            step_indicator_key=intake.step_indicator_key(step, mode),
            blank_form_key=blank_form_key,
            done=_steps_done(draft),
            **_errors(form, upload_errors),
        ),
        status=status,
    )


def _post_step(request: HttpRequest, draft: IntakeDraft, mode: str, step: str, action: str):
    """A step's answers sent with one of its buttons: (a redirect, None, []) when they were kept, or
    (None, the form to show again, messages for the top of the page) when they were refused.

    Nothing is kept from a request that cannot be read whole (an unknown button, a row count that
    is not a number, a value that cannot be stored): the draft keeps the step as it was.
    """
    previous, following = intake.neighbours(step, mode)
    prefix = intake.FORMSET_PREFIX.get(step)
    raw = intake.raw_from_post(request.POST, intake.step_field_names(draft, step))
    remove = parse_indexed(action, "remove-", maximum=MAX_ROWS - 1) if prefix else None
    if action not in ("next", "back", *(("add",) if prefix else ())) and remove is None:
        return None, intake.form_for(draft, step), [_button_unreadable()]
    if prefix and intake.formset_rows(raw, prefix) is None:
        return None, intake.form_for(draft, step), [ROWS_UNREADABLE]
    if not intake.step_input_storable(step, raw):
        # The step's form, bound to what was sent, says which answer it could not take.
        form = intake.form_for(draft, step, intake.querydict(raw))
        return None, form, [] if not form.is_valid() else [_input_unreadable()]
    if action == "add":
        intake.draft_save_step(draft, step, intake.formset_add_row(raw, prefix))
        return redirect(_url(mode, "step", step) + f"#{prefix}-{intake.formset_rows(raw, prefix)}"), None, []
    if remove is not None:
        intake.draft_save_step(draft, step, intake.formset_remove_row(raw, prefix, remove))
        return redirect(_url(mode, "step", step)), None, []
    intake.draft_save_step(draft, step, raw)
    if action == "back" and previous:
        return redirect(_url(mode, "step", previous)), None, []
    form = intake.form_for(draft, step)
    if form.is_valid():
        return redirect(_url(mode, "step", following)), None, []
    return None, form, []


def _errors(form, upload_errors: list[str]) -> dict:
    if not form.is_bound:
        return {"forms_with_errors": [], "extra_errors": upload_errors}
    if hasattr(form, "forms"):
        return {
            "forms_with_errors": [f for f in form.forms if f.errors],
            "extra_errors": [*form.non_form_errors(), *upload_errors],
        }
    return {"forms_with_errors": [form] if form.errors else [], "extra_errors": upload_errors}


def _prepare(form) -> None:
    """USWDS classes and error links on the form (or on each form of a formset) about to be shown.
    A formset's empty form is not shown (rows are added by a round trip, without JavaScript)."""
    forms_ = getattr(form, "forms", None)
    for f in [*(forms_ or []), form] if forms_ is not None else [form]:
        if hasattr(f, "fields"):
            add_usa_classes(f)


def _review(request: HttpRequest, draft: IntakeDraft, mode: str) -> HttpResponse:
    validated = intake.draft_validate(draft)
    status = 200
    if request.method == "POST":
        if request.POST.get("action", "submit") != "submit":
            return _render_review(request, draft, mode, validated, 400, _button_unreadable())
        return _submit(request, draft, mode, validated)
    return _render_review(request, draft, mode, validated, status)


def _render_review(request, draft, mode, validated, status, error: str = "") -> HttpResponse:
    from .forms import KIND_LABELS, ReviewForm

    data = validated.form_data
    incident = data.get("incident") or {}
    lookups = selectors.review_lookups(incident=incident, with_categories=False)
    review_form = ReviewForm(initial={"form_token": draft.token})
    steps = intake.steps_for(mode)
    work = data.get("employment") or {}
    return render(
        request,
        "public_portal/intake/review.html",
        _context(
            request,
            mode,
            draft=draft,
            step="review",
            step_number=len(steps),
            step_title=steps[-1].title,
            step_indicator_key=intake.step_indicator_key("review", mode),
            relationship_label=dict(EmploymentForm.RELATIONSHIP_CHOICES).get(work.get("relationship"), ""),
            data=data,
            district=lookups.district,
            channel_label=lookups.channel_label,
            incident_date=date.fromisoformat(incident["date"]) if incident.get("date") else None,
            incident_time=time.fromisoformat(incident["time"]) if incident.get("time") else None,
            kinds=[KIND_LABELS[k] for k in data.get("kinds", []) if k in KIND_LABELS],
            invalid_steps=validated.invalid_steps,
            step_titles={s.slug: s.title for s in steps},
            staged_files=selectors.draft_staged_files(draft=draft),
            form=review_form,
            error=error,
            done=_steps_done(draft),
        ),
        status=status,
    )


@rate_limited("intake_submit", "RATE_LIMIT_INTAKE_SUBMIT")
def _submit(request: HttpRequest, draft: IntakeDraft, mode: str, validated) -> HttpResponse:
    from .forms import ReviewForm

    form = ReviewForm(request.POST)
    if form.is_spam():
        intake.record_spam("review")
        return bad_request(request)  # the plain 400 page, in the public layout
    if not form.is_valid() or form.cleaned_data["form_token"] != draft.token:
        return _render_review(
            request, draft, mode, validated, 400, _("This form is out of date. Check your answers and send it again.")
        )
    if validated.invalid_steps:
        return _render_review(request, draft, mode, validated, 400)
    try:
        complaint = intake.draft_submit(
            draft, actor=request.user if request.user.is_authenticated else None, validated=validated
        )
    except ValidationError as error:
        return _render_review(request, draft, mode, validated, 400, " ".join(error.messages))
    receipts = request.session.get(RECEIPTS_SESSION_KEY, {})
    receipts[complaint.tracking_number] = draft.status_code
    request.session[RECEIPTS_SESSION_KEY] = receipts
    request.session[f"intake_last:{mode}"] = complaint.tracking_number
    return redirect(_url(mode, "done"))


@never_cache
def intake_done(request: HttpRequest, mode: str = IntakeDraft.Mode.PUBLIC) -> HttpResponse:
    tracking_number = request.session.get(f"intake_last:{mode}")
    code = request.session.get(RECEIPTS_SESSION_KEY, {}).get(tracking_number or "")
    if not tracking_number or code is None:
        return redirect(_url(mode, "start"))
    complaint = complaint_selectors.complaint_get_filed(tracking_number=tracking_number)
    return render(
        request,
        "public_portal/intake/done.html",
        _context(
            request,
            mode,
            complaint=complaint,
            status_code=code,
            receipt_url=_url(mode, "receipt_html", complaint.tracking_number),
            receipt_pdf_url=_url(mode, "receipt", complaint.tracking_number),
        ),
    )


def _filed_code(request: HttpRequest, tracking_number: str) -> str:
    """The status code of a complaint this browser session filed; 404 for any other complaint, so
    a receipt (which holds what the resident told us) reaches only the person who filed it."""
    code = request.session.get(RECEIPTS_SESSION_KEY, {}).get(tracking_number)
    if code is None:
        raise Http404
    return code


def _receipt_language(request: HttpRequest, complaint_language: str) -> str:
    """The complaint's language, unless ``?lang=`` asks for another language the site offers."""
    language = request.GET.get("lang") or complaint_language
    return language if language in dict(settings.LANGUAGES) else complaint_language


def _status_page_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("public_portal:status_lookup"))


@never_cache
def intake_receipt(request: HttpRequest, tracking_number: str, mode: str = IntakeDraft.Mode.PUBLIC) -> HttpResponse:
    """The receipt PDF, for the browser session that filed the complaint (no email needed)."""
    from complaints.documents import ComplaintReceipt

    code = _filed_code(request, tracking_number)
    complaint = complaint_selectors.complaint_get_for_receipt(tracking_number=tracking_number)
    language = _receipt_language(request, complaint.language)
    pdf = ComplaintReceipt(
        complaint, status_code=code, language=language, status_url=_status_page_url(request)
    ).render()
    audit.record("receipt.downloaded", target=complaint, data={"format": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{complaint.tracking_number}.pdf"'
    return response


@never_cache
def intake_receipt_html(
    request: HttpRequest, tracking_number: str, mode: str = IntakeDraft.Mode.PUBLIC
) -> HttpResponse:
    """The receipt as a web page, with the same content as the PDF, for the same browser session:
    readable by screen readers and printable. The whole page is in the receipt's language."""
    from complaints.documents import receipt_content

    code = _filed_code(request, tracking_number)
    complaint = complaint_selectors.complaint_get_for_receipt(tracking_number=tracking_number)
    language = _receipt_language(request, complaint.language)
    with translation.override(language):
        receipt = receipt_content(complaint, status_code=code, status_url=_status_page_url(request))
        response = render(
            request,
            "public_portal/intake/receipt.html",
            _context(
                request,
                mode,
                receipt=receipt,
                receipt_language=language,
                pdf_url=f"{_url(mode, 'receipt', complaint.tracking_number)}?lang={language}",
            ),
        )
    response["Content-Language"] = language
    audit.record("receipt.downloaded", target=complaint, data={"format": "html"})
    return response


# --- Status lookup ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("status_lookup", "RATE_LIMIT_STATUS_LOOKUP")
def status_lookup(request: HttpRequest) -> HttpResponse:
    """Tracking number + code → the plain-language stage, and the messages with the staff. A wrong
    number and a wrong code get the same answer, so the page cannot be used to find out which
    tracking numbers exist. A right one opens the status page in this browser session for a while
    (``public_portal.messages.status``), so an answer can be sent without the code in any URL."""
    from .messages import status as status_pages

    if request.method == "GET":
        opened = status_pages.status_opened(request)
        return render(
            request,
            "public_portal/status_lookup.html",
            {"form": _prepared(StatusLookupForm()), "opened": opened},
        )
    form = StatusLookupForm(request.POST)
    # A new lookup replaces the page this session had open, whatever it finds.
    status_pages.status_forget(request)
    if form.is_valid():
        status = complaint_selectors.complaint_status_for_public(
            tracking_number=form.cleaned_data["tracking_number"], code=form.cleaned_data["code"]
        )
        audit.record(
            "status.looked_up",
            outcome=audit.Outcome.SUCCESS if status else audit.Outcome.FAILED,
            target_label=form.cleaned_data["tracking_number"][:64],
        )
        if status is not None:
            status_pages.status_open(request, tracking_number=status.tracking_number, code=form.cleaned_data["code"])
            return status_pages.status_page(request, status)
        form.add_error(
            None, _("We could not find a complaint with that tracking number and code. Check both and try again.")
        )
    return render(
        request, "public_portal/status_lookup.html", {"form": _prepared(form), "forms_with_errors": [form]}, status=400
    )


def _prepared(form):
    add_usa_classes(form)
    return form


# --- Staff entry --------------------------------------------------------------------------------


def _staff(view):
    return login_required(permission_required("complaints.add_complaint", raise_exception=True)(view))


staff_intake_start = _staff(lambda request: intake_start(request, mode=IntakeDraft.Mode.STAFF))
staff_intake_step = _staff(lambda request, step: intake_step(request, step, mode=IntakeDraft.Mode.STAFF))
staff_intake_done = _staff(lambda request: intake_done(request, mode=IntakeDraft.Mode.STAFF))
staff_intake_receipt = _staff(
    lambda request, tracking_number: intake_receipt(request, tracking_number, mode=IntakeDraft.Mode.STAFF)
)
staff_intake_receipt_html = _staff(
    lambda request, tracking_number: intake_receipt_html(request, tracking_number, mode=IntakeDraft.Mode.STAFF)
)


# --- Police employees' reports (whistleblower channel) ---------------------------------------------
# The public form in the employee's mode: the same steps and checks, one step more, no account.


def employee_intake_start(request: HttpRequest) -> HttpResponse:
    return intake_start(request, mode=IntakeDraft.Mode.EMPLOYEE)


def employee_intake_step(request: HttpRequest, step: str) -> HttpResponse:
    return intake_step(request, step, mode=IntakeDraft.Mode.EMPLOYEE)


def employee_intake_done(request: HttpRequest) -> HttpResponse:
    return intake_done(request, mode=IntakeDraft.Mode.EMPLOYEE)


def employee_intake_receipt(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return intake_receipt(request, tracking_number, mode=IntakeDraft.Mode.EMPLOYEE)


def employee_intake_receipt_html(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return intake_receipt_html(request, tracking_number, mode=IntakeDraft.Mode.EMPLOYEE)
