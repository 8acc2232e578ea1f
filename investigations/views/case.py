"""The case workspace: dashboard, case overview, triage and workflow actions, assignment, notes,
timeline and history. Section pages (evidence, interviews, subpoenas, findings, deadline) live in
their own modules and share the case frame (``investigations.frame``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.models import Complaint
from oversight import hooks
from oversight.forms import add_usa_classes
from oversight.input_guard import posted

from ..forms.case import (
    AcceptForm,
    AllegationForm,
    AssignForm,
    CloseForm,
    DuplicateForm,
    LinkOfficerForm,
    MoveForm,
    NoteForm,
    ReferForm,
)
from ..frame import move_pages, render_case
from ..selectors import (
    allegation_get_for_case,
    assignment_get_for_case,
    can_work,
    case_attachments,
    case_counts_by_status,
    case_find_visible,
    case_get_for_user,
    case_history_entries,
    case_investigation,
    case_notes,
    case_parties,
    case_status_changes,
    case_subject_officers,
    case_subjects_with_allegations,
    case_visible_to,
    cases_assigned_with_deadlines,
    cases_sent_back_count,
    complaint_available_transitions,
    eligible_investigators,
    investigation_active_assignments,
    investigation_get_for_case,
    investigations_overdue_or_due_soon,
    subject_officer_get_for_case,
)
from ..services import allegations as allegation_services
from ..services import assignment as assignment_services
from ..services import notes as note_services
from ..services import triage
from ..services.transitions import TransitionRefused, complaint_transition
from ..workflow import transition_for


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    counts = case_counts_by_status(user=user)
    mine = cases_assigned_with_deadlines(user=user)
    needs = []
    if user.has_perm("complaints.triage_complaint"):
        needs.append(
            (
                _("New complaints to triage"),
                counts.get(Complaint.Status.RECEIVED, 0),
                reverse("complaints:intake_queue"),
            )
        )
    if user.has_perm("investigations.approve_findings"):
        needs.append(
            (
                _("Findings waiting for your approval"),
                counts.get(Complaint.Status.FINDINGS_PROPOSED, 0),
                reverse("complaints:list") + "?status=findings_proposed",
            )
        )
    sent_back = cases_sent_back_count(cases=mine)
    if sent_back:
        needs.append((_("Cases sent back to you with comments"), sent_back, ""))
    # Supervisors answer for every open investigation's statutory deadline, not only their own cases.
    deadline_watch = (
        investigations_overdue_or_due_soon(user=user) if user.has_perm("complaints.view_all_complaints") else None
    )
    return render(
        request,
        "investigations/dashboard.html",
        {
            "mine": mine,
            "counts": [(label, counts.get(value, 0), value) for value, label in Complaint.Status.choices],
            "needs": needs,
            "deadline_watch": deadline_watch,
            "panels": hooks.run("dashboard.panels", request),
        },
    )


# --- Case pages ----------------------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    subjects = case_subjects_with_allegations(complaint=complaint)
    investigation = case_investigation(complaint)
    assignments = investigation_active_assignments(investigation=investigation) if investigation else []
    assign_form = None
    if investigation and request.user.has_perm("complaints.assign_complaint"):
        assign_form = AssignForm(investigators=eligible_investigators())
        add_usa_classes(assign_form)
    allegation_form = None
    if can_work(request.user, complaint) or request.user.has_perm("complaints.triage_complaint"):
        allegation_form = AllegationForm(subjects=subjects)
        add_usa_classes(allegation_form)
    return render_case(
        request,
        complaint,
        "overview",
        "investigations/case_overview.html",
        # Each shown through personal_data.person: the name, or the role to a reader who may not see it.
        parties=case_parties(complaint=complaint),
        subjects=subjects,
        assignments=assignments,
        assign_form=assign_form,
        allegation_form=allegation_form,
        attachments=case_attachments(complaint=complaint),
    )


def _refused(request: HttpRequest, complaint: Complaint, error: Exception) -> HttpResponse:
    if getattr(error, "code", None) == "forbidden":
        raise PermissionDenied(getattr(error, "message", "")) from None
    message = getattr(error, "message", None) or " ".join(getattr(error, "messages", [])) or str(error)
    messages.error(request, message)
    return redirect("cases:overview", complaint.tracking_number)


def landing_after_move(request: HttpRequest, complaint: Complaint) -> HttpResponse:
    """Where someone goes after a move, with a message that names the case and its new status: the
    case page if they can still see it, else their queue (accepting a case, for example, takes it
    out of the intake coordinator's sight)."""
    status = complaint.get_status_display()
    if case_visible_to(user=request.user, complaint=complaint):
        messages.success(request, _("Done: the case is now “%(status)s”.") % {"status": status})
        return redirect("cases:overview", complaint.tracking_number)
    messages.success(
        request,
        _("Done: %(number)s is now “%(status)s”. It has left your queue, so you no longer see it.")
        % {"number": complaint.tracking_number, "status": status},
    )
    if request.user.has_perm("complaints.triage_complaint"):
        return redirect("complaints:intake_queue")
    return redirect("cases:dashboard")


@login_required
def move(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """A workflow move that needs at most a reason (claim, mediate, approve, send back, ...).

    Moves owned by a service (accept, refer, close, submit, decide, remand) are never made here:
    the person is sent to the page that owns them. A move that tells the resident something or
    cannot be undone is confirmed first, on a page that says what will happen.
    """
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    if request.method != "POST":  # checked after the case: a hidden case answers 404 either way
        return HttpResponseNotAllowed(["POST"])
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That action could not be read. Try again."))
        return redirect("cases:overview", tracking_number)
    target = form.cleaned_data["to_status"]
    move_def = transition_for(complaint.status, target)
    if move_def is not None and move_def.owner:
        page = move_pages(complaint, request.user).get(move_def.action)
        if page:
            return redirect(page)
    confirmed = request.POST.get("confirmed") == "yes"
    if (
        move_def is not None
        and move_def.confirm
        and not confirmed
        and move_def in complaint_available_transitions(complaint, request.user)
    ):
        return render_case(
            request,
            complaint,
            "overview",
            "investigations/move_confirm.html",
            move=move_def,
            reason=form.cleaned_data["reason"],
            expected=form.cleaned_data["expected_status"],
        )
    try:
        complaint_transition(
            complaint=complaint,
            to_status=target,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_status=form.cleaned_data["expected_status"],
        )
    except (TransitionRefused, ValidationError) as error:
        return _refused(request, complaint, error)
    return landing_after_move(request, complaint)


def _triage_form_view(request, tracking_number, form_class, template, run):
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    if not request.user.has_perm("complaints.triage_complaint"):
        raise PermissionDenied
    form = form_class(posted(request), initial={"expected_status": complaint.status})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run(complaint, form.cleaned_data)
            except TransitionRefused as error:
                if error.code in {"forbidden", "conflict", "not_allowed"}:
                    return _refused(request, complaint, error)
                form.add_error(None, error.message)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return landing_after_move(request, complaint)
        status = 400
    add_usa_classes(form)
    return render_case(
        request,
        complaint,
        "overview",
        template,
        status=status,
        form=form,
        forms_with_errors=[form] if form.errors else [],
    )


@login_required
def accept(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _triage_form_view(
        request,
        tracking_number,
        AcceptForm,
        "investigations/triage_accept.html",
        lambda complaint, data: triage.triage_accept(
            complaint=complaint,
            actor=request.user,
            priority=data["priority"],
            discovery_date=data.get("discovery_date"),
            expected_status=data["expected_status"],
        ),
    )


@login_required
def refer(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _triage_form_view(
        request,
        tracking_number,
        ReferForm,
        "investigations/triage_refer.html",
        lambda complaint, data: triage.triage_refer(
            complaint=complaint,
            actor=request.user,
            agency=data["agency"],
            reason=data["reason"],
            expected_status=data["expected_status"],
        ),
    )


@login_required
def close(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _triage_form_view(
        request,
        tracking_number,
        CloseForm,
        "investigations/triage_close.html",
        lambda complaint, data: triage.triage_close(
            complaint=complaint,
            actor=request.user,
            reason_code=data["reason_code"],
            note=data["note"],
            expected_status=data["expected_status"],
        ),
    )


@login_required
def duplicate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    def run(complaint, data):
        original = case_find_visible(user=request.user, tracking_number=data["original"])
        if original is None:
            raise ValidationError(_("No complaint you can see has that tracking number."))
        triage.triage_mark_duplicate(
            complaint=complaint, original=original, actor=request.user, expected_status=data["expected_status"]
        )

    return _triage_form_view(request, tracking_number, DuplicateForm, "investigations/triage_duplicate.html", run)


@login_required
def assign(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    if request.method != "POST":  # checked after the case: a hidden case answers 404 either way
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm("complaints.assign_complaint"):
        raise PermissionDenied
    investigation = investigation_get_for_case(complaint=complaint)
    form = AssignForm(request.POST, investigators=eligible_investigators())
    if not form.is_valid():
        messages.error(request, _("Choose an investigator."))
        return redirect("cases:overview", tracking_number)
    try:
        assignment_services.investigator_assign(
            investigation=investigation,
            investigator=form.cleaned_data["investigator"],
            actor=request.user,
            lead=form.cleaned_data["lead"],
        )
    except ValidationError as error:
        return _refused(request, complaint, error)
    messages.success(request, _("Investigator assigned."))
    return redirect("cases:overview", tracking_number)


@login_required
def unassign(request: HttpRequest, tracking_number: str, assignment_id: int) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    if request.method != "POST":  # checked after the case: a hidden case answers 404 either way
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm("complaints.assign_complaint"):
        raise PermissionDenied
    assignment = assignment_get_for_case(complaint=complaint, assignment_id=assignment_id)
    assignment_services.investigator_unassign(assignment=assignment, actor=request.user)
    messages.success(request, _("Investigator removed from the case; their access is revoked."))
    return redirect("cases:overview", tracking_number)


@login_required
def allegations(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Add or reclassify an allegation, or link a described officer to the roster (POST only)."""
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    if request.method != "POST":
        return redirect("cases:overview", tracking_number)
    subjects = list(case_subject_officers(complaint=complaint))
    try:
        if "badge_number" in request.POST:
            form = LinkOfficerForm(request.POST)
            if not form.is_valid():
                raise ValidationError(" ".join(e for errors in form.errors.values() for e in errors))
            subject = subject_officer_get_for_case(
                complaint=complaint, subject_officer_id=form.cleaned_data["subject_officer_id"]
            )
            allegation_services.subject_officer_link(
                subject_officer=subject, badge_number=form.cleaned_data["badge_number"], actor=request.user
            )
        else:
            form = AllegationForm(request.POST, subjects=subjects)
            if not form.is_valid():
                raise ValidationError(_("Choose an officer and a category."))
            if form.cleaned_data.get("allegation_id"):
                allegation = allegation_get_for_case(
                    complaint=complaint, allegation_id=form.cleaned_data["allegation_id"]
                )
                allegation_services.allegation_reclassify(
                    allegation=allegation, category=form.cleaned_data["category"], actor=request.user
                )
            else:
                subject = next(s for s in subjects if str(s.pk) == form.cleaned_data["subject_officer"])
                allegation_services.allegation_add(
                    complaint=complaint,
                    subject_officer=subject,
                    category=form.cleaned_data["category"],
                    actor=request.user,
                )
    except ValidationError as error:
        return _refused(request, complaint, error)
    messages.success(request, _("Allegations updated."))
    return redirect("cases:overview", tracking_number)


@login_required
def notes(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    form = NoteForm(posted(request))
    status = 200
    if request.method == "POST":
        if not can_work(request.user, complaint):
            raise PermissionDenied
        if form.is_valid():
            note_services.note_add(
                complaint=complaint, actor=request.user, body=form.cleaned_data["body"], kind=form.cleaned_data["kind"]
            )
            messages.success(request, _("Note added."))
            return redirect("cases:notes", tracking_number)
        status = 400
    add_usa_classes(form)
    page = Paginator(case_notes(complaint=complaint), 50).get_page(request.GET.get("page"))
    return render_case(
        request, complaint, "notes", "investigations/case_notes.html", status=status, form=form, page=page
    )


@login_required
def timeline(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    changes = case_status_changes(complaint=complaint)
    return render_case(request, complaint, "timeline", "investigations/case_timeline.html", changes=changes)


@login_required
def history(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Row history diffs for the complaint and its investigation; needs the history permission."""
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    if not request.user.has_perm("complaints.view_historicalcomplaint"):
        raise PermissionDenied
    entries = case_history_entries(complaint=complaint)
    return render_case(request, complaint, "history", "investigations/case_history.html", entries=entries)
