"""Board review's forms: a member's vote, a recusal, the chair's decision, the department's
response, and the chair's record of the board's vote on a subpoena."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Allegation
from investigations.models import Disposition
from investigations.models.findings import disposition_definitions
from oversight.input_guard import CheckedInputMixin
from oversight.templatetags.people import person_name

from .models import BoardDecision, BoardMeeting, DepartmentResponse, SubpoenaVote, Vote


class VoteForm(CheckedInputMixin, forms.Form):
    choice = forms.ChoiceField(label=gettext_lazy("Your vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, allegations: list[Allegation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allegations = allegations
        choices = [("", _("No different disposition")), *Disposition.choices]
        for allegation in allegations:
            self.fields[f"d{allegation.pk}"] = forms.ChoiceField(
                label=_("Proposed disposition"),
                choices=choices,
                required=False,
                help_text=_("What each disposition means is explained just below."),
            )
            self.fields[f"r{allegation.pk}"] = forms.CharField(
                label=_("Rationale for the different disposition"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Required if you propose a different disposition."),
            )
            # The group's legend says it is optional; the rationale is required with a proposal.
            self.fields[f"d{allegation.pk}"].hide_optional = True
            self.fields[f"r{allegation.pk}"].hide_optional = True

    def disposition_definitions(self) -> list[tuple[str, str, str]]:
        return disposition_definitions()

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


class RecusalForm(CheckedInputMixin, forms.Form):
    member = forms.ModelChoiceField(label=gettext_lazy("Member"), queryset=get_user_model().objects.none())
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members
            self.fields["member"].label_from_instance = person_name


class DecisionForm(CheckedInputMixin, forms.Form):
    """The chair's decision, with a final disposition, rationale and discipline per allegation."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=BoardDecision.Kind.choices, widget=forms.RadioSelect
    )
    instructions = forms.CharField(
        label=gettext_lazy("Instructions for the investigator (required to remand)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args: Any, allegations: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        discipline = [("", gettext_lazy("— none —"))] + [
            (v, v.replace("_", " ").capitalize()) for v in settings.DISCIPLINE_SCALE
        ]
        # Each label says when its field is required, so the "optional" marker would contradict it.
        self.fields["instructions"].hide_optional = True
        self.rows = []
        for allegation in allegations:
            finding = getattr(allegation, "finding", None)
            if finding is None:
                continue
            key = allegation.pk
            self.fields[f"final_{key}"] = forms.ChoiceField(
                label=gettext_lazy("Final disposition"),
                choices=Disposition.choices,
                initial=finding.proposed_disposition,
                required=False,
                help_text=gettext_lazy(
                    "Counts only if the board modifies the findings; adopting keeps the proposed disposition. "
                    "What each disposition means is explained just below."
                ),
            )
            self.fields[f"rationale_{key}"] = forms.CharField(
                label=gettext_lazy("Board rationale (required if it differs from the proposal)"),
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
            self.fields[f"discipline_{key}"] = forms.ChoiceField(
                label=gettext_lazy("Recommended discipline (required if the final disposition is sustained)"),
                choices=discipline,
                required=False,
            )
            for name in (f"final_{key}", f"rationale_{key}", f"discipline_{key}"):
                self.fields[name].hide_optional = True
            self.rows.append(allegation)

    def disposition_definitions(self) -> list[tuple[str, str, str]]:
        return disposition_definitions()

    def clean(self) -> dict[str, Any]:
        """Check each allegation's final the way the decision service will, so the error lands next
        to the field it concerns (the service checks again and stays the authority)."""
        data = super().clean()
        kind = data.get("kind")
        if kind not in (BoardDecision.Kind.ADOPT, BoardDecision.Kind.MODIFY):
            return data
        for allegation in self.rows:
            key, proposed = allegation.pk, allegation.finding.proposed_disposition
            final = proposed
            if kind == BoardDecision.Kind.MODIFY:
                final = data.get(f"final_{key}") or proposed
                rationale = (data.get(f"rationale_{key}") or "").strip()
                if final != proposed and not rationale:
                    self.add_error(
                        f"rationale_{key}",
                        _("Give the board's rationale for changing the finding on “%(allegation)s”.")
                        % {"allegation": allegation},
                    )
            if final == Disposition.SUSTAINED and not data.get(f"discipline_{key}"):
                self.add_error(
                    f"discipline_{key}",
                    _("Recommend discipline for the sustained finding on “%(allegation)s”.")
                    % {"allegation": allegation},
                )
        return data

    def bound_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "allegation": a,
                "finding": a.finding,
                "final": self[f"final_{a.pk}"],
                "rationale": self[f"rationale_{a.pk}"],
                "discipline": self[f"discipline_{a.pk}"],
            }
            for a in self.rows
        ]

    def finals(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {a.pk: (data.get(f"final_{a.pk}", ""), data.get(f"rationale_{a.pk}", "")) for a in self.rows}

    def discipline(self) -> dict[int, str]:
        """Adopt keeps the proposals, so the discipline applies to the sustained proposals."""
        return {a.pk: self.cleaned_data.get(f"discipline_{a.pk}", "") for a in self.rows}


class DepartmentResponseForm(CheckedInputMixin, forms.Form):
    response = forms.ChoiceField(
        label=gettext_lazy("Department's response"),
        choices=[("", gettext_lazy("— choose —")), *DepartmentResponse.Response.choices],
    )
    responded_on = forms.DateField(
        label=gettext_lazy("Date of response"), widget=forms.DateInput(attrs={"type": "date"})
    )
    discipline_imposed = forms.CharField(
        label=gettext_lazy("Discipline imposed"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Required if the department accepted or modified the recommendation."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["discipline_imposed"].hide_optional = True


def vote_label(vote: SubpoenaVote) -> str:
    when = vote.meeting.date if vote.meeting_id else timezone.localtime(vote.created_at).date()
    counts = _("%(for)d for, %(against)d against, %(abstain)d abstaining") % {
        "for": vote.votes_for,
        "against": vote.votes_against,
        "abstain": vote.abstentions,
    }
    label = f"{when:%Y-%m-%d} · {counts}"
    return f"{label} · {vote.motion[:60]}" if vote.motion else label


class VoteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SubpoenaVote) -> str:
        return vote_label(obj)


class SubpoenaVoteForm(CheckedInputMixin, forms.ModelForm):
    """The board chair records the board's vote on authorizing a subpoena."""

    prefix = "vote"

    class Meta:
        model = SubpoenaVote
        fields = ["meeting", "votes_for", "votes_against", "abstentions", "motion"]
        widgets = {"motion": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "meeting": gettext_lazy("The board meeting where the vote was taken, if it is on the calendar."),
            "abstentions": gettext_lazy("Abstentions count toward quorum."),
            "motion": gettext_lazy("The motion as put to the board."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = BoardMeeting.objects.order_by("-date")
        self.fields["meeting"].label_from_instance = lambda meeting: f"{meeting.date:%Y-%m-%d}"
