"""The measures page's filters, read from the query string: the period (a preset, or two dates), a
district and a category of allegation. Every value is checked; a wrong one gets a plain message
beside its field and no numbers are shown until it is put right."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import AllegationCategory
from oversight.input_guard import CheckedInputMixin
from oversight.models import District

from .selectors import MeasureFilters, category_with_descendants

DEFAULT_PERIOD = "last-12-months"
CUSTOM = "custom"
PERIOD_CHOICES = [
    ("last-12-months", _("The last 12 months")),
    ("last-30-days", _("The last 30 days")),
    ("last-90-days", _("The last 90 days")),
    ("this-year", _("This year so far")),
    ("last-quarter", _("The last full quarter")),
    ("last-year", _("The last full year")),
    (CUSTOM, _("Dates I choose")),
]


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def preset_period(preset: str, today: date) -> tuple[date, date]:
    """The first and last day of a preset period ending on or before ``today``."""
    if preset == "last-30-days":
        return today - timedelta(days=29), today
    if preset == "last-90-days":
        return today - timedelta(days=89), today
    if preset == "this-year":
        return date(today.year, 1, 1), today
    if preset == "last-quarter":
        this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = this_quarter - timedelta(days=1)
        return date(end.year, end.month - 2, 1), end
    if preset == "last-year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return _year_before(today) + timedelta(days=1), today


class MeasuresFilterForm(CheckedInputMixin, forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    category = forms.ChoiceField(label=_("Category of allegation"), required=False)

    def __init__(self, data: Any = None, *, today: date) -> None:
        super().__init__(data)
        self.today = today
        self._districts = {str(d.pk): d for d in District.objects.order_by("agency__name", "code", "pk")}
        self.fields["district"].choices = [
            ("", _("Every district")),
            *[(key, district.name) for key, district in self._districts.items()],
        ]
        categories = list(AllegationCategory.objects.select_related("parent").order_by("sort_order", "name", "pk"))
        self._categories = {str(c.pk): c for c in categories}
        self.fields["category"].choices = [("", _("Every category")), *_category_choices(categories)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if any(name in self.errors for name in ("period", "start", "end")):
            return data
        preset = data.get("period") or DEFAULT_PERIOD
        if start or end or preset == CUSTOM:
            # Dates typed in win over a preset.
            if start is None:
                self.add_error("start", _("Give the first day of the period."))
            if end is None:
                self.add_error("end", _("Give the last day of the period."))
            if start is None or end is None:
                return data
            if start > end:
                self.add_error("end", _("The last day comes before the first day. Swap them, or choose again."))
                return data
            if end > self.today:
                self.add_error(
                    "end", _("The period cannot end after today (%(today)s).") % {"today": self.today.isoformat()}
                )
                return data
            data["period"] = CUSTOM
        else:
            start, end = preset_period(preset, self.today)
            data["period"] = preset
        data["period_start"], data["period_end"] = start, end
        return data

    def filters(self) -> MeasureFilters | None:
        """The filters chosen, or None when the form has errors (unbound: the default period)."""
        if not self.is_bound:
            start, end = preset_period(DEFAULT_PERIOD, self.today)
            return MeasureFilters(start=start, end=end)
        if not self.is_valid():
            return None
        data = self.cleaned_data
        category = self._categories.get(data.get("category") or "")
        return MeasureFilters(
            start=data["period_start"],
            end=data["period_end"],
            district=self._districts.get(data.get("district") or ""),
            category=category,
            category_ids=category_with_descendants(category) if category is not None else (),
        )


def _category_choices(categories: list[AllegationCategory]) -> list[tuple[str, str]]:
    """Each top-level class, then its sub-categories under it ("Force › Physical force")."""
    children: dict[int | None, list[AllegationCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    known = {category.pk for category in categories}
    choices: list[tuple[str, str]] = []
    seen: set[int] = set()

    def walk(category: AllegationCategory, path: list[str]) -> None:
        if category.pk in seen:
            return
        seen.add(category.pk)
        names = [*path, category.localized_name()]
        choices.append((str(category.pk), " › ".join(names)))
        for child in children.get(category.pk, []):
            walk(child, names)

    for top in [c for c in categories if c.parent_id is None or c.parent_id not in known]:
        walk(top, [])
    return choices
