from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin
from oversight.models import District

from .models import Complaint


class IntakeQueueFilterForm(CheckedInputMixin, forms.Form):
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


class ComplaintListFilterForm(CheckedInputMixin, forms.Form):
    """The staff case list's filters. A value that is not on the list (an unknown status, a
    district id that does not exist or is not a number) is reported on the page and left out;
    the other filter still applies."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Complaint.Status.choices],
        error_messages={
            "invalid_choice": _("That status is not on the list, so complaints in every status are shown.")
        },
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.order_by("code"),
        empty_label=_("All districts"),
        error_messages={
            "invalid_choice": _("That district is not on the list, so complaints from every district are shown.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "usa-select"

    def filters(self) -> dict:
        """The filters to apply: those that were valid (``status``, ``district_id``), else None."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})  # holds the fields that passed, even if others failed
        district = data.get("district")
        return {"status": data.get("status") or None, "district_id": district.pk if district else None}
