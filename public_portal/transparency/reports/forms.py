"""Forms of the staff report pages: asking for a report, its narrative, and a lifecycle step."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin

from .models import PublicReport
from .services import FIRST_YEAR, NARRATIVE_MAX, QUARTER_MONTHS

K = PublicReport.Kind


class GenerateForm(CheckedInputMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of report"), choices=K.choices, widget=forms.RadioSelect, initial=K.ANNUAL)
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)
    quarter = forms.TypedChoiceField(
        label=_("Quarter (quarterly reports only)"),
        choices=[("", _("Not a quarterly report")), *[(n, months) for n, months in QUARTER_MONTHS.items()]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=settings.LANGUAGES,
        initial="en",
        help_text=_("The whole PDF is written in this language, except the board's narrative, printed as written."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["max"] = timezone.localdate().year

    def clean(self):
        data = super().clean()
        if data.get("kind") == K.QUARTERLY and not data.get("quarter"):
            self.add_error("quarter", _("Choose the quarter the report covers."))
        if data.get("kind") == K.ANNUAL:
            data["quarter"] = None
        return data


class NarrativeForm(CheckedInputMixin, forms.Form):
    narrative = forms.CharField(
        label=_("The board's narrative"),
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Plain text, printed in the report as written: leave a blank line between paragraphs. It is published, "
            "so name no resident and no case."
        ),
    )
    narrative_language = forms.ChoiceField(label=_("Language of the narrative"), choices=settings.LANGUAGES)


class MoveForm(CheckedInputMixin, forms.Form):
    to = forms.ChoiceField(label=_("Step"), choices=PublicReport.Status.choices, widget=forms.HiddenInput)
    expected = forms.ChoiceField(choices=PublicReport.Status.choices, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
