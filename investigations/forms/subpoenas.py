from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from ..models import BoardMeeting, EvidenceItem, Subpoena, SubpoenaVote
from ..subpoena_workflow import SubpoenaMove, note_required, vote_required

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SubpoenaDraftForm(forms.ModelForm):
    class Meta:
        model = Subpoena
        fields = ["recipient_kind", "recipient_name", "recipient_address", "demand", "description", "due_date"]
        widgets = {
            "recipient_address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "due_date": DATE_WIDGET,
        }
        help_texts = {
            "description": _("The documents, records or testimony the recipient must produce."),
            "due_date": _("The date the recipient must comply by."),
        }


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: EvidenceItem) -> str:
        return f"{obj.label} · {obj.get_kind_display()} · {obj.description[:80]}"


def vote_label(vote: SubpoenaVote) -> str:
    when = vote.meeting.date if vote.meeting_id else timezone.localtime(vote.created_at).date()
    counts = gettext_now("%(for)d for, %(against)d against, %(abstain)d abstaining") % {
        "for": vote.votes_for,
        "against": vote.votes_against,
        "abstain": vote.abstentions,
    }
    label = f"{when:%Y-%m-%d} · {counts}"
    return f"{label} · {vote.motion[:60]}" if vote.motion else label


class VoteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SubpoenaVote) -> str:
        return vote_label(obj)


class SubpoenaVoteForm(forms.ModelForm):
    """The board chair records the board's vote on authorizing a subpoena."""

    prefix = "vote"

    class Meta:
        model = SubpoenaVote
        fields = ["meeting", "votes_for", "votes_against", "abstentions", "motion"]
        widgets = {"motion": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "meeting": _("The board meeting where the vote was taken, if it is on the calendar."),
            "abstentions": _("Abstentions count toward quorum."),
            "motion": _("The motion as put to the board."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = BoardMeeting.objects.order_by("-date")
        self.fields["meeting"].label_from_instance = lambda meeting: f"{meeting.date:%Y-%m-%d}"


class SubpoenaMoveForm(forms.Form):
    """One move on one subpoena. The fields depend on the move: a note (required for some), the
    service method and date when recording service, the returned evidence with compliance, and the
    passed board vote when authorizing by board vote."""

    def __init__(self, *args: Any, move: SubpoenaMove, evidence: Any = None, votes: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", move.action)
        super().__init__(*args, **kwargs)
        self.move = move
        self.needs_vote = vote_required(move)
        if self.needs_vote:
            self.fields["authorizing_vote"] = VoteChoiceField(
                label=_("Board vote"),
                queryset=votes if votes is not None else SubpoenaVote.objects.none(),
                empty_label="—",
                help_text=_("The recorded board vote on this subpoena that passed."),
            )
        if move.needs_service:
            self.fields["service_method"] = forms.ChoiceField(
                label=_("Service method"), choices=[("", "—"), *Subpoena.ServiceMethod.choices]
            )
            self.fields["served_at"] = forms.DateField(label=_("Date served"), widget=DATE_WIDGET)
        if move.takes_returns:
            self.fields["return_items"] = EvidenceChoiceField(
                label=_("Evidence received in return"),
                queryset=evidence if evidence is not None else EvidenceItem.objects.none(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Record what was produced as evidence first, then link it here."),
            )
        required = note_required(move)
        self.fields["note"] = forms.CharField(
            label=_("Reason") if required else _("Note"), required=required, widget=forms.Textarea(attrs={"rows": 2})
        )
