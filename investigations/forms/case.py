from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from complaints.models import AllegationCategory, Complaint
from oversight.input_guard import CheckedInputMixin
from oversight.models import Officer
from oversight.templatetags.people import person_name

from ..models import CaseNote, Investigation


class ExpectedStatusForm(CheckedInputMixin, forms.Form):
    """Every case action carries the status the actor saw, so a concurrent change is caught."""

    expected_status = forms.ChoiceField(choices=Complaint.Status.choices, widget=forms.HiddenInput)


class MoveForm(ExpectedStatusForm):
    to_status = forms.ChoiceField(choices=Complaint.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(ExpectedStatusForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=Investigation.Priority.choices, initial="normal")
    discovery_date = forms.DateField(
        label=_("Discovery date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When the agency learned of the conduct. Leave empty to use the date received."),
    )


class ReferForm(ExpectedStatusForm):
    agency = forms.CharField(label=_("Agency"), max_length=200, help_text=_("The resident is told this name."))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(ExpectedStatusForm):
    reason_code = forms.ChoiceField(
        label=_("Why is it closed?"),
        choices=[(v, label) for v, label in Complaint.ClosureReason.choices if v != Complaint.ClosureReason.DUPLICATE],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note for staff"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DuplicateForm(ExpectedStatusForm):
    original = forms.CharField(
        label=_("Tracking number of the complaint it duplicates"),
        max_length=32,
        help_text=_("For example: CPC-2026-00042"),
    )

    def clean_original(self) -> str:
        return self.cleaned_data["original"].strip().upper()


class AssignForm(CheckedInputMixin, forms.Form):
    investigator = forms.ModelChoiceField(label=_("Investigator"), queryset=get_user_model().objects.none())
    lead = forms.BooleanField(label=_("Lead investigator"), required=False)

    def __init__(self, *args, investigators=None, **kwargs):
        super().__init__(*args, **kwargs)
        if investigators is not None:
            self.fields["investigator"].queryset = investigators
        self.fields["investigator"].label_from_instance = person_name


class NoteForm(CheckedInputMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseNote.Kind.choices, initial=CaseNote.Kind.NOTE)
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)


class AllegationForm(CheckedInputMixin, forms.Form):
    """Add an allegation, or reclassify one (with ``allegation_id``)."""

    allegation_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subject_officer = forms.ChoiceField(label=_("Officer"))
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=AllegationCategory.objects.filter(is_active=True).select_related("parent").order_by("sort_order"),
    )

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_officer"].choices = [(s.pk, str(s)) for s in subjects]
        # The categories are read once: the add form's select and each allegation's reclassify
        # select on the case page are drawn from this list.
        category = self.fields["category"]
        self.category_options = list(category.queryset)
        category.choices = [("", category.empty_label), *((c.pk, str(c)) for c in self.category_options)]


class LinkOfficerForm(CheckedInputMixin, forms.Form):
    subject_officer_id = forms.IntegerField(widget=forms.HiddenInput)
    badge_number = forms.CharField(label=_("Roster badge number"), max_length=32)

    def clean_badge_number(self) -> str:
        badge = self.cleaned_data["badge_number"].strip()
        if not Officer.objects.filter(badge_number=badge).exists():
            raise forms.ValidationError(_("No officer on the roster has that badge number."))
        return badge
