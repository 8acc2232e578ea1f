"""The search boxes and their filters, read from the query string (staff and public).

Both forms take their choices from the caller (``selectors.search_choices``), read once per request, so the
page resolves every label it shows (districts, kinds of allegation, statuses) from the same rows.
An invalid field is left out of the search and shown as an error on the page; the rest still
applies, as on the published decisions list.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from investigations.models import Disposition
from oversight.forms import PlainSelect
from oversight.input_guard import CheckedInputMixin

from .backends.base import PublicQuery, StaffQuery
from .selectors import SearchChoices
from .text import MAX_QUERY_CHARS

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


def _query_field(help_text: Any) -> forms.CharField:
    found = forms.CharField(
        label=_("Words to look for"),
        required=False,
        max_length=MAX_QUERY_CHARS,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    # A search box is optional by nature: "(optional)" beside it would only be noise.
    found.hide_optional = True
    return found


def _year_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*", "size": "4"}),
    )


class _SearchForm(CheckedInputMixin, forms.Form):
    def valid_data(self) -> dict[str, Any]:
        """The fields that were read without an error (an invalid one is left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if name not in self.errors}


class StaffSearchForm(_SearchForm):
    """The staff case search. The officer filter comes from a link (a facet, the officer's page)
    and is kept as a hidden field: the roster holds thousands of officers, too many for a list."""

    q = _query_field(
        _('Words to find, "a phrase in quotes", and -word to leave out cases that contain it.'),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    district = forms.TypedChoiceField(label=_("District"), required=False, coerce=int, empty_value=None)
    category = forms.TypedChoiceField(
        label=_("Kind of allegation"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    year = _year_field(_("Year received"))
    officer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *args: Any, choices: SearchChoices, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *Complaint.Status.choices]
        self.fields["district"].choices = [("", _("Any district")), *choices.districts.items()]
        self.fields["category"].choices = [("", _("Any kind")), *choices.categories.items()]

    def query(self, page: int) -> StaffQuery:
        data = self.valid_data()
        return StaffQuery(
            text=data.get("q") or "",
            status=data.get("status") or "",
            district_id=data.get("district"),
            category_id=data.get("category"),
            year=data.get("year"),
            officer_id=data.get("officer"),
            page=page,
        )


class PublicSearchForm(_SearchForm):
    """The public search of published decisions: the words, and the filters of the decisions list
    (kind of allegation by its class's code, as the list names it; the finding; the district; the
    year decided)."""

    q = _query_field(
        _('For example: force, "traffic stop", or search -vehicle to leave out decisions that mention it.'),
    )
    category = forms.ChoiceField(label=_("Kind of allegation"), required=False)
    disposition = forms.ChoiceField(label=_("Finding"), required=False)
    district = forms.TypedChoiceField(label=_("District"), required=False, coerce=int, empty_value=None)
    year = _year_field(_("Year decided"))

    def __init__(self, data: Any = None, *args: Any, choices: SearchChoices, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.choices = choices
        classes = sorted(choices.classes.values(), key=lambda item: item[1].casefold())
        self.fields["category"].choices = [("", _("Any kind")), *classes]
        self.fields["disposition"].choices = [("", _("Any finding")), *Disposition.choices]
        self.fields["district"].choices = [("", _("Any district")), *choices.districts.items()]

    def query(self, page: int) -> PublicQuery:
        data = self.valid_data()
        code = data.get("category") or ""
        class_id = next((pk for pk, (c, _label) in self.choices.classes.items() if c == code), None) if code else None
        return PublicQuery(
            text=data.get("q") or "",
            category_class_id=class_id,
            disposition=data.get("disposition") or "",
            district_id=data.get("district"),
            year=data.get("year"),
            page=page,
        )
