"""The pages of public comments: the resident's comment form and its confirmation (public), and the
staff's pages where comment periods are opened and closed, comments are moderated and the summary
is read and downloaded."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from oversight import personal_data
from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import parse_int, posted
from oversight.ratelimit import rate_limited
from oversight.views import bad_request

from . import selectors, services
from .documents import CommentSummary
from .forms import CommentForm, ModerationForm, PeriodOpenForm

State = selectors.State
# The closing date the open form suggests.
PERIOD_DEFAULT_DAYS = 30


# --- The resident ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("public_comment", "RATE_LIMIT_PUBLIC_COMMENT")
def comment_form(request: HttpRequest, number: str) -> HttpResponse:
    """The form to comment on a proposed recommendation while its comment period is open; otherwise
    a page that says comments are not being taken. A sent comment leads to the confirmation."""
    recommendation = selectors.recommendation_for_comment(number=number)
    if not recommendation.comment_period_open:
        return render(
            request,
            "comments/comment_closed.html",
            {"recommendation": recommendation, "period": recommendation.comment_period_found},
            status=409 if request.method == "POST" else 200,
        )
    form = CommentForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_spam():
            return bad_request(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.comment_submit(
                    recommendation=recommendation,
                    text=data["text"],
                    name=data["name"],
                    email=data["email"],
                    language=translation.get_language() or "",
                    idempotency_key=data["form_token"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("public_portal:recommendation_comment_sent", recommendation.number)
        status = 400
    add_usa_classes(form)
    return render(
        request,
        "comments/comment_form.html",
        {
            "recommendation": recommendation,
            "period": recommendation.comment_period_found,
            "form": form,
            "forms_with_errors": [form] if form.is_bound and form.errors else [],
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def comment_sent(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation: the comment is held until the staff have read it. Shown whatever the
    period's state now (it may have closed since the comment was sent)."""
    recommendation = selectors.recommendation_for_comment(number=number)
    return render(request, "comments/comment_sent.html", {"recommendation": recommendation})


# --- Staff -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_home(request: HttpRequest) -> HttpResponse:
    """Proposed recommendations and their comment periods, and (for moderators) how many comments
    wait for moderation."""
    recommendations = selectors.staff_recommendations(user=request.user)
    may_moderate = services.may_moderate(request.user)
    return render(
        request,
        "comments/staff_home.html",
        {
            "recommendations": recommendations,
            "may_moderate": may_moderate,
            "may_manage": services.may_manage_periods(request.user),
            "pending": selectors.moderation_queue(user=request.user).count() if may_moderate else 0,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_queue(request: HttpRequest) -> HttpResponse:
    """Every comment waiting for moderation, oldest first (moderators only)."""
    page = Paginator(selectors.moderation_queue(user=request.user), selectors.STAFF_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "comments/staff_queue.html", {"page": page, "comments": page.object_list})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_recommendation(request: HttpRequest, number: str) -> HttpResponse:
    """One recommendation's comment period: open it or close it early (the chair, supervisors), its
    summary, and its comments with links to moderate them (moderators)."""
    recommendation = selectors.staff_recommendation(user=request.user, number=number)
    may_manage = services.may_manage_periods(request.user)
    may_moderate = services.may_moderate(request.user)
    period = recommendation.comment_period_found
    open_form = None
    if may_manage and period is None and recommendation.stage == recommendation.Stage.PROPOSED:
        open_form = PeriodOpenForm(
            posted(request), initial={"closes_on": timezone.localdate() + timedelta(days=PERIOD_DEFAULT_DAYS)}
        )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not may_manage:
            raise Http404
        if action == "close" and period is not None:
            try:
                services.period_close(period=period, actor=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The comment period is closed."))
            return redirect("staff:comments:recommendation", recommendation.number)
        if action == "open" and open_form is not None:
            if open_form.is_valid():
                try:
                    services.period_open(
                        recommendation=recommendation,
                        actor=request.user,
                        closes_on=open_form.cleaned_data["closes_on"],
                    )
                except ValidationError as error:
                    add_service_errors(open_form, error)
                else:
                    messages.success(request, _("The recommendation is open for public comment."))
                    return redirect("staff:comments:recommendation", recommendation.number)
            status = 400
        else:
            messages.error(request, _("That button is out of date. Look at the page again and retry."))
            return redirect("staff:comments:recommendation", recommendation.number)
    if open_form is not None:
        add_usa_classes(open_form)
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    page = None
    if may_moderate:
        page = Paginator(
            selectors.staff_comments(user=request.user, recommendation=recommendation, state=state),
            selectors.STAFF_PAGE_SIZE,
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "comments/staff_recommendation.html",
        {
            "recommendation": recommendation,
            "period": period,
            "period_open": recommendation.comment_period_open,
            "summary": selectors.summary_for(user=request.user, recommendation=recommendation),
            "open_form": open_form,
            "may_manage": may_manage,
            "may_moderate": may_moderate,
            "page": page,
            "comments": page.object_list if page is not None else [],
            "state": state,
            "states": State.choices,
            "querystring": f"state={state}" if state else "",
            "forms_with_errors": [open_form] if open_form is not None and open_form.errors else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    """One comment, with its contact email if given, and the form to approve or reject it
    (moderators only)."""
    number = parse_int(comment_id)
    if number is None:
        raise Http404
    comment = selectors.comment_for_moderation(user=request.user, comment_id=number)
    if comment.email:
        personal_data.shown(request, comment, what=["commenter_contacts"])
    may_decide = comment.state != State.REJECTED
    form = ModerationForm(posted(request)) if may_decide else None
    if form is not None and comment.state == State.APPROVED:
        # An approved comment can only be taken down.
        field = form.fields["decision"]
        field.choices = [(value, label) for value, label in field.choices if value == State.REJECTED]
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This comment is rejected: the decision is final."))
            return redirect("staff:comments:moderate", comment.pk)
        if form.is_valid():
            try:
                services.comment_moderate(
                    comment=comment,
                    actor=request.user,
                    to_state=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                done = (
                    _("The comment is approved and published.")
                    if form.cleaned_data["decision"] == State.APPROVED
                    else _("The comment is rejected. It will not be published.")
                )
                messages.success(request, done)
                following = selectors.moderation_queue(user=request.user).first()
                if following is not None:
                    return redirect("staff:comments:moderate", following.pk)
                return redirect("staff:comments:recommendation", comment.recommendation.number)
        status = 400
    if form is not None:
        add_usa_classes(form)
    return render(
        request,
        "comments/staff_moderate.html",
        {
            "comment": comment,
            "language": selectors.language_name(comment.language),
            "form": form,
            "forms_with_errors": [form] if form is not None and form.errors else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_summary_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The summary for the meeting packet, as a PDF, in the language of the page."""
    recommendation = selectors.staff_recommendation(user=request.user, number=number)
    summary = selectors.summary_for(user=request.user, recommendation=recommendation)
    document = CommentSummary(summary)
    response = HttpResponse(document.render(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def staff_home_panel(request: HttpRequest) -> str | None:
    """The staff home's link to these pages, for those who may use them (``staff_home.panels``)."""
    if not selectors.may_use_staff_pages(request.user):
        return None
    may_moderate = services.may_moderate(request.user)
    pending = selectors.moderation_queue(user=request.user).count() if may_moderate else 0
    return render_to_string(
        "comments/staff_panel.html", {"may_moderate": may_moderate, "pending": pending}, request=request
    )
