"""The board area: the member's queue and a case's board page (findings, votes, quorum, recusals).

Mounted under ``/staff/cases/board/`` (URL names ``cases:board_queue``, ``cases:board_case``,
``cases:board_vote``, ``cases:board_recuse``).
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Allegation, Complaint
from oversight.forms import add_usa_classes

from ..board import current_memberships, is_current_chair, is_current_member, is_recused
from ..models import Disposition, Vote
from ..selectors import case_get_for_user
from ..services import board as services
from .case import case_context
from .subpoenas import add_service_errors

# --- Forms ---------------------------------------------------------------------------------------


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=gettext_lazy("Your vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, allegations: list[Allegation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allegations = allegations
        choices = [("", _("No different disposition")), *Disposition.choices]
        for allegation in allegations:
            self.fields[f"d{allegation.pk}"] = forms.ChoiceField(
                label=_("Proposed disposition"), choices=choices, required=False
            )
            self.fields[f"r{allegation.pk}"] = forms.CharField(
                label=_("Rationale for the different disposition"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Allegation, Any, Any]]:
        return [(a, self[f"d{a.pk}"], self[f"r{a.pk}"]) for a in self.allegations]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        proposals = []
        for allegation in self.allegations:
            disposition = data.get(f"d{allegation.pk}") or ""
            rationale = (data.get(f"r{allegation.pk}") or "").strip()
            if disposition and not rationale:
                self.add_error(f"r{allegation.pk}", _("Give a rationale for the different disposition."))
            elif rationale and not disposition:
                self.add_error(f"d{allegation.pk}", _("Choose the disposition you propose."))
            elif disposition:
                proposals.append((allegation, disposition, rationale))
        data["proposals"] = proposals
        return data


class RecusalForm(forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("Member"), queryset=get_user_model().objects.none())
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members


# --- Helpers -------------------------------------------------------------------------------------


def _board_case(request: HttpRequest, tracking_number: str) -> tuple[Complaint, bool]:
    """The case (404 for anyone who may not see it), and whether the user sits on the board for it.

    Current members not recused see the board page; supervisors see it read-only; anyone else,
    and any recused member whatever else they hold, gets 404.
    """
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    user = request.user
    if is_recused(user, complaint):
        raise Http404
    member = is_current_member(user)
    if not member and not user.has_perm("complaints.view_all_complaints"):
        raise Http404
    return complaint, member


def _members_to_recuse(complaint: Complaint) -> Any:
    ids = current_memberships().values("member_id")
    return (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .exclude(recusals__complaint=complaint)
        .order_by("last_name", "username")
    )


def _allegations(complaint: Complaint) -> list[Allegation]:
    return list(
        Allegation.objects.filter(complaint=complaint)
        .select_related("category", "subject_officer__officer", "finding")
        .order_by("id")
    )


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
    allegations = _allegations(complaint)
    for allegation in allegations:
        allegation.proposed = getattr(allegation, "finding", None)
    may_vote = member and services.may_vote(user, complaint)
    own_vote = services.live_vote_of(complaint, user) if member else None
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
        chair_form = RecusalForm(members=_members_to_recuse(complaint).exclude(pk=user.pk), prefix="chair")
    if chair_form is not None:
        add_usa_classes(chair_form)
    bound = [f for f in (vote_form, recusal_form, chair_form) if f is not None and f.is_bound and f.errors]
    return render(
        request,
        "investigations/board/case.html",
        {
            **case_context(request, complaint, tab="board"),
            "allegations": allegations,
            "member": member,
            "votes": list(services.live_votes(complaint)),
            "own_vote": own_vote,
            "vote_form": vote_form if may_vote else None,
            "recusal_form": recusal_form if member else None,
            "chair": chair,
            "chair_form": chair_form if chair else None,
            "recusals": list(services.recusals_for(complaint)) if chair else [],
            "quorum": services.board_quorum_status(complaint),
            "forms_with_errors": bound,
        },
        status=400 if bound else 200,
    )


# --- Views ---------------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not is_current_member(request.user):
        raise Http404
    return render(request, "investigations/board/queue.html", {"cases": services.board_queue_for(request.user)})


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
    form = VoteForm(request.POST, allegations=_allegations(complaint))
    if form.is_valid():
        own = services.live_vote_of(complaint, request.user)
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
            return redirect("cases:board_case", tracking_number)
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
            request.POST, members=_members_to_recuse(complaint).exclude(pk=request.user.pk), prefix="chair"
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
                return redirect("cases:board_case", tracking_number)
            messages.success(request, _("Your recusal was recorded. You no longer have access to this case."))
            return redirect("cases:board_queue")
    if by_chair:
        return _render(request, complaint, member, chair_form=form)
    return _render(request, complaint, member, recusal_form=form)


urlpatterns = [
    path("", queue, name="board_queue"),
    path("<str:tracking_number>/", case, name="board_case"),
    path("<str:tracking_number>/vote/", vote, name="board_vote"),
    path("<str:tracking_number>/recuse/", recuse, name="board_recuse"),
]
