"""The board area: the member's queue and a case's board page (findings, votes, quorum, recusals).

Mounted under ``/staff/cases/board/`` (URL names ``board:queue``, ``board:case``, ``board:vote``,
``board:recuse``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from complaints.models import Complaint
from investigations.frame import case_context
from oversight.forms import add_service_errors, add_usa_classes
from oversight.pagination import keyset_page_for_request

from .. import selectors
from ..forms import RecusalForm, VoteForm
from ..membership import is_current_chair, is_current_member
from ..services import review as services


def _board_case(request: HttpRequest, tracking_number: str) -> tuple[Complaint, bool]:
    return selectors.board_case_get_for_user(user=request.user, tracking_number=tracking_number)


def _render(
    request: HttpRequest,
    complaint: Complaint,
    member: bool,
    *,
    vote_form: VoteForm | None = None,
    recusal_form: RecusalForm | None = None,
    chair_form: RecusalForm | None = None,
) -> HttpResponse:
    user = request.user
    allegations = selectors.board_case_allegations(complaint)
    for allegation in allegations:
        allegation.proposed = getattr(allegation, "finding", None)
    may_vote = member and selectors.may_vote(user, complaint)
    votes = list(selectors.live_votes(complaint))
    own_vote = next((vote for vote in votes if vote.member_id == user.pk), None) if member else None
    if may_vote and vote_form is None:
        initial = {"choice": own_vote.choice, "comment": own_vote.comment} if own_vote else {}
        vote_form = VoteForm(allegations=allegations, initial=initial)
    if vote_form is not None:
        add_usa_classes(vote_form)
    if member and recusal_form is None:
        recusal_form = RecusalForm()
    if recusal_form is not None:
        add_usa_classes(recusal_form)
    chair = member and is_current_chair(user)
    if chair and chair_form is None:
        chair_form = RecusalForm(members=selectors.board_members_to_recuse(complaint, excluding=user), prefix="chair")
    if chair_form is not None:
        add_usa_classes(chair_form)
    bound = [f for f in (vote_form, recusal_form, chair_form) if f is not None and f.is_bound and f.errors]
    return render(
        request,
        "board/case.html",
        {
            **case_context(request, complaint, tab="board"),
            "allegations": allegations,
            "member": member,
            "votes": votes,
            "own_vote": own_vote,
            "vote_form": vote_form if may_vote else None,
            "recusal_form": recusal_form if member else None,
            "chair": chair,
            "chair_form": chair_form if chair else None,
            "recusals": list(selectors.recusals_for(complaint)) if chair else [],
            "quorum": selectors.board_quorum_status(complaint),
            "forms_with_errors": bound,
        },
        status=400 if bound else 200,
    )


# --- Views ---------------------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not is_current_member(request.user):
        raise Http404
    page = keyset_page_for_request(
        request,
        selectors.board_queue_queryset(request.user),
        ordering=selectors.BOARD_QUEUE_ORDER,
        per_page=QUEUE_PAGE_SIZE,
    )
    if page.invalid_cursor:
        messages.warning(request, _("That page link could not be read, so the first page is shown."))
    page.object_list = selectors.with_queue_facts(page.object_list)
    return render(request, "board/queue.html", {"cases": page.object_list, "page": page, "querystring": ""})


@login_required
def case(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint, member = _board_case(request, tracking_number)
    return _render(request, complaint, member)


@login_required
def vote(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint, member = _board_case(request, tracking_number)
    if request.method != "POST":  # checked after the case: a hidden case answers 404 either way
        return HttpResponseNotAllowed(["POST"])
    if not member:
        raise PermissionDenied
    form = VoteForm(request.POST, allegations=selectors.board_case_allegations(complaint))
    if form.is_valid():
        own = selectors.live_vote_of(complaint, request.user)
        try:
            services.vote_record(
                complaint=complaint,
                member=request.user,
                choice=form.cleaned_data["choice"],
                comment=form.cleaned_data["comment"],
                proposals=form.cleaned_data["proposals"],
                corrects=own,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You cannot vote on this case."))
        else:
            messages.success(request, _("Your correction was recorded.") if own else _("Your vote was recorded."))
            return redirect("board:case", tracking_number)
    return _render(request, complaint, member, vote_form=form)


@login_required
def recuse(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """A member declares their own conflict, or the chair recuses a member (``member`` field)."""
    complaint, member = _board_case(request, tracking_number)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not member:
        raise PermissionDenied
    by_chair = "chair-member" in request.POST
    if by_chair:
        if not is_current_chair(request.user):
            raise PermissionDenied
        form = RecusalForm(
            request.POST, members=selectors.board_members_to_recuse(complaint, excluding=request.user), prefix="chair"
        )
    else:
        form = RecusalForm(request.POST)
    if form.is_valid():
        target = form.cleaned_data["member"] if by_chair else request.user
        try:
            services.recusal_declare(
                complaint=complaint, member=target, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if by_chair:
                messages.success(request, _("The member was recused on this case."))
                return redirect("board:case", tracking_number)
            messages.success(request, _("Your recusal was recorded. You no longer have access to this case."))
            return redirect("board:queue")
    if by_chair:
        return _render(request, complaint, member, chair_form=form)
    return _render(request, complaint, member, recusal_form=form)
