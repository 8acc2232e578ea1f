from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin

from ..models import Disposition
from ..models.findings import disposition_definitions

DEFINITIONS_HINT = _("What each disposition means is explained just below.")


class FindingForm(CheckedInputMixin, forms.Form):
    """The proposed finding on one allegation (prefixed per allegation on the findings page)."""

    disposition = forms.ChoiceField(
        label=_("Proposed disposition"), choices=[("", "—"), *Disposition.choices], help_text=DEFINITIONS_HINT
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The evidence and reasoning that support this disposition."),
    )

    def disposition_definitions(self) -> list[tuple[str, str, str]]:
        return disposition_definitions()


class PublicSummaryForm(CheckedInputMixin, forms.Form):
    # A draft may be saved empty, but the findings cannot be submitted without it: "optional" would mislead.
    text = forms.CharField(
        label=_("Public summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Required before the findings can be submitted. A plain summary for the public. "
            "It will be redacted before publication; write no names."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].hide_optional = True


class FindingsSubmitForm(CheckedInputMixin, forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)
