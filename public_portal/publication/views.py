"""The publication officer's pages: the queue, a case's versions, and one version's review page with
its forms (edit the text, redact more, the lifecycle's buttons, correct).

Every page needs the publication officer's role (``publication.view_publication``): anyone else
signed in gets the staff 403 page, and a case that is not eligible for publication (and has no
version) is not found. A refused step comes back as a plain message on the review page.
"""

from __future__ import annotations

from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from investigations.board.models import BoardDecision
from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import posted
from oversight.pagination import keyset_page_for_request, querystring

from . import checks, selectors, services
from .forms import READY, MoveForm, QueueFilterForm, RedactMoreForm, SummaryForm, queue_views
from .models import Publication
from .policy import policy_name
from .redaction import segments
from .snapshot import placeholder
from .workflow import DRAFT_PERM, PUBLICATION_LIFECYCLE, available_moves, move_for

PAGE_SIZE = 50
P = Publication.Status


# --- The queue ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def queue(request: HttpRequest) -> HttpResponse:
    selectors.require_publication_access(request.user)
    form = QueueFilterForm(request.GET or None)
    chosen = form.choices() if form.is_bound else {"show": READY, "district": None, "q": ""}
    add_usa_classes(form)
    district_id = chosen["district"].pk if chosen["district"] else None
    if chosen["show"] == READY:
        rows = selectors.ready_to_draft(district_id=district_id, tracking_number=chosen["q"])
        ordering = selectors.QUEUE_ORDER
    else:
        rows = selectors.publications_with_status(chosen["show"], district_id=district_id, search=chosen["q"])
        ordering = selectors.PUBLICATION_ORDER
    page = keyset_page_for_request(request, rows, ordering=ordering, per_page=PAGE_SIZE)
    if page.invalid_cursor:
        messages.warning(request, _("That page link could not be read, so the first page is shown."))
    counts = selectors.publication_counts()
    views = [(value, label, counts.get(value)) for value, label in queue_views()]
    return render(
        request,
        "publication/queue.html",
        {
            "form": form,
            "show": chosen["show"],
            "show_label": dict(queue_views()).get(chosen["show"], ""),
            "views": views,
            "page": page,
            "rows": page.object_list,
            "querystring": querystring({"show": chosen["show"], "district": district_id or "", "q": chosen["q"]}),
            "policy": policy_name(),
            "forms_with_errors": [form] if form.errors else [],
        },
        status=400 if form.errors else 200,
    )


# --- A case ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def case(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = selectors.publication_case_get(user=request.user, tracking_number=tracking_number)
    decision = services.decision_in_force(complaint)
    versions = list(Publication.objects.filter(complaint=complaint).order_by("-version", "-id"))
    return render(
        request,
        "publication/case.html",
        {
            "complaint": complaint,
            "decision": decision,
            "refusal": services.eligibility_refusal(complaint, decision),
            "versions": versions,
            "open_version": next((v for v in versions if v.status in services.OPEN), None),
            "published_version": next((v for v in versions if v.status == P.PUBLISHED), None),
            "may_draft": request.user.has_perm(DRAFT_PERM),
        },
    )


