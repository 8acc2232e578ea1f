from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin

from ..models import EvidenceItem, Subpoena
from ..subpoena_workflow import SubpoenaMove, needs_service, note_required, takes_returns

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SubpoenaDraftForm(CheckedInputMixin, forms.ModelForm):
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


class SubpoenaMoveForm(CheckedInputMixin, forms.Form):
    """One move on one subpoena. The fields depend on the move: a note (required for some), the
    service method and date when recording service, and the returned evidence with compliance."""

    def __init__(self, *args: Any, move: SubpoenaMove, evidence: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", move.action)
        super().__init__(*args, **kwargs)
        self.move = move
        if needs_service(move):
            self.fields["service_method"] = forms.ChoiceField(
                label=_("Service method"), choices=[("", "—"), *Subpoena.ServiceMethod.choices]
            )
            self.fields["served_at"] = forms.DateField(label=_("Date served"), widget=DATE_WIDGET)
        if takes_returns(move):
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
