"""The intake form's steps. Each step's form turns raw input into JSON-safe data for the draft."""

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, Party
from complaints.taxonomy import RESIDENT_KINDS
from oversight.input_guard import CheckedInputMixin
from oversight.models import Demographic, District

PRECISION_CHOICES = [
    ("exact", _("I know the exact date")),
    ("approximate", _("Around this date")),
    ("unknown", _("I don't know the date")),
]
TIME_PRECISION_CHOICES = [
    ("exact", _("I know the time")),
    ("approximate", _("Around this time")),
    ("unknown", _("I don't know the time")),
]
STAFF_CHANNELS = [(value, label) for value, label in Complaint.Channel.choices if value != Complaint.Channel.WEB]

KIND_LABELS = {
    "force": _("Used force: pushing, hitting, a weapon, a taser, a dog"),
    "stop": _("Stopped me for no reason"),
    "search": _("Searched me, my car or my home"),
    "arrest": _("Arrested me or gave me a ticket for no reason"),
    "property": _("Took or damaged my property"),
    "threat": _("Threatened me"),
    "refused_id": _("Would not give a name or badge number"),
    "recording": _("Stopped me from recording"),
    "rude": _("Was rude or insulting"),
    "slurs": _("Used slurs or offensive words"),
    "bias": _("Treated me differently because of who I am"),
    "lied": _("Lied or wrote a false report"),
    "no_help": _("Did not help when I needed it"),
    "sexual": _("Sexual misconduct"),
    "retaliation": _("Punished me for complaining or speaking up"),
    "other": _("Something else"),
}


def _blank(choices):
    return [("", _("Choose…")), *choices]


def _listed_choices(field: forms.ModelChoiceField) -> tuple[tuple[Any, str], ...]:
    """Read a model choice field's options once, with one ordinary query, and keep them on the field.

    Left alone, the field reads its queryset again each time its choices are iterated, through a
    server-side cursor on PostgreSQL (three round trips). Validation still checks a submitted value
    against the queryset, so a row removed meanwhile is refused as before.
    """
    options = tuple((obj.pk, field.label_from_instance(obj)) for obj in field.queryset)
    field.choices = [("", field.empty_label), *options] if field.empty_label is not None else list(options)
    return options


