"""Early intervention's forms: the queue's filters, a rule (its kind first, then the parameters that
kind takes), closing a flag, and a note on it."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from investigations.models import Disposition
from oversight.input_guard import CheckedInputMixin

from . import rules
from .models import Flag, RuleKind, Threshold
from .selectors import STATUS_ALL, STATUS_OPEN_ANY

STATUS_CHOICES = [
    (STATUS_OPEN_ANY, _("Open or under review")),
    (Flag.Status.OPEN, _("Open")),
    (Flag.Status.UNDER_REVIEW, _("Under review")),
    (Flag.Status.CLOSED, _("Closed")),
    (STATUS_ALL, _("All flags")),
]


class QueueFilterForm(CheckedInputMixin, forms.Form):
    """The queue's filters. A value not on the list is reported on the page and left out; the
    other filter still applies."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=STATUS_CHOICES,
        error_messages={"invalid_choice": _("That status is not on the list, so open flags are shown.")},
    )
    rule = forms.ChoiceField(
        label=_("Rule"),
        required=False,
        error_messages={"invalid_choice": _("That rule is not on the list, so flags of every rule are shown.")},
    )

    def __init__(self, *args: Any, rule_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("All rules")), *[(str(pk), name) for pk, name in rule_choices]]
        for field in self.fields.values():
            field.widget.attrs["class"] = "usa-select"

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        rule = data.get("rule") or ""
        return {"status": data.get("status") or STATUS_OPEN_ANY, "threshold_id": int(rule) if rule else None}


class RuleKindForm(CheckedInputMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of rule"),
        choices=RuleKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a kind of rule."), "invalid_choice": _("Choose a kind of rule.")},
    )


_COUNT_LABELS = {
    RuleKind.COMPLAINTS: _("Complaints, at least"),
    RuleKind.ALLEGATIONS: _("Allegations, at least"),
    RuleKind.FINDING: _("Allegations with that finding, at least"),
    RuleKind.PEER_PERCENTILE: _("Complaints, at least"),
}
_COUNT_HELP = {
    RuleKind.PEER_PERCENTILE: _("An officer with fewer complaints is never flagged, whatever their peers' figure."),
    RuleKind.FINDING: _("With 1, a single such allegation is enough."),
}


class ThresholdForm(CheckedInputMixin, forms.Form):
    """A rule's name, whether it is in force, and the parameters its kind takes. Editing, a note is
    asked for: a change of parameters makes a new version and keeps the reason with it."""

    name = forms.CharField(label=_("Name"), max_length=Threshold._meta.get_field("name").max_length)
    is_active = forms.BooleanField(label=_("In force: evaluated every night and after imports"), required=False)
    count = forms.IntegerField(label=_("At least"), min_value=1, max_value=rules.COUNT_MAX)
    window_months = forms.IntegerField(label=_("Period, in months"), min_value=1, max_value=rules.WINDOW_MAX)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, help_text=_("Its sub-categories count too."))
    disposition = forms.ChoiceField(label=_("Final finding"), choices=Disposition.choices)
    percentile = forms.DecimalField(
        label=_("Percentile of the peer group"),
        min_value=rules.PERCENTILE_MIN,
        max_value=rules.PERCENTILE_MAX,
        max_digits=5,
        decimal_places=2,
        help_text=_("For example 95: the officer's complaints reach those of the top 5% of their peers."),
    )
    minimum_peers = forms.IntegerField(
        label=_("Smallest peer group"),
        min_value=rules.PEERS_MIN,
        max_value=rules.PEERS_MAX,
        help_text=_("Officers in smaller groups (same agency, unit and rank) are not compared."),
    )
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self, *args: Any, kind: str, category_choices: list[tuple[int, str]], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["is_active"].hide_optional = True
        self.fields["category"].choices = [("", _("Choose a category")), *category_choices]
        self.fields["disposition"].choices = [("", _("Choose a finding")), *Disposition.choices]
        self.fields["count"].label = _COUNT_LABELS[kind]
        if kind in _COUNT_HELP:
            self.fields["count"].help_text = _COUNT_HELP[kind]
        if kind == RuleKind.FINDING:
            self.fields["window_months"].required = False
            self.fields["window_months"].help_text = _("Leave empty to look at every allegation on record.")
        for name in ("count", "window_months", "category", "disposition", "percentile", "minimum_peers"):
            if name not in rules.PARAMETERS[kind]:
                del self.fields[name]
        if editing:
            self.fields["note"].label = _("Reason for the change")
            self.fields["note"].help_text = _(
                "Needed when the numbers change: it is kept with the new version. Write no names."
            )
        else:
            self.fields["note"].label = _("Note")
            self.fields["note"].help_text = _("Why this rule: kept with its first version. Write no names.")
            del self.fields["expected_version"]

    def parameter_fields(self) -> list[forms.BoundField]:
        """The fields of the rule's parameters, in the order the kind lists them."""
        return [self[name] for name in rules.PARAMETERS[self.kind]]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in rules.PARAMETERS[self.kind]}

    @staticmethod
    def initial_for(threshold: Threshold) -> dict[str, Any]:
        version = threshold.current_version
        initial: dict[str, Any] = {"name": threshold.name, "is_active": threshold.is_active}
        if version is not None:
            initial.update(
                count=version.count,
                window_months=version.window_months,
                category=version.category_id,
                disposition=version.disposition,
                percentile=version.percentile,
                minimum_peers=version.minimum_peers,
                expected_version=version.number,
            )
        return initial


class CloseForm(CheckedInputMixin, forms.Form):
    action = forms.ChoiceField(
        label=_("What was done"),
        choices=Flag.Action.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what was done about this flag.")},
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was reviewed and why this action. Write no names of complainants or witnesses."),
        error_messages={"required": _("Write a note: what was reviewed and why this action.")},
    )
    expected = forms.ChoiceField(choices=Flag.Status.choices, widget=forms.HiddenInput, required=False)


class NoteForm(CheckedInputMixin, forms.Form):
    note = forms.CharField(
        label=_("Add a note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example a follow-up after the action. Write no names of complainants or witnesses."),
        error_messages={"required": _("Write the note.")},
    )
