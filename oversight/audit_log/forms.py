from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from oversight import audit

from .selectors import AuditLogFilters


def _action_choices() -> list[tuple[str, str]]:
    return [("", _("Any action")), *sorted(((code, label) for code, label in audit.ACTIONS.items()), key=_by_label)]


def _by_label(choice: tuple[str, object]) -> str:
    return str(choice[1]).lower()


def _target_type_choices() -> list[tuple[str, str]]:
    """Every kind of record an event can be about: the project's models, by their names."""
    models = [m for m in apps.get_models() if not m._meta.label_lower.split(".")[1].startswith("historical")]
    choices = sorted(
        ((m._meta.label_lower, f"{capfirst(m._meta.verbose_name)} ({m._meta.label_lower})") for m in models),
        key=lambda choice: choice[1].lower(),
    )
    return [("", _("Any type")), *choices]


class AuditLogFilterForm(forms.Form):
    """The audit log's filters, all optional. A value that cannot be read is reported beside its
    field and left out; the other filters still apply."""

    actor = forms.CharField(
        label=_("Who (username)"), required=False, max_length=150, help_text=_("The exact username.")
    )
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_action_choices)
    tracking_number = forms.CharField(
        label=_("Tracking number"), required=False, max_length=64, help_text=_("For example CPC-2026-00042.")
    )
    target_type = forms.ChoiceField(label=_("Record type"), required=False, choices=_target_type_choices)
    target_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_actor(self) -> str:
        return self.cleaned_data["actor"].strip()

    def clean_tracking_number(self) -> str:
        return self.cleaned_data["tracking_number"].strip().upper()

    def clean_target_id(self) -> str:
        return self.cleaned_data["target_id"].strip()

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", ValidationError(_("The end date is before the start date.")))
        return data

    def filters(self) -> AuditLogFilters:
        """The filters to apply: every field that was valid (an invalid one filters nothing)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return AuditLogFilters(
            actor=data.get("actor", ""),
            action=data.get("action", ""),
            target_type=data.get("target_type", ""),
            target_id=data.get("target_id", ""),
            tracking_number=data.get("tracking_number", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
