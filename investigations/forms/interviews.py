from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin
from oversight.templatetags.people import person_name

from ..models import EvidenceItem, Interview

SOMEONE_ELSE = ""


class InterviewForm(CheckedInputMixin, forms.Form):
    """Record an interview. The person is picked from the complaint's people and subject officers,
    or typed in; recordings are picked from the case's evidence items."""

    role = forms.ChoiceField(
        label=_("Role of the person interviewed"), choices=Interview.Role.choices, widget=forms.RadioSelect
    )
    person = forms.ChoiceField(
        label=_("Person interviewed"),
        required=False,
        help_text=_("Choose someone on the complaint, or “someone else” and type the name below."),
    )
    person_name = forms.CharField(
        label=_("Name of the person interviewed"),
        max_length=200,
        required=False,
        help_text=_("Needed for someone else. For a person on the list, leave empty to use the name on the complaint."),
    )
    conducted_date = forms.DateField(
        label=_("Date of the interview"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    conducted_time = forms.TimeField(
        label=_("Time of the interview"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    location = forms.CharField(label=_("Place"), max_length=200)
    interviewer = forms.ModelChoiceField(label=_("Interviewer"), queryset=Interview.objects.none())
    recorded = forms.BooleanField(label=_("The interview was recorded"), required=False)
    recordings = forms.ModelMultipleChoiceField(
        label=_("Recordings"),
        queryset=EvidenceItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "To attach a recording, first add it on the Evidence tab as an evidence item (its SHA-256 "
            "fingerprint is taken and its chain of custody starts there), then tick it here."
        ),
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}), max_length=50000)

    def __init__(self, *args, parties=(), subjects=(), interviewers=None, evidence=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._parties = {f"party:{p.pk}": p for p in parties}
        self._subjects = {f"officer:{s.pk}": s for s in subjects}
        choices: list = [(SOMEONE_ELSE, _("Someone else (type the name below)"))]
        if self._parties:
            choices.append((_("People on the complaint"), [(key, str(p)) for key, p in self._parties.items()]))
        if self._subjects:
            choices.append((_("Subject officers"), [(key, str(s)) for key, s in self._subjects.items()]))
        self.fields["person"].choices = choices
        # Conditionally required (someone else needs a name): "optional" would mislead.
        self.fields["person"].hide_optional = True
        self.fields["person_name"].hide_optional = True
        if interviewers is not None:
            self.fields["interviewer"].queryset = interviewers
        self.fields["interviewer"].label_from_instance = person_name
        if evidence is not None:
            self.fields["recordings"].queryset = evidence
        self.fields["recordings"].label_from_instance = lambda item: f"{item.label} {item.description[:80]}"

    def clean(self):
        data = super().clean()
        key = data.get("person") or SOMEONE_ELSE
        data["party"] = self._parties.get(key)
        data["subject_officer"] = self._subjects.get(key)
        if key == SOMEONE_ELSE and not (data.get("person_name") or "").strip() and "person_name" not in self.errors:
            self.add_error("person_name", _("Give the name of the person interviewed."))
        day, time = data.get("conducted_date"), data.get("conducted_time")
        data["conducted_at"] = timezone.make_aware(datetime.combine(day, time)) if day and time else None
        return data
