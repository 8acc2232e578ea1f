from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin

from ..models import CustodyEvent, EvidenceItem
from ..services.evidence import MANUAL_CUSTODY_ACTIONS


class EvidenceForm(CheckedInputMixin, forms.Form):
    """Receive an item of evidence. There is deliberately no form that edits an item afterwards:
    the hash and file never change, and corrections are recorded as notes."""

    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=[("", "—"), *EvidenceItem.Kind.choices])
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_(
            "Who or where it came from, for example: the complainant, a witness, the department's records unit."
        ),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    received_date = forms.DateField(
        label=_("Date received"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave the date and time empty if it is being received now."),
    )
    received_time = forms.TimeField(
        label=_("Time received"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "Optional: physical items have no file. Its SHA-256 fingerprint is taken when it is received "
            "and never changes. Photos, PDFs, audio, video, plain text and office documents are accepted."
        ),
    )

    def clean(self):
        data = super().clean()
        day, time = data.get("received_date"), data.get("received_time")
        if day and not time:
            self.add_error("received_time", _("Give the time it was received too."))
        elif time and not day:
            self.add_error("received_date", _("Give the date it was received too."))
        data["received_at"] = timezone.make_aware(datetime.combine(day, time)) if day and time else None
        return data


class CustodyForm(CheckedInputMixin, forms.Form):
    action = forms.ChoiceField(
        label=_("What happened"),
        choices=[(value, label) for value, label in CustodyEvent.Action.choices if value in MANUAL_CUSTODY_ACTIONS],
        widget=forms.RadioSelect,
        help_text=_(
            "Downloads are recorded automatically. Recording “destroyed” stops further downloads; "
            "it does not delete the stored file, which follows the retention procedure."
        ),
    )
    counterparty = forms.CharField(
        label=_("To or from"),
        max_length=200,
        required=False,
        help_text=_("The person, agency or place it went to or came back from. Required for a transfer or return."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required for destruction: say how and on whose authority. Corrections to an item's details go here too."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required for some actions only (the hints say which): "optional" would mislead.
        self.fields["counterparty"].hide_optional = True
        self.fields["note"].hide_optional = True
