"""The four kinds of rule: which parameters each takes, how they are checked, and how a rule reads.

- **complaints** (count, window_months): at least ``count`` complaints naming the officer were
  received in the period;
- **allegations** (category, count, window_months): at least ``count`` allegations against them in
  ``category`` or any of its sub-categories;
- **finding** (category, disposition, count, window_months optional): at least ``count`` such
  allegations whose final finding is ``disposition``;
- **peer_percentile** (percentile, window_months, minimum_peers, count): their complaints in the
  period reach the peer group's percentile, and number at least ``count``.

The period ends at the evaluation's moment and starts ``window_months`` calendar months before it
(in local time); a complaint counts by the date it was received. A finding rule without a period
looks at every allegation on record.
"""

import calendar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from complaints.models import AllegationCategory
from investigations.models import Disposition

from .models import RuleKind, ThresholdVersion

PARAMETERS: dict[str, tuple[str, ...]] = {
    RuleKind.COMPLAINTS: ("count", "window_months"),
    RuleKind.ALLEGATIONS: ("category", "count", "window_months"),
    RuleKind.FINDING: ("category", "disposition", "count", "window_months"),
    RuleKind.PEER_PERCENTILE: ("percentile", "window_months", "minimum_peers", "count"),
}
# Every parameter a kind takes is required, except the finding rule's period (none: at any time).
OPTIONAL: dict[str, tuple[str, ...]] = {RuleKind.FINDING: ("window_months",)}
# Kinds whose allegations are chosen by category.
BY_CATEGORY = (RuleKind.ALLEGATIONS, RuleKind.FINDING)

COUNT_MAX = 1000
WINDOW_MAX = 600  # months: fifty years
PERCENTILE_MIN = Decimal("50")
PERCENTILE_MAX = Decimal("99.99")
PEERS_MIN = 2
PEERS_MAX = 100_000


@dataclass(frozen=True)
class Parameters:
    """A rule's parameters, checked for its kind (the ones it does not take are empty)."""

    count: int | None = None
    window_months: int | None = None
    category: AllegationCategory | None = None
    disposition: str = ""
    percentile: Decimal | None = None
    minimum_peers: int | None = None

    @classmethod
    def of(cls, version: ThresholdVersion) -> "Parameters":
        return cls(
            count=version.count,
            window_months=version.window_months,
            category=version.category,
            disposition=version.disposition,
            percentile=version.percentile,
            minimum_peers=version.minimum_peers,
        )

    def as_fields(self) -> dict[str, Any]:
        """The values a ``ThresholdVersion`` stores."""
        return {
            "count": self.count,
            "window_months": self.window_months,
            "category": self.category,
            "disposition": self.disposition,
            "percentile": self.percentile,
            "minimum_peers": self.minimum_peers,
        }

    def same_as(self, other: "Parameters") -> bool:
        mine, theirs = self.as_fields(), other.as_fields()
        mine["category"] = self.category.pk if self.category else None
        theirs["category"] = other.category.pk if other.category else None
        return mine == theirs


def _whole(value: Any, low: int, high: int, message: str) -> int:
    if isinstance(value, bool):
        raise ValidationError(message)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(message) from None
    if not low <= number <= high:
        raise ValidationError(message)
    return number


def clean_parameters(kind: str, values: dict[str, Any]) -> Parameters:
    """The parameters of a rule of ``kind`` from ``values``, checked; ``ValidationError`` with one
    message per field that is wrong. Parameters the kind does not take are dropped."""
    if kind not in PARAMETERS:
        raise ValidationError({"kind": _("Choose a kind of rule.")})
    wanted = PARAMETERS[kind]
    optional = OPTIONAL.get(kind, ())
    errors: dict[str, str] = {}
    found: dict[str, Any] = {}
    for name in wanted:
        value = values.get(name)
        if value in (None, ""):
            if name not in optional:
                errors[name] = _("This rule needs a value here.")
            continue
        try:
            found[name] = _clean_one(kind, name, value)
        except ValidationError as error:
            errors[name] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return Parameters(**{**found, "disposition": found.get("disposition", "")})


