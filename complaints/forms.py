from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from oversight.models import District

from .models import Complaint


class IntakeQueueFilterForm(forms.Form):
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any"))] + Complaint.Channel.choices
    )
    district = forms.ModelChoiceField(
        label=_("District"), required=False, queryset=District.objects.order_by("code"), empty_label=_("Any")
    )
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[("", _("Any")), *settings.LANGUAGES])
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("oldest", _("Longest waiting first")), ("newest", _("Newest first"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "usa-select" if isinstance(field.widget, forms.Select) else "usa-input"
