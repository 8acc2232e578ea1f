"""Forms of the policy recommendation pages: the public filter and the staff's two forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.input_guard import CheckedInputMixin
from oversight.models import Agency

from ..models import RecommendationStatusUpdate

Response = RecommendationStatusUpdate.Response
Implementation = RecommendationStatusUpdate.Implementation


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
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Recommendation"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The text as the board adopted it. It is published as written."),
    )
    adopted_on = forms.DateField(label=_("Date adopted"), widget=forms.DateInput(attrs={"type": "date"}))
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
