"""Forms of the policy recommendation pages: the public filter and the staff's two forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin
from oversight.models import Agency

from ..models import PolicyRecommendation, RecommendationStatusUpdate

Response = RecommendationStatusUpdate.Response
Implementation = RecommendationStatusUpdate.Implementation
Stage = PolicyRecommendation.Stage


class RecommendationFilterForm(CheckedInputMixin, forms.Form):
    """The public list's filter, read from the query string."""

    response = forms.ChoiceField(
        label=_("Department's response"),
        required=False,
        choices=[("", _("Any response")), *Response.choices],
    )

    def chosen_response(self) -> str:
        return self.cleaned_data.get("response", "") if self.is_valid() else ""


class RecommendationForm(CheckedInputMixin, forms.Form):
    # Left out, the recommendation is an adopted one (the form as it was before proposals).
    stage = forms.ChoiceField(
        label=_("Has the board adopted it?"),
        required=False,
        choices=[
            (Stage.ADOPTED, _("Yes, the board adopted it")),
            (Stage.PROPOSED, _("Not yet: it is proposed, and residents may comment on it")),
        ],
        initial=Stage.ADOPTED,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Recommendation"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The text as the board adopted or proposed it. It is published as written."),
    )
    adopted_on = forms.DateField(
        label=_("Date adopted"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For an adopted recommendation."),
    )
    proposed_on = forms.DateField(
        label=_("Date proposed"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a proposed recommendation."),
    )
    themes = forms.CharField(
        label=_("Themes"),
        max_length=300,
        required=False,
        help_text=_("Short and separated by semicolons, for example: use of force; body-worn cameras."),
    )
    related_cases = forms.IntegerField(
        label=_("Number of cases behind it"),
        min_value=0,
        initial=0,
        help_text=_("Only the number is published, never which cases."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("Not named"),
    )

    def chosen_stage(self) -> str:
        return self.cleaned_data.get("stage") or Stage.ADOPTED

    def clean(self):
        cleaned = super().clean()
        stage = cleaned.get("stage") or Stage.ADOPTED
        if stage == Stage.ADOPTED and not cleaned.get("adopted_on") and "adopted_on" not in self.errors:
            self.add_error("adopted_on", _("Give the date the board adopted it."))
        if stage == Stage.PROPOSED and not cleaned.get("proposed_on") and "proposed_on" not in self.errors:
            self.add_error("proposed_on", _("Give the date the recommendation was proposed."))
        return cleaned


class AdoptionForm(CheckedInputMixin, forms.Form):
    """The board adopted a proposed recommendation."""

    adopted_on = forms.DateField(label=_("Date adopted"), widget=forms.DateInput(attrs={"type": "date"}))


class StatusUpdateForm(CheckedInputMixin, forms.Form):
    recorded_on = forms.DateField(label=_("Date of this status"), widget=forms.DateInput(attrs={"type": "date"}))
    department_response = forms.ChoiceField(label=_("Department's response"), choices=Response.choices)
    implementation = forms.ChoiceField(label=_("Implementation"), choices=Implementation.choices)
    note = forms.CharField(
        label=_("Public note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published with the status. Use plain words and name no one."),
    )