@login_required
@require_POST
def draft(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = selectors.publication_case_get(user=request.user, tracking_number=tracking_number)
    try:
        publication = services.publication_draft(complaint=complaint, actor=request.user)
    except PermissionDenied:
        messages.error(request, _("Only a publication officer can draft a publication."))
        return redirect("publication:case", complaint.tracking_number)
    except services.PublicationRefused as refused:
        messages.error(request, refused.message)
        if refused.existing is not None:
            return redirect("publication:review", complaint.tracking_number, refused.existing.version)
        return redirect("publication:case", complaint.tracking_number)
    messages.success(
        request,
        _("Version %(version)d of %(id)s is drafted. Check the text against the source before approval.")
        % {"version": publication.version, "id": publication.public_id},
    )
    return redirect("publication:review", complaint.tracking_number, publication.version)


# --- One version -------------------------------------------------------------------------------------


class LogEntry(NamedTuple):
    category: str
    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


CATEGORY_LABELS = {
    "name": _("name"),
    "officer_name": _("officer's name"),
    "email": _("email"),
    "phone": _("phone number"),
    "address": _("address"),
    "plate": _("license plate"),
    "date_of_birth": _("date of birth"),
    "ssn": _("Social Security number"),
    "drivers_license": _("driver's license number"),
    "description": _("age, race and sex"),
    "case_number": _("case number"),
    "other": _("other"),
}


def _highlight(category: str) -> str:
    if category == "officer_name":
        return "bg-primary-lighter"
    if category in {"case_number", "other"}:
        return "bg-accent-cool-lighter"
    return "bg-accent-warm-lighter"


def _source_pieces(publication: Publication, source: str) -> list[dict[str, str]] | None:
    """The case's summary in pieces (``text``, ``category``, ``label``, ``css``), every removal
    marked, or None when the summary has changed since the draft (the log's positions no longer fit)."""
    if services.sha256(source) != publication.source_sha256:
        return None
    log = [LogEntry(e["category"], int(e["start"]), int(e["length"])) for e in publication.redaction_log or []]
    pieces = []
    for text, category in segments(source, log):
        category = str(category or "")
        pieces.append(
            {
                "text": text,
                "category": category,
                "label": str(CATEGORY_LABELS.get(category, category)) if category else "",
                "css": _highlight(category) if category else "",
            }
        )
    return pieces


def _render_review(
    request: HttpRequest,
    publication: Publication,
    *,
    summary_form: SummaryForm | None = None,
    redact_form: RedactMoreForm | None = None,
    move_form: tuple[str, MoveForm] | None = None,
) -> HttpResponse:
    user = request.user
    source = checks.current_source(publication)
    is_draft = publication.status == P.DRAFT
    may_draft = user.has_perm(DRAFT_PERM)
    token = services.text_token(publication.summary)
    if is_draft and may_draft:
        summary_form = summary_form or SummaryForm(initial={"summary": publication.summary, "based_on": token})
        redact_form = redact_form or RedactMoreForm(initial={"based_on": token}, prefix="redact")
        add_usa_classes(summary_form)
        add_usa_classes(redact_form)
    else:
        summary_form = redact_form = None
    buttons = []
    for move in available_moves(publication, user):
        form = (
            move_form[1]
            if move_form and move_form[0] == move.target
            else MoveForm(initial={"expected_status": publication.status}, prefix=move.action)
        )
        add_usa_classes(form)
        reasons = (
            []
            if move.action in {"send_back", "discard", "retract"}
            else PUBLICATION_LIFECYCLE.blockers(publication, user, move)
        )
        buttons.append({"move": move, "form": form, "blocked": reasons})
    problems = checks.blockers(publication) if publication.status in services.OPEN else []
    failed = [f for f in (summary_form, redact_form, move_form[1] if move_form else None) if f is not None and f.errors]
    return render(
        request,
        "publication/review.html",
        {
            "publication": publication,
            "complaint": publication.complaint,
            "source": source,
            "pieces": _source_pieces(publication, source),
            "allegations": selectors.publication_allegations(publication),
            "versions": selectors.publication_versions(publication),
            "summary_form": summary_form,
            "redact_form": redact_form,
            "buttons": buttons,
            "problems": problems,
            "may_correct": publication.status == P.PUBLISHED and may_draft,
            "is_public": publication.status == P.PUBLISHED,
            "manual_count": len(publication.manual_redactions or []),
            "placeholder_other": placeholder("other"),
            "forms_with_errors": failed,
            "category_labels": CATEGORY_LABELS,
            "decision_label": dict(BoardDecision.Kind.choices).get(
                publication.board_decision, publication.board_decision
            ),
        },
        status=400 if failed else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def review(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    publication = selectors.publication_get(user=request.user, tracking_number=tracking_number, version=number)
    return _render_review(request, publication)


@login_required
@require_POST
def edit(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    publication = selectors.publication_get(user=request.user, tracking_number=tracking_number, version=number)
    form = SummaryForm(posted(request))
    if form.is_valid():
        try:
            services.publication_edit(
                publication=publication,
                actor=request.user,
                summary=form.cleaned_data["summary"],
                based_on=form.cleaned_data["based_on"] or None,
            )
        except services.PublicationRefused as refused:
            messages.error(request, refused.message)
            return redirect("publication:review", tracking_number, number)
        except PermissionDenied:
            messages.error(request, _("Only a publication officer can edit a draft."))
            return redirect("publication:review", tracking_number, number)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft's text is saved."))
            return redirect("publication:review", tracking_number, number)
    if publication.status != P.DRAFT:
        messages.error(
            request,
            _("Only a draft is edited; this version is “%(status)s”.") % {"status": publication.get_status_display()},
        )
        return redirect("publication:review", tracking_number, number)
    return _render_review(request, publication, summary_form=form)


@login_required
@require_POST
def redact_more(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    publication = selectors.publication_get(user=request.user, tracking_number=tracking_number, version=number)
    form = RedactMoreForm(posted(request), prefix="redact")
    if form.is_valid():
        try:
            count = services.publication_redact_more(
                publication=publication,
                actor=request.user,
                phrase=form.cleaned_data["phrase"],
                category=form.cleaned_data["category"],
                based_on=form.cleaned_data["based_on"] or None,
            )
        except services.PublicationRefused as refused:
            messages.error(request, refused.message)
            return redirect("publication:review", tracking_number, number)
        except PermissionDenied:
            messages.error(request, _("Only a publication officer can edit a draft."))
            return redirect("publication:review", tracking_number, number)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext("Removed in %(count)d place.", "Removed in %(count)d places.", count) % {"count": count},
            )
            return redirect("publication:review", tracking_number, number)
    if publication.status != P.DRAFT:
        messages.error(
            request,
            _("Only a draft is edited; this version is “%(status)s”.") % {"status": publication.get_status_display()},
        )
        return redirect("publication:review", tracking_number, number)
    return _render_review(request, publication, redact_form=form)


@login_required
@require_POST
def move(request: HttpRequest, tracking_number: str, number: int, to_status: str) -> HttpResponse:
    publication = selectors.publication_get(user=request.user, tracking_number=tracking_number, version=number)
    if to_status not in P.values:
        raise Http404
    step = move_for(publication.status, to_status)
    if step is None or step.owner:
        messages.error(
            request,
            _("This version is now “%(status)s”; that step is no longer possible.")
            % {"status": publication.get_status_display()},
        )
        return redirect("publication:review", tracking_number, number)
    form = MoveForm(posted(request), prefix=step.action)
    if not form.is_valid():
        if "expected_status" in form.errors:
            messages.error(request, _("That button's page could not be read. Check the version and try again."))
            return redirect("publication:review", tracking_number, number)
        return _render_review(request, publication, move_form=(to_status, form))
    try:
        services.publication_move(
            publication=publication,
            actor=request.user,
            to_status=to_status,
            reason=form.cleaned_data["reason"],
            expected=form.cleaned_data["expected_status"],
        )
    except services.MoveRefused as refused:
        if refused.code == "reason_required":
            form.add_error("reason", refused.message)
            return _render_review(request, publication, move_form=(to_status, form))
        messages.error(request, refused.message)
        return redirect("publication:review", tracking_number, number)
    messages.success(
        request,
        _("Version %(version)d of %(id)s is now “%(status)s”.")
        % {"version": publication.version, "id": publication.public_id, "status": publication.get_status_display()},
    )
    return redirect("publication:review", tracking_number, number)


@login_required
@require_POST
def correct(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    publication = selectors.publication_get(user=request.user, tracking_number=tracking_number, version=number)
    try:
        correction = services.publication_correct(publication=publication, actor=request.user)
    except PermissionDenied:
        messages.error(request, _("Only a publication officer can correct a publication."))
        return redirect("publication:review", tracking_number, number)
    except services.PublicationRefused as refused:
        messages.error(request, refused.message)
        target = refused.existing.version if refused.existing is not None else number
        return redirect("publication:review", tracking_number, target)
    messages.success(
        request,
        _("Version %(version)d is drafted as a correction. It replaces version %(old)d once it is published.")
        % {"version": correction.version, "old": publication.version},
    )
    return redirect("publication:review", tracking_number, correction.version)


# --- The staff home ----------------------------------------------------------------------------------


def staff_home_panel(request: HttpRequest) -> str | None:
    """The staff home's panel for publication officers (``staff_home.panels``)."""
    if not selectors.may_use_publication(request.user):
        return None
    counts = selectors.publication_counts()
    return render_to_string(
        "publication/panel.html",
        {"drafts": counts.get(P.DRAFT, 0), "approved": counts.get(P.APPROVED, 0)},
        request=request,
    )
