from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Disposition


class FindingForm(forms.Form):
    """The proposed finding on one allegation (prefixed per allegation on the findings page)."""

    disposition = forms.ChoiceField(label=_("Proposed disposition"), choices=[("", "—"), *Disposition.choices])
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The evidence and reasoning that support this disposition."),
    )


class PublicSummaryForm(forms.Form):
    text = forms.CharField(
        label=_("Public summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A plain summary for the public. It will be redacted before publication; write no names."),
    )


class FindingsSubmitForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)
