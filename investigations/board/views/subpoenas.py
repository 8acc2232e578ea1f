"""Board votes on subpoenas (``SUBPOENA_AUTHORIZATION`` is "board_vote"): the board's panel on the
subpoena page, the chair's record of the board's vote, and authorizing with a vote that passed."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from investigations import subpoena_workflow
from investigations.frame import case_context
from investigations.models import Subpoena
from investigations.selectors import case_get_for_user, subpoena_get_for_case
from investigations.services.subpoenas import SubpoenaTransitionRefused
from oversight.forms import add_service_errors, add_usa_classes
from oversight.input_guard import parse_int

from .. import selectors
from ..forms import SubpoenaVoteForm
from ..membership import is_acting_chair
from ..services import subpoena_votes as services


def _may_record_vote(user: Any, subpoena: Subpoena) -> bool:
    return (
        subpoena_workflow.by_board_vote()
        and subpoena.status == Subpoena.Status.DRAFTED
        and is_acting_chair(user, subpoena.complaint)
    )


def _may_authorize(user: Any, subpoena: Subpoena) -> bool:
    move = subpoena_workflow.move_for(subpoena.status, Subpoena.Status.AUTHORIZED)
    return (
        move is not None
        and subpoena_workflow.by_board_vote()
        and subpoena_workflow.SUBPOENA_LIFECYCLE.may(user, subpoena, move)
    )


def subpoena_panel(request: HttpRequest, subpoena: Subpoena, vote_form: SubpoenaVoteForm | None = None) -> str | None:
    """The board's section of a subpoena page: the votes on it, the chair's form to record one, and
    (for whoever may authorize) a button to authorize with a vote that passed. Nothing when the
    board has no part in authorizing subpoenas here and no vote was ever recorded."""
    votes = list(selectors.subpoena_votes(subpoena))
    if not subpoena_workflow.by_board_vote() and not votes:
        return None
    if vote_form is None and _may_record_vote(request.user, subpoena):
        vote_form = SubpoenaVoteForm()
        vote_form.fields["meeting"].queryset = selectors.board_meetings()
    if vote_form is not None:
        add_usa_classes(vote_form)
    authorization = next((v.authorization for v in votes if hasattr(v, "authorization")), None)
    return render_to_string(
        "board/subpoena_panel.html",
        {
            "subpoena": subpoena,
            "votes": votes,
            "authorization": authorization,
            "vote_form": vote_form,
            "may_authorize": _may_authorize(request.user, subpoena),
        },
        request=request,
    )


def _subpoena(request: HttpRequest, tracking_number: str, number: int) -> Subpoena:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    return subpoena_get_for_case(complaint=complaint, number=number)


@login_required
def subpoena_vote(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    """The board chair records the board's vote on authorizing a drafted subpoena."""
    subpoena = _subpoena(request, tracking_number, number)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not is_acting_chair(request.user, subpoena.complaint):
        # Not the chair: let the service refuse it, so the denial is audited (raises PermissionDenied).
        services.subpoena_vote_record(subpoena=subpoena, actor=request.user, votes_for=0, votes_against=0)
        raise PermissionDenied
    form = SubpoenaVoteForm(request.POST)
    form.fields["meeting"].queryset = selectors.board_meetings()
    if form.is_valid():
        try:
            services.subpoena_vote_record(subpoena=subpoena, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The board's vote on S-%(number)02d is recorded.") % {"number": number})
            return redirect("cases:subpoena_detail", tracking_number, number)
    return render(
        request,
        "board/subpoena_vote.html",
        {
            **case_context(request, subpoena.complaint, tab="subpoenas"),
            "subpoena": subpoena,
            "panel": subpoena_panel(request, subpoena, vote_form=form),
            "forms_with_errors": [form],
        },
        status=400,
    )


@login_required
def subpoena_authorize(request: HttpRequest, tracking_number: str, number: int) -> HttpResponse:
    """Authorize a drafted subpoena with a board vote on it that passed."""
    subpoena = _subpoena(request, tracking_number, number)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        # A vote id that is not a plain number is no vote: the service asks for one.
        vote = parse_int(request.POST.get("vote"), minimum=1)
        services.subpoena_authorize_by_vote(subpoena=subpoena, actor=request.user, vote=vote)
    except (ValidationError, SubpoenaTransitionRefused) as error:
        messages.error(request, " ".join(error.messages))
    else:
        status = subpoena.get_status_display()
        messages.success(request, _("S-%(number)02d is now “%(status)s”.") % {"number": number, "status": status})
    return redirect("cases:subpoena_detail", tracking_number, number)
