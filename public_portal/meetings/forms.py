"""Forms of the staff meeting pages. The public pages take no input but the page number."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from investigations.board.membership import current_memberships
from oversight.input_guard import CheckedInputMixin

from .services import MAX_AGENDA_ITEMS


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class MeetingForm(CheckedInputMixin, forms.Form):
    """A meeting's title, time, place and public agenda (one item a line, in English and, line by
    line, optionally in Spanish)."""

    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("For example: Regular board meeting."))
    title_es = forms.CharField(label=_("Title in Spanish"), max_length=200, required=False)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), help_text=_("Local time.")
    )
    ends = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    place = forms.CharField(
        label=_("Place"),
        max_length=300,
        required=False,
        help_text=_("The room and address. Leave empty for a meeting held only online."),
    )
    remote_url = forms.URLField(
        label=_("Link to join remotely"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("The address people use to watch or join, starting with https://."),
    )
    agenda = forms.CharField(
        label=_("Public agenda"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=20000,
        help_text=_("One item a line. Never write a complainant's name, a tracking number or other personal details."),
    )
    agenda_es = forms.CharField(
        label=_("Public agenda in Spanish"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=20000,
        help_text=_("Optional. The same items in the same order, one a line."),
    )

    def clean_remote_url(self) -> str:
        url = self.cleaned_data.get("remote_url") or ""
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Give a web address starting with https://."))
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        english, spanish = _lines(data.get("agenda", "")), _lines(data.get("agenda_es", ""))
        if len(english) > MAX_AGENDA_ITEMS:
            self.add_error("agenda", _("An agenda has at most %(count)s items.") % {"count": MAX_AGENDA_ITEMS})
        if spanish and len(spanish) != len(english):
            self.add_error(
                "agenda_es",
                _("Give the Spanish agenda the same number of items as the English one (%(count)s), or leave it empty.")
                % {"count": len(english)},
            )
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day and starts and ends:
            data["starts_at"] = timezone.make_aware(datetime.combine(day, starts))
            data["ends_at"] = timezone.make_aware(datetime.combine(day, ends))
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("ends", _("The meeting must end after it starts."))
        if len(spanish) != len(english):
            spanish = []
        data["items"] = [(text, spanish[i] if spanish else "") for i, text in enumerate(english)]
        return data

    @classmethod
    def initial_for(cls, meeting: Any, items: list[Any]) -> dict[str, Any]:
        starts = timezone.localtime(meeting.starts_at) if meeting.starts_at else None
        ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
        return {
            "title": meeting.title,
            "title_es": meeting.title_es,
            "day": starts.date() if starts else meeting.date,
            "starts": starts.time().replace(second=0, microsecond=0) if starts else None,
            "ends": ends.time().replace(second=0, microsecond=0) if ends else None,
            "place": meeting.place,
            "remote_url": meeting.remote_url,
            "agenda": "\n".join(item.text for item in items),
            "agenda_es": "\n".join(item.text_es for item in items) if any(i.text_es for i in items) else "",
        }


class StepForm(CheckedInputMixin, forms.Form):
    """A lifecycle step's confirmation: the status the page showed, so a stale page is refused."""

    expected = forms.CharField(max_length=24, required=False, widget=forms.HiddenInput)


class DecisionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        day = timezone.localtime(obj.created_at)
        return f"{obj.complaint.tracking_number} · {obj.get_kind_display()} · {day:%Y-%m-%d}"


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class HeldForm(StepForm):
    decisions = DecisionChoice(
        label=_("Decisions taken at this meeting"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Decisions on cases on the agenda or recorded on the meeting's date. The public sees a decided case "
            "only as its published record."
        ),
    )
    attendees = MemberChoice(
        label=_("Board members present"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, meeting: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["decisions"].queryset = candidates
        members = current_memberships(meeting.date).values("member_id")
        self.fields["attendees"].queryset = (
            get_user_model().objects.filter(pk__in=members).order_by("last_name", "first_name", "id")
        )


class MinutesForm(CheckedInputMixin, forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=100000,
        help_text=_(
            "What the board discussed and decided, in plain words. Never a complainant's name, a tracking "
            "number or other personal details: the minutes are published."
        ),
    )
    minutes_es = forms.CharField(
        label=_("Minutes in Spanish"), widget=forms.Textarea(attrs={"rows": 10}), max_length=100000, required=False
    )
