"""Forms of the publication pages: the queue's filter, the draft's text, "redact more", and a move."""

from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin
from oversight.models import District

from .models import Publication
from .services import MANUAL_CATEGORIES

READY = "ready"


def queue_views() -> list[tuple[str, str]]:
    return [
        (READY, _("Ready to draft")),
        (Publication.Status.DRAFT, _("Drafts")),
        (Publication.Status.APPROVED, _("Approved")),
        (Publication.Status.PUBLISHED, _("Published")),
        (Publication.Status.SUPERSEDED, _("Superseded")),
        (Publication.Status.RETRACTED, _("Retracted")),
        (Publication.Status.DISCARDED, _("Discarded")),
    ]


class QueueFilterForm(CheckedInputMixin, forms.Form):
    """The queue's filter, read from the query string."""

    show = forms.ChoiceField(label=_("Show"), required=False, choices=queue_views)
    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.order_by("agency_id", "code"),
        empty_label=_("Any district"),
    )
    q = forms.CharField(
        label=_("Tracking number or public id"),
        required=False,
        max_length=32,
        help_text=_("The whole number, for example CPC-2026-00042 or D-7K3M9QXA."),
    )

    def choices(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "show": data.get("show") or READY,
            "district": data.get("district"),
            "q": (data.get("q") or "").strip().upper(),
        }


MANUAL_LABELS = {
    "name": _("A name"),
    "email": _("An email address"),
    "phone": _("A phone number"),
    "address": _("An address"),
    "plate": _("A license plate"),
    "date_of_birth": _("A date of birth"),
    "ssn": _("A Social Security number"),
    "drivers_license": _("A driver's license number"),
    "description": _("An age, race and sex description"),
    "other": _("Something else that identifies someone"),
}


class SummaryForm(CheckedInputMixin, forms.Form):
    summary = forms.CharField(
        label=_("Public summary"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("What the public will read. Name no resident; officers only where the policy names them."),
    )
    based_on = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class RedactMoreForm(CheckedInputMixin, forms.Form):
    phrase = forms.CharField(
        label=_("Text to remove everywhere"),
        max_length=200,
        help_text=_("Every place it appears in the draft goes, whatever its capitals."),
    )
    category = forms.ChoiceField(
        label=_("What it is"), choices=[(value, MANUAL_LABELS[value]) for value in MANUAL_CATEGORIES]
    )
    based_on = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class MoveForm(CheckedInputMixin, forms.Form):
    expected_status = forms.ChoiceField(widget=forms.HiddenInput, choices=Publication.Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the record for staff; the public is not shown it."),
    )