def _clean_one(kind: str, name: str, value: Any) -> Any:
    if name == "count":
        return _whole(value, 1, COUNT_MAX, _("Enter a whole number from 1 to %(max)d.") % {"max": COUNT_MAX})
    if name == "window_months":
        return _whole(value, 1, WINDOW_MAX, _("Enter a number of months from 1 to %(max)d.") % {"max": WINDOW_MAX})
    if name == "minimum_peers":
        return _whole(
            value,
            PEERS_MIN,
            PEERS_MAX,
            _("Enter a number of officers from %(min)d to %(max)d.") % {"min": PEERS_MIN, "max": PEERS_MAX},
        )
    if name == "percentile":
        message = _("Enter a percentile from %(min)s to %(max)s, such as 95.") % {
            "min": PERCENTILE_MIN,
            "max": PERCENTILE_MAX,
        }
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError(message) from None
        if not number.is_finite() or not PERCENTILE_MIN <= number <= PERCENTILE_MAX:
            raise ValidationError(message)
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError(_("Use at most two decimal places."))
        return number.quantize(Decimal("0.01"))
    if name == "disposition":
        if value not in Disposition.values:
            raise ValidationError(_("Choose a finding from the list."))
        return value
    if name == "category":
        category = value if isinstance(value, AllegationCategory) else None
        if category is None:
            try:
                category = AllegationCategory.objects.filter(pk=int(str(value))).first()
            except (TypeError, ValueError):
                category = None
        if category is None:
            raise ValidationError(_("Choose a category from the list."))
        return category
    raise ValidationError(_("This rule does not take this value."))


# --- How a rule reads ---------------------------------------------------------------------------------


def category_label(category: AllegationCategory | None) -> str:
    if category is None:
        return ""
    if category.parent_id and category.parent is not None:
        return f"{category.parent.localized_name()} › {category.localized_name()}"
    return category.localized_name()


def percentile_label(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}"


def describe(kind: str, parameters: Parameters) -> str:
    """The rule in one sentence, as supervisors read it in the queue and on a flag."""
    count = parameters.count or 0
    months = parameters.window_months or 0
    if kind == RuleKind.COMPLAINTS:
        return ngettext(
            "%(count)d or more complaints in %(months)d month",
            "%(count)d or more complaints in %(months)d months",
            months,
        ) % {"count": count, "months": months}
    if kind == RuleKind.ALLEGATIONS:
        return ngettext(
            "%(count)d or more allegations of %(category)s in %(months)d month",
            "%(count)d or more allegations of %(category)s in %(months)d months",
            months,
        ) % {"count": count, "months": months, "category": category_label(parameters.category)}
    if kind == RuleKind.FINDING:
        values = {
            "count": count,
            "months": months,
            "category": category_label(parameters.category),
            "finding": Disposition(parameters.disposition).label if parameters.disposition else "",
        }
        if not months:
            if count == 1:
                return _("Any allegation of %(category)s with the finding “%(finding)s”, at any time") % values
            return (
                _("%(count)d or more allegations of %(category)s with the finding “%(finding)s”, at any time") % values
            )
        if count == 1:
            return (
                ngettext(
                    "Any allegation of %(category)s with the finding “%(finding)s” in %(months)d month",
                    "Any allegation of %(category)s with the finding “%(finding)s” in %(months)d months",
                    months,
                )
                % values
            )
        return (
            ngettext(
                "%(count)d or more allegations of %(category)s with the finding “%(finding)s” in %(months)d month",
                "%(count)d or more allegations of %(category)s with the finding “%(finding)s” in %(months)d months",
                months,
            )
            % values
        )
    if kind == RuleKind.PEER_PERCENTILE:
        return ngettext(
            "Complaints in %(months)d month at or above percentile %(percentile)s of the officer's peers "
            "(same agency, unit and rank; groups of %(peers)d officers or more; minimum %(count)d)",
            "Complaints in %(months)d months at or above percentile %(percentile)s of the officer's peers "
            "(same agency, unit and rank; groups of %(peers)d officers or more; minimum %(count)d)",
            months,
        ) % {
            "months": months,
            "percentile": percentile_label(parameters.percentile),
            "peers": parameters.minimum_peers or 0,
            "count": count,
        }
    return ""


def describe_version(version: ThresholdVersion, kind: str) -> str:
    return describe(kind, Parameters.of(version))


# --- The period ---------------------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """The same local wall-clock time ``months`` calendar months before ``moment`` (the 31st of a
    month becomes the last day of a shorter one)."""
    local = timezone.localtime(moment)
    index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return timezone.make_aware(local.replace(tzinfo=None, year=year, month=month, day=day))


def window_start(parameters: Parameters, as_of: datetime) -> datetime | None:
    return months_before(as_of, parameters.window_months) if parameters.window_months else None
