"""The early-intervention pages: the supervisor's queue of flags, one flag (its rule, counts, the
cases behind it and its history) with its review, closing and notes, and the rules with their
versions. Anyone without the permissions gets the 404 page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import posted
from oversight.pagination import keyset_page_for_request, querystring
from oversight.tasks import enqueue

from . import rules, selectors, services, tasks
from .forms import CloseForm, NoteForm, QueueFilterForm, RuleKindForm, ThresholdForm
from .models import EvaluationRun, Flag, RuleKind
from .workflow import CLOSE, START_REVIEW, may_review


def _refused(refused: services.FlagRefused, request: HttpRequest, flag: Flag) -> HttpResponse | None:
    """What a refused move answers: 403 for who may not, a message and the flag page otherwise."""
    if refused.code == "forbidden":
        raise PermissionDenied(refused.message)
    messages.error(request, refused.message)
    return redirect("staff:early_intervention:flag", flag.pk)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The flags to deal with, newest first, filtered by status and rule; pages by cursor."""
    choices = selectors.queue_rule_choices(user=request.user)
    form = QueueFilterForm(request.GET, rule_choices=choices)
    filters = form.filters()
    flags = selectors.flag_queue_for_user(user=request.user, **filters)
    page = keyset_page_for_request(
        request,
        flags,
        ordering=selectors.QUEUE_ORDER,
        per_page=selectors.QUEUE_PAGE_SIZE,
        total=selectors.flag_queue_total(flags),
    )
    if page.invalid_cursor:
        messages.warning(request, _("That page link could not be read, so the first page is shown."))
    rows = [(flag, rules.describe_version(flag.version, flag.threshold.kind)) for flag in page.object_list]
    return render(
        request,
        "early_intervention/flag_queue.html",
        {
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
            "page": page,
            "rows": rows,
            "counts": selectors.flag_status_counts(user=request.user),
            "filtered": bool(filters["status"] or filters["threshold_id"]),
            "querystring": querystring({"status": filters["status"], "rule": filters["threshold_id"]}),
            "may_see_rules": selectors.may_view_rules(request.user),
        },
    )


