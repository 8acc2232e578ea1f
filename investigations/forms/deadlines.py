from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin

from ..models import TollingPeriod

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


class TollingAddForm(CheckedInputMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Why the clock stops"), choices=TollingPeriod.Reason.choices)
    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(**DATE_WIDGET),
        help_text=_("The first day the clock stops. It cannot be in the future."),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(**DATE_WIDGET),
        help_text=_("The last day it stops. Leave empty while it lasts; you can end it later."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the court case or the waiver it rests on."),
    )

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start > timezone.localdate():
            raise forms.ValidationError(_("The start cannot be in the future."))
        return start

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        return cleaned


class TollingEndForm(CheckedInputMixin, forms.Form):
    end = forms.DateField(
        label=_("Last day of tolling"),
        widget=forms.DateInput(**DATE_WIDGET),
        help_text=_("The clock runs again from the next day."),
    )

    def __init__(self, *args, period: TollingPeriod | None = None, **kwargs):
        kwargs.setdefault("prefix", f"end-{period.pk}" if period is not None else "end")
        super().__init__(*args, **kwargs)
        self.period = period
        if not self.is_bound:
            self.initial.setdefault("end", timezone.localdate())

    def clean_end(self):
        end = self.cleaned_data["end"]
        if end > timezone.localdate():
            raise forms.ValidationError(_("The end cannot be in the future."))
        if self.period is not None and end < self.period.start:
            raise forms.ValidationError(_("The end cannot be before the start."))
        return end


class DiscoveryDateForm(CheckedInputMixin, forms.Form):
    discovery_date = forms.DateField(
        label=_("Discovery date"),
        widget=forms.DateInput(**DATE_WIDGET),
        help_text=_("When the agency learned of the conduct. The deadline clock starts on this day."),
    )

    def clean_discovery_date(self):
        value = self.cleaned_data["discovery_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The discovery date cannot be in the future."))
        return value
