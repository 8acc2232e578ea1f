"""Retention's forms: placing a legal hold, releasing one, and confirming a destruction."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oversight.input_guard import CheckedInputMixin

from .models import LegalHold


class HoldForm(CheckedInputMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of hold"), choices=LegalHold.Kind.choices, widget=forms.RadioSelect
    )
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        required=False,
        max_length=LegalHold._meta.get_field("reference").max_length,
        help_text=gettext_lazy("A court case number or request number. Do not write a person's name."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the records must be kept"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Write no names of complainants or witnesses."),
    )


class ReleaseForm(CheckedInputMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the hold is released"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: the litigation has ended, or the request has been answered."),
    )


class DestroyForm(CheckedInputMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: the retention period under Penal Code 832.5 has passed and no hold applies. "
            "Write no names: the reason is kept with the case's record."
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this removes the case's personal data and files for good."),
    )
    tracking_number = forms.CharField(
        label=gettext_lazy("Type the case's tracking number to confirm"),
        max_length=32,
    )

    def __init__(self, *args: Any, expected_number: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected_number = expected_number
        self.fields["confirm"].hide_optional = True

    def clean_tracking_number(self) -> str:
        value = self.cleaned_data["tracking_number"].strip()
        if value.upper() != self.expected_number.upper():
            raise forms.ValidationError(_("That is not this case's tracking number."))
        return value