class HoneypotMixin(CheckedInputMixin, forms.Form):
    """A field people never see or fill; automated spam usually does."""

    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class IncidentForm(HoneypotMixin):
    date_precision = forms.ChoiceField(
        label=_("Do you know when it happened?"), choices=PRECISION_CHOICES, widget=forms.RadioSelect, initial="exact"
    )
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For example: 2026-04-28"),
    )
    time_precision = forms.ChoiceField(
        label=_("Do you know what time it happened?"),
        choices=TIME_PRECISION_CHOICES,
        widget=forms.RadioSelect,
        initial="unknown",
    )
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("For example: 14:30 for 2:30 in the afternoon"),
    )
    location = forms.CharField(
        label=_("Where did it happen?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("An address, a cross street, or a description of the place."),
    )
    district = forms.ModelChoiceField(
        label=_("Police district, if you know it"),
        queryset=District.objects.select_related("agency").order_by("agency__name", "code"),
        required=False,
        empty_label=_("I don't know"),
    )
    narrative = forms.CharField(
        label=_("What happened?"),
        min_length=20,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Tell us in your own words what the officers did or said, and what happened before and after."),
    )

    STAFF_FIELDS = ("channel", "received_date")  # added below for staff entry

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        # Required unless the visitor says they don't know: not labelled "optional".
        self.fields["date"].hide_optional = self.fields["time"].hide_optional = True
        if staff:
            self.fields["channel"] = forms.ChoiceField(label=_("How was it received?"), choices=_blank(STAFF_CHANNELS))
            self.fields["received_date"] = forms.DateField(
                label=_("Date received"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=_("Leave empty for today."),
            )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if data.get("date_precision") in ("exact", "approximate") and not data.get("date"):
            self.add_error("date", _("Enter the date, or choose “I don't know the date”."))
        if data.get("date") and data["date"] > today:
            self.add_error("date", _("The date cannot be in the future."))
        if data.get("time_precision") in ("exact", "approximate") and not data.get("time"):
            self.add_error("time", _("Enter the time, or choose “I don't know the time”."))
        received = data.get("received_date")
        if received and received > today:
            self.add_error("received_date", _("The date received cannot be in the future."))
        return data

    def render_key(self) -> tuple:
        """What the unbound form's markup depends on besides the step, mode and language: the
        district list, read here once for both the key and the page."""
        return (self.staff, _listed_choices(self.fields["district"]))

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        unknown_date = d["date_precision"] == "unknown"
        unknown_time = d["time_precision"] == "unknown"
        out = {
            "date": None if unknown_date or not d.get("date") else d["date"].isoformat(),
            "date_precision": d["date_precision"],
            "time": None if unknown_time or not d.get("time") else d["time"].strftime("%H:%M"),
            "time_precision": d["time_precision"],
            "location": d["location"].strip(),
            "district_id": d["district"].pk if d.get("district") else None,
            "narrative": d["narrative"].strip(),
        }
        if self.staff:
            out["channel"] = d["channel"]
            out["received_date"] = d["received_date"].isoformat() if d.get("received_date") else None
        return out


class OfficerForm(CheckedInputMixin, forms.Form):
    KNOWN_CHOICES = [
        ("identified", _("I know a name or badge number")),
        ("described", _("I can describe the officer")),
        ("unknown", _("I don't know")),
    ]
    known = forms.ChoiceField(
        label=_("What do you know about this officer?"), choices=KNOWN_CHOICES, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    badge = forms.CharField(label=_("Badge number"), max_length=32, required=False)
    appearance = forms.CharField(
        label=_("What did the officer look like?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: height, hair, uniform or plain clothes."),
    )
    vehicle = forms.CharField(
        label=_("Vehicle"), max_length=200, required=False, help_text=_("A car number or a license plate.")
    )
    unit = forms.CharField(label=_("Unit or district"), max_length=120, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "badge", "appearance", "vehicle", "unit"):
            self.fields[name].hide_optional = True  # which ones are needed depends on the answer above

    def clean(self):
        data = super().clean()
        known = data.get("known")
        if known == "identified" and not (data.get("name") or data.get("badge")):
            self.add_error("name", _("Enter a name or a badge number, or choose another answer."))
        if known == "described" and not (data.get("appearance") or data.get("vehicle") or data.get("unit")):
            self.add_error("appearance", _("Describe the officer, or choose “I don't know”."))
        return data

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {key: (d.get(key) or "").strip() for key in ("known", "name", "badge", "appearance", "vehicle", "unit")}


ROWS_UNREADABLE = _(
    "The rows on this page could not be read, so nothing on it was saved. Check the page and try again."
)
MAX_ROWS = 10


class RowsFormSet(forms.BaseFormSet):
    """A formset whose row count comes back in hidden fields. If they cannot be read, the page says
    so plainly: Django's own message speaks of tampering and bug reports."""

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.management_form.is_valid():
            self._non_form_errors = self.error_class([ROWS_UNREADABLE], error_class="nonform", renderer=self.renderer)


class BaseOfficerFormSet(RowsFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("known") for form in self.forms):
            raise ValidationError(_("Tell us about at least one officer, even if you don't know who it was."))


# absolute_max: a row count sent back larger than the page allows builds no more rows than that.
OfficerFormSet = forms.formset_factory(
    OfficerForm,
    formset=BaseOfficerFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)


class KindsForm(CheckedInputMixin, forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("What did the officers do? Choose all that apply."),
        choices=[(key, KIND_LABELS[key]) for key, _code in RESIDENT_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("This is optional. If you are not sure, leave it empty: our staff will sort it out."),
    )

    def to_data(self) -> list[str]:
        return list(self.cleaned_data["kinds"])


class WitnessForm(CheckedInputMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    description = forms.CharField(
        label=_("If you don't know their name, describe them"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(k) or "").strip() for k in self.fields)

    def to_data(self) -> dict[str, str]:
        return {key: (self.cleaned_data.get(key) or "").strip() for key in self.fields}


WitnessFormSet = forms.formset_factory(
    WitnessForm,
    formset=RowsFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceForm(CheckedInputMixin, forms.Form):
    files = forms.FileField(
        label=_("Add files"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/*,video/*,audio/*,.pdf,.doc,.docx,.odt,.xlsx,.ods,.pptx,.txt"}
        ),
        help_text=_("Photos, videos, audio, PDFs or documents. Up to %(count)d files, each up to %(size)d MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["files"]
        field.help_text = field.help_text % {
            "count": settings.INTAKE_MAX_FILES,
            "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        }

    def uploaded(self) -> list:
        return self.files.getlist("files") if self.files else []

    def render_key(self) -> tuple:
        """The limits the help text states."""
        return (settings.INTAKE_MAX_FILES, settings.ATTACHMENT_MAX_BYTES)


DEMOGRAPHIC_HELP = _("Optional. It helps us see whether some groups are treated differently.")


class AboutForm(CheckedInputMixin, forms.Form):
    FILING_CHOICES = [
        ("self", _("I am reporting what happened to me")),
        ("someone_else", _("I am reporting for someone else")),
        ("anonymous", _("I want to stay anonymous")),
    ]
    filing_as = forms.ChoiceField(label=_("Who is filing?"), choices=FILING_CHOICES, widget=forms.RadioSelect)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    address = forms.CharField(
        label=_("Mailing address"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    preferred_contact = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=Party.ContactMethod.choices,
        widget=forms.RadioSelect,
        required=False,
        initial=Party.ContactMethod.EMAIL,
    )
    preferred_language = forms.ChoiceField(label=_("Language for letters and emails"), choices=settings.LANGUAGES)
    confidential = forms.BooleanField(
        label=_("Keep my name from the officers involved"),
        required=False,
        help_text=_("Our staff will know who you are, but we will not give your name to the officers."),
    )
    victim_first_name = forms.CharField(label=_("Their first name"), max_length=100, required=False)
    victim_last_name = forms.CharField(label=_("Their last name"), max_length=100, required=False)
    victim_contact = forms.CharField(
        label=_("How can we reach them, if they agree?"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    race_ethnicity = forms.ChoiceField(
        label=_("Race or ethnicity"), choices=_blank(Demographic.Race.choices), required=False
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=_blank(Demographic.Gender.choices), required=False)
    age_range = forms.ChoiceField(label=_("Age"), choices=_blank(Demographic.AgeRange.choices), required=False)

    IDENTITY_FIELDS = (
        "first_name",
        "last_name",
        "email",
        "phone",
        "address",
        "confidential",
        "victim_first_name",
        "victim_last_name",
        "victim_contact",
        "race_ethnicity",
        "gender",
        "age_range",
    )

    # Police employees' reports (whistleblower channel): a name, always kept confidential, or none;
    # never for someone else. Department mailboxes and phones may be read by others.
    EMPLOYEE_FILING_CHOICES = [
        ("self", _("I will give my name. Keep it confidential.")),
        ("anonymous", _("I want to stay anonymous")),
    ]
    EMPLOYEE_LEFT_OUT = ("confidential", "victim_first_name", "victim_last_name", "victim_contact")

    def __init__(self, *args, employee: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.employee = employee
        for name in ("first_name", "last_name", "email", "phone", "address", "preferred_contact"):
            self.fields[name].hide_optional = True  # needed unless anonymous, depending on the contact choice
        if employee:
            self.fields["filing_as"].label = _("Do you want to give your name?")
            self.fields["filing_as"].choices = self.EMPLOYEE_FILING_CHOICES
            for name in self.EMPLOYEE_LEFT_OUT:
                del self.fields[name]
            self.fields["email"].help_text = _("Use a personal email address, not a department one.")
            self.fields["phone"].help_text = _("Use a personal phone number, not a department phone.")

    def clean(self):
        data = super().clean()
        filing_as = data.get("filing_as")
        if filing_as in ("self", "someone_else"):
            if not (data.get("first_name") or data.get("last_name")):
                self.add_error("first_name", _("Enter your name, or choose to stay anonymous."))
            method = data.get("preferred_contact") or Party.ContactMethod.EMAIL
            needed = {"email": "email", "phone": "phone", "mail": "address"}.get(method)
            if needed and not data.get(needed):
                messages = {
                    "email": _("Enter your email address so we can write to you."),
                    "phone": _("Enter your phone number so we can call you."),
                    "address": _("Enter your mailing address so we can send you letters."),
                }
                self.add_error(needed, messages[needed])
        return data

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {"filing_as": d["filing_as"], "preferred_language": d["preferred_language"]}
        if d["filing_as"] == "anonymous":
            # An anonymous filer's identity is not kept, even if typed in before choosing anonymity.
            out["preferred_contact"] = Party.ContactMethod.NONE
            return out
        out["preferred_contact"] = d.get("preferred_contact") or Party.ContactMethod.EMAIL
        for key in self.IDENTITY_FIELDS:
            value = d.get(key)
            out[key] = value.strip() if isinstance(value, str) else bool(value) if key == "confidential" else value
        if d["filing_as"] != "someone_else":
            for key in ("victim_first_name", "victim_last_name", "victim_contact"):
                out[key] = ""
        return out

    def render_key(self) -> tuple:
        """The language offered first for letters (the draft's, not necessarily the page's)."""
        return (self.initial.get("preferred_language"), self.employee)


class EmploymentForm(CheckedInputMixin, forms.Form):
    """Police employees' reports (whistleblower channel): the employee's work and safety.

    The relationship and whether they fear retaliation go with the case; the unit and what they
    fear can point to them, so staff read them only with the permission to see who reported. An
    anonymous report keeps no unit: the field is not offered, and one typed before is dropped."""

    RELATIONSHIP_CHOICES = [
        ("sworn", _("I am a sworn officer")),
        ("civilian", _("I am a civilian employee")),
        ("former", _("I used to work for the department")),
        ("contractor", _("I am a contractor, or I work for one")),
        ("undisclosed", _("I prefer not to say")),
    ]
    CONCERN_CHOICES = [("yes", _("Yes")), ("no", _("No"))]

    relationship = forms.ChoiceField(
        label=_("How do you work with the police department?"),
        choices=RELATIONSHIP_CHOICES,
        widget=forms.RadioSelect,
    )
    unit = forms.CharField(
        label=_("Your unit, division or shift"),
        max_length=120,
        required=False,
        help_text=_("Leave it empty if only a few people work there: it could show who you are."),
    )
    retaliation_concern = forms.ChoiceField(
        label=_("Are you worried that someone will punish you for reporting this?"),
        choices=CONCERN_CHOICES,
        widget=forms.RadioSelect,
        help_text=_(
            "For example: a transfer, a bad review, lost overtime, threats or being left out. If you say "
            "yes, everyone who works on your report will see that you are worried about retaliation."
        ),
    )
    retaliation_detail = forms.CharField(
        label=_("What worries you, or what has already happened?"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the senior staff who can see who you are will read this."),
    )

    def __init__(self, *args, anonymous: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.anonymous = anonymous
        if anonymous:
            del self.fields["unit"]

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        out = {
            "relationship": d["relationship"],
            "retaliation_concern": d["retaliation_concern"] == "yes",
            "retaliation_detail": (d.get("retaliation_detail") or "").strip(),
        }
        if not self.anonymous:
            out["unit"] = (d.get("unit") or "").strip()
        return out

    def render_key(self) -> tuple:
        """Whether the unit is asked for (not of an anonymous report)."""
        return (self.anonymous,)


class ConsentForm(CheckedInputMixin, forms.Form):
    agree = forms.BooleanField(required=True, error_messages={"required": _("Check the box to continue.")})

    def __init__(self, *args, consent=None, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent
        if staff:
            self.fields["agree"].label = _("I read this text to the complainant (or gave it to them), and they agreed.")
        elif consent is not None:
            self.fields["agree"].label = consent.agreement

    def to_data(self) -> dict[str, Any]:
        return {"consent_id": self.consent.pk if self.consent else None}

    def render_key(self) -> tuple:
        """The consent text shown, which also gives the public agreement label."""
        consent = self.consent
        if consent is None:
            return ()
        return (consent.pk, consent.version, consent.title, consent.body, consent.agreement)


class ReviewForm(HoneypotMixin):
    form_token = forms.CharField(widget=forms.HiddenInput)


class StatusLookupForm(CheckedInputMixin, forms.Form):
    tracking_number = forms.CharField(
        label=_("Tracking number"), max_length=32, help_text=_("For example: CPC-2026-00042")
    )
    code = forms.CharField(
        label=_("Status code"), max_length=32, help_text=_("The code you were given when you filed.")
    )

    def clean_tracking_number(self) -> str:
        return self.cleaned_data["tracking_number"].strip().upper()


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
