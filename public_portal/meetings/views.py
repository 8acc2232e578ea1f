"""The meetings pages: the public list, a meeting's page, its calendar entry and printable agenda;
and the staff pages where the board's chair and supervisors announce meetings and publish minutes."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import posted

from . import selectors, services
from .documents import MeetingAgenda
from .forms import HeldForm, MeetingForm, MinutesForm, StepForm
from .ical import calendar
from .workflow import S, available_moves, move_by_action

PUBLIC_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50
# The steps taken with a confirmation page (the held step has its own form).
BUTTON_STEPS = ("publish_agenda", "approve_minutes", "publish_minutes")


# --- Public ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def meeting_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    page = Paginator(selectors.meetings_past(now), PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_text(page.object_list)
    return render(
        request,
        "meetings/public_list.html",
        {
            "upcoming": selectors.meetings_upcoming(now) if page.number == 1 else [],
            "page": page,
            "past": page.object_list,
            "querystring": "",
        },
    )


@require_http_methods(["GET", "HEAD"])
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_get_public(meeting_id)
    language = get_language()
    return render(
        request,
        "meetings/public_detail.html",
        {
            "meeting": meeting,
            "agenda": selectors.agenda_public(meeting, language),
            "minutes": selectors.minutes_public(meeting, language),
            "record": selectors.meeting_record_public(meeting),
        },
    )


def _calendar_response(request: HttpRequest, meetings: list, filename: str) -> HttpResponse:
    body = calendar(
        meetings,
        host=request.get_host().split(":")[0] or "localhost",
        url_for=lambda m: request.build_absolute_uri(reverse("public_portal:meeting_detail", args=[m.pk])),
        language=get_language(),
    )
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_http_methods(["GET", "HEAD"])
def meetings_calendar(request: HttpRequest) -> HttpResponse:
    return _calendar_response(request, selectors.meetings_feed(), "board-meetings.ics")


@require_http_methods(["GET", "HEAD"])
def meeting_calendar(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_get_public(meeting_id)
    return _calendar_response(request, [meeting], f"board-meeting-{meeting.pk}.ics")


@require_http_methods(["GET", "HEAD"])
def meeting_agenda_pdf(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_get_public(meeting_id)
    document = MeetingAgenda(meeting, language=get_language())
    response = HttpResponse(document.render(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Content-Language"] = get_language()
    return response


# --- Staff -------------------------------------------------------------------------------------------------


def _form_page(request: HttpRequest, template: str, context: dict[str, Any], forms: list) -> HttpResponse:
    for form in forms:
        add_usa_classes(form)
    invalid = [form for form in forms if form.is_bound and form.errors]
    return render(
        request,
        template,
        {**context, "forms_with_errors": invalid},
        status=400 if invalid or context.get("extra_errors") else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_meeting_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.meetings_for_staff(request.user), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "meetings/staff_list.html", {"page": page, "meetings": page.object_list, "querystring": ""})


def _details(form: MeetingForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "title_es": data["title_es"],
        "starts_at": data.get("starts_at"),
        "ends_at": data.get("ends_at"),
        "place": data["place"],
        "remote_url": data["remote_url"],
        "agenda": data["items"],
    }


_ALIASES = {"starts_at": "starts", "ends_at": "ends"}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_meeting_new(request: HttpRequest) -> HttpResponse:
    selectors.meetings_for_staff(request.user)  # 404 for anyone but the chair and supervisors
    form = MeetingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **_details(form))
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error, _ALIASES)
        else:
            messages.success(request, _("The meeting is saved as a draft. Nothing of it is public yet."))
            return redirect("staff:meetings:detail", meeting.pk)
    return _form_page(request, "meetings/staff_form.html", {"form": form, "meeting": None}, [form])


@login_required
@require_http_methods(["GET", "HEAD"])
def staff_meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_get_for_staff(user=request.user, meeting_id=meeting_id)
    return _detail_page(request, meeting)


def _detail_page(
    request: HttpRequest, meeting: Any, *, minutes_form: MinutesForm | None = None, extra_errors: list | None = None
) -> HttpResponse:
    if minutes_form is None and meeting.status == S.HELD:
        minutes_form = MinutesForm(initial={"minutes": meeting.minutes, "minutes_es": meeting.minutes_es})
    steps = [
        {"move": move, "blockers": services.MEETING_LIFECYCLE.blockers(meeting, request.user, move)}
        for move in available_moves(meeting, request.user)
    ]
    context = {
        "meeting": meeting,
        "items": selectors.meeting_agenda_items(meeting),
        "events": selectors.meeting_events(meeting),
        "decisions": selectors.meeting_decisions_for_staff(meeting),
        "attendees": list(meeting.attendees.order_by("last_name", "first_name")),
        "steps": steps,
        "editable": meeting.status in services.EDITABLE,
        "minutes_form": minutes_form,
        "extra_errors": extra_errors or [],
    }
    return _form_page(request, "meetings/staff_detail.html", context, [minutes_form] if minutes_form else [])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_meeting_edit(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_get_for_staff(user=request.user, meeting_id=meeting_id)
    if meeting.status not in services.EDITABLE:
        messages.error(request, _("The meeting has been held: its time, place and agenda can no longer change."))
        return redirect("staff:meetings:detail", meeting.pk)
    form = MeetingForm(
        posted(request), initial=MeetingForm.initial_for(meeting, selectors.meeting_agenda_items(meeting))
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **_details(form))
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error, _ALIASES)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect("staff:meetings:detail", meeting.pk)
    return _form_page(request, "meetings/staff_form.html", {"form": form, "meeting": meeting}, [form])


def _refused(request: HttpRequest, meeting: Any, refused: services.MoveRefused) -> HttpResponse:
    if refused.code == "forbidden":
        raise Http404
    messages.error(request, refused.message)
    return redirect("staff:meetings:detail", meeting.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_meeting_step(request: HttpRequest, meeting_id: str, action: str) -> HttpResponse:
    """A confirmation page for one step; the step is taken when it is sent."""
    meeting = selectors.meeting_get_for_staff(user=request.user, meeting_id=meeting_id)
    move = move_by_action(action) if action in BUTTON_STEPS else None
    if move is None:
        raise Http404
    form = StepForm(posted(request), initial={"expected": meeting.status})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("That step could not be read. Use the buttons on this page."))
            return redirect("staff:meetings:detail", meeting.pk)
        try:
            services.meeting_move(
                meeting=meeting, actor=request.user, target=move.target, expected=form.cleaned_data["expected"] or None
            )
        except services.MoveRefused as refused:
            return _refused(request, meeting, refused)
        messages.success(
            request, _("Done: the meeting is now “%(status)s”.") % {"status": meeting.get_status_display()}
        )
        return redirect("staff:meetings:detail", meeting.pk)
    if meeting.status != move.source:
        messages.error(request, _("That step is not open for this meeting now."))
        return redirect("staff:meetings:detail", meeting.pk)
    return render(
        request,
        "meetings/staff_step.html",
        {
            "meeting": meeting,
            "move": move,
            "form": form,
            "blockers": services.MEETING_LIFECYCLE.blockers(meeting, request.user, move),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_meeting_held(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_get_for_staff(user=request.user, meeting_id=meeting_id)
    if meeting.status != S.AGENDA_PUBLISHED:
        messages.error(request, _("Only a meeting whose agenda is published can be recorded as held."))
        return redirect("staff:meetings:detail", meeting.pk)
    candidates = services.held_candidates(meeting)
    initial = {
        "expected": meeting.status,
        "decisions": [d.pk for d in candidates if timezone.localdate(d.created_at) == meeting.date],
    }
    form = HeldForm(posted(request), initial=initial, meeting=meeting, candidates=candidates)
    extra_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_record_held(
                meeting=meeting,
                actor=request.user,
                decisions=list(data["decisions"]),
                attendees=list(data["attendees"]),
                expected=data["expected"] or None,
            )
        except services.MoveRefused as refused:
            if refused.code == "forbidden":
                raise Http404 from None
            extra_errors.append(refused.message)
        else:
            messages.success(request, _("The meeting is recorded as held. Write the minutes next."))
            return redirect("staff:meetings:detail", meeting.pk)
    move = move_by_action("record_held")
    return _form_page(
        request,
        "meetings/staff_held.html",
        {"meeting": meeting, "form": form, "move": move, "extra_errors": extra_errors},
        [form],
    )


@login_required
@require_http_methods(["POST"])
def staff_meeting_minutes(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_get_for_staff(user=request.user, meeting_id=meeting_id)
    form = MinutesForm(posted(request))
    if form.is_valid():
        try:
            services.meeting_minutes_save(
                meeting=meeting,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
                minutes_es=form.cleaned_data["minutes_es"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The minutes are saved. They stay hidden until approved and published."))
            return redirect("staff:meetings:detail", meeting.pk)
    return _detail_page(request, meeting, minutes_form=form)