def _render_flag(
    request: HttpRequest, flag: Flag, *, note_form: NoteForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    moves = selectors.flag_moves(user=user, flag=flag)
    reviewer = may_review(user, flag)
    if reviewer:
        note_form = note_form or NoteForm()
        add_usa_classes(note_form)
    return render(
        request,
        "early_intervention/flag_detail.html",
        {
            "flag": flag,
            "officer": flag.officer,
            "description": rules.describe_version(flag.version, flag.threshold.kind),
            "current_description": (
                rules.describe_version(flag.threshold.current_version, flag.threshold.kind)
                if flag.threshold.current_version_id and flag.threshold.current_version_id != flag.version_id
                else ""
            ),
            "is_peer_rule": flag.threshold.kind == RuleKind.PEER_PERCENTILE,
            "counts_allegations": flag.threshold.kind in rules.BY_CATEGORY,
            "cases": selectors.flag_cases_for_user(user=user, flag=flag),
            "events": selectors.flag_events(user=user, flag=flag),
            "others": selectors.earlier_flags(user=user, flag=flag),
            "may_start_review": START_REVIEW in moves,
            "may_close": CLOSE in moves,
            "note_form": note_form if reviewer else None,
            "forms_with_errors": [note_form] if note_form is not None and note_form.errors else [],
        },
        status=status,
    )


@login_required
def flag_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = selectors.flag_get_for_user(user=request.user, flag_id=flag_id)
    return _render_flag(request, flag)


@login_required
def flag_review(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = selectors.flag_get_for_user(user=request.user, flag_id=flag_id)
    if request.method != "POST":  # checked after the flag: without access it is 404 either way
        return HttpResponseNotAllowed(["POST"])
    expected = request.POST.get("expected", "")
    try:
        services.flag_review_start(
            flag=flag, actor=request.user, expected=expected if expected in Flag.Status.values else None
        )
    except services.FlagRefused as refused:
        return _refused(refused, request, flag)
    messages.success(request, _("The review has started. Close the flag with what was done once it is decided."))
    return redirect("staff:early_intervention:flag", flag.pk)


@login_required
def flag_close(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = selectors.flag_get_for_user(user=request.user, flag_id=flag_id)
    if not may_review(request.user, flag):
        raise PermissionDenied(_("Only a supervisor can review early-intervention flags."))
    if not flag.is_open:
        messages.info(request, _("This flag is already closed."))
        return redirect("staff:early_intervention:flag", flag.pk)
    form = CloseForm(posted(request), initial={"expected": flag.status})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.flag_close(
                    flag=flag,
                    actor=request.user,
                    action=form.cleaned_data["action"],
                    note=form.cleaned_data["note"],
                    expected=form.cleaned_data.get("expected") or None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.FlagRefused as refused:
                return _refused(refused, request, flag)
            else:
                messages.success(request, _("The flag is closed. It stays closed unless new complaints trip the rule."))
                return redirect("staff:early_intervention:flag", flag.pk)
        status = 400
    add_usa_classes(form)
    return render(
        request,
        "early_intervention/flag_close.html",
        {
            "flag": flag,
            "description": rules.describe_version(flag.version, flag.threshold.kind),
            "form": form,
            "forms_with_errors": [form] if form.errors else [],
        },
        status=status,
    )


@login_required
def flag_note(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = selectors.flag_get_for_user(user=request.user, flag_id=flag_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not may_review(request.user, flag):
        raise PermissionDenied(_("Only a supervisor can review early-intervention flags."))
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.flag_note_add(flag=flag, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Note added."))
            return redirect("staff:early_intervention:flag", flag.pk)
    return _render_flag(request, flag, note_form=form, status=400)


# --- Rules ----------------------------------------------------------------------------------------------


def _require_rules(request: HttpRequest) -> None:
    if not selectors.may_view_rules(request.user):
        raise Http404("No such page")


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "early_intervention/rule_list.html",
        {
            "rows": selectors.rule_rows_for_user(user=request.user),
            "may_add": request.user.has_perm(services.ADD_RULE_PERM),
            "may_evaluate": request.user.has_perm(services.CHANGE_RULE_PERM),
            "last_run": selectors.last_evaluation(),
        },
    )


@login_required
def rule_add(request: HttpRequest) -> HttpResponse:
    """Step one: the kind of rule; step two (``?kind=``): its name and parameters."""
    _require_rules(request)
    if not request.user.has_perm(services.ADD_RULE_PERM):
        raise PermissionDenied(_("Only a supervisor can add early-intervention rules."))
    kind_form = RuleKindForm(request.GET or request.POST or None)
    if not kind_form.is_valid():
        add_usa_classes(kind_form)
        return render(
            request,
            "early_intervention/rule_kind.html",
            {"form": kind_form, "forms_with_errors": [kind_form] if kind_form.errors else []},
            status=400 if kind_form.errors else 200,
        )
    kind = kind_form.cleaned_data["kind"]
    form = ThresholdForm(
        posted(request),
        kind=kind,
        category_choices=selectors.category_choices(),
        initial={"is_active": True, "count": 1 if kind == RuleKind.FINDING else None},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                threshold = services.threshold_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    kind=kind,
                    values=form.values(),
                    is_active=form.cleaned_data["is_active"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Rule added. It is evaluated from the next run."))
                return redirect("staff:early_intervention:rule", threshold.pk)
        status = 400
    add_usa_classes(form)
    return render(
        request,
        "early_intervention/rule_form.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": RuleKind(kind).label,
            "threshold": None,
            "forms_with_errors": [form] if form.errors else [],
        },
        status=status,
    )


@login_required
def rule_detail(request: HttpRequest, threshold_id: int) -> HttpResponse:
    """The rule, its versions, and (for supervisors) the form that changes it."""
    threshold = selectors.threshold_get_for_user(user=request.user, threshold_id=threshold_id)
    may_change = request.user.has_perm(services.CHANGE_RULE_PERM)
    if request.method == "POST" and not may_change:
        raise PermissionDenied(_("Only a supervisor can change early-intervention rules."))
    form = None
    status = 200
    if may_change:
        form = ThresholdForm(
            posted(request),
            kind=threshold.kind,
            category_choices=selectors.category_choices(
                keep=threshold.current_version.category_id if threshold.current_version else None
            ),
            editing=True,
            initial=ThresholdForm.initial_for(threshold),
        )
        if request.method == "POST":
            if form.is_valid():
                try:
                    _updated, changed = services.threshold_update(
                        threshold=threshold,
                        actor=request.user,
                        name=form.cleaned_data["name"],
                        values=form.values(),
                        is_active=form.cleaned_data["is_active"],
                        note=form.cleaned_data["note"],
                        expected_version=form.cleaned_data.get("expected_version"),
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    if changed:
                        messages.success(
                            request, _("Rule saved. Flags raised before keep the version that raised them.")
                        )
                    else:
                        messages.info(request, _("Nothing was changed."))
                    return redirect("staff:early_intervention:rule", threshold.pk)
            status = 400
        add_usa_classes(form)
    return render(
        request,
        "early_intervention/rule_detail.html",
        {
            "threshold": threshold,
            "kind_label": RuleKind(threshold.kind).label,
            "description": (
                rules.describe_version(threshold.current_version, threshold.kind) if threshold.current_version else ""
            ),
            "versions": selectors.threshold_versions(user=request.user, threshold=threshold),
            "form": form,
            "forms_with_errors": [form] if form is not None and form.errors else [],
        },
        status=status,
    )


@login_required
def evaluate(request: HttpRequest) -> HttpResponse:
    """Run the evaluation now (queued; without a task broker it runs as soon as this answers)."""
    _require_rules(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm(services.CHANGE_RULE_PERM):
        raise PermissionDenied(_("Only a supervisor can run the evaluation."))
    enqueue(tasks.evaluate_early_intervention, trigger=EvaluationRun.Trigger.STAFF, actor_id=request.user.pk)
    messages.success(request, _("The evaluation is running. New flags appear in the queue when it is done."))
    return redirect("staff:early_intervention:rules")
