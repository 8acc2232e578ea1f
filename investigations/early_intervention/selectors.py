"""Reads for the early-intervention pages, scoped to the user asking.

Flags and rules are for supervisors: a user without ``early_intervention.view_flag`` (or
``view_threshold`` for the rules) gets ``Http404`` from every selector here, as if there were no
such page, never a 403 that would confirm it exists. The cases behind a flag are listed for
everyone who may see the flag, but linked only where the reader may see the case.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language

from complaints.models import Allegation, AllegationCategory, Complaint
from complaints.selectors import complaint_visible_queryset
from investigations.selectors._lookup import get_or_404
from oversight.models import Officer
from oversight.pagination import Total, capped_count

from . import rules
from .models import EvaluationRun, Flag, FlagCase, FlagEvent, Threshold, ThresholdVersion
from .workflow import FLAG_LIFECYCLE, VIEW_PERM

VIEW_RULES_PERM = "early_intervention.view_threshold"
QUEUE_ORDER = ("-opened_at", "-id")
QUEUE_PAGE_SIZE = 50
OFFICER_FLAGS_LIMIT = 50

# The queue's status filter: "" (the default) is every flag still to be dealt with.
STATUS_OPEN_ANY = ""
STATUS_ALL = "all"


def may_view_flags(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(VIEW_PERM))


def may_view_rules(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(VIEW_RULES_PERM))


def _require_flags(user: Any) -> None:
    if not may_view_flags(user):
        raise Http404("No such page")


def _require_rules(user: Any) -> None:
    if not may_view_rules(user):
        raise Http404("No such page")


# --- The queue --------------------------------------------------------------------------------------


def flag_queue_for_user(*, user: Any, status: str = STATUS_OPEN_ANY, threshold_id: int | None = None) -> QuerySet[Flag]:
    """The flags a supervisor works through, newest first: by default every flag still open or
    under review; ``status`` narrows to one status (or ``"all"``), ``threshold_id`` to one rule."""
    _require_flags(user)
    flags = Flag.objects.all()
    if status == STATUS_OPEN_ANY:
        flags = flags.filter(status__in=Flag.OPEN_STATUSES)
    elif status != STATUS_ALL:
        flags = flags.filter(status=status)
    if threshold_id:
        flags = flags.filter(threshold_id=threshold_id)
    return flags.select_related("officer", "threshold", "version", "version__category__parent").order_by(*QUEUE_ORDER)


def flag_queue_total(queryset: QuerySet[Flag]) -> Total:
    return capped_count(queryset)


def queue_rule_choices(*, user: Any) -> list[tuple[int, str]]:
    """Every rule, for the queue's filter (those no longer in force too: their flags remain)."""
    _require_flags(user)
    return list(Threshold.objects.order_by("name").values_list("pk", "name"))


def flag_status_counts(*, user: Any) -> dict[str, int]:
    """How many flags are in each status (one grouped query)."""
    _require_flags(user)
    counts = dict(Flag.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in Flag.Status.values}


# --- One flag -----------------------------------------------------------------------------------------


def flag_get_for_user(*, user: Any, flag_id: Any) -> Flag:
    """The flag, or ``Http404`` for a user who may not see flags or a flag that does not exist."""
    _require_flags(user)
    return get_or_404(
        Flag.objects.select_related(
            "officer__agency", "threshold", "version__category__parent", "reviewer", "closed_by", "opened_by_run"
        ),
        pk=flag_id,
    )


@dataclass(frozen=True)
class AllegationLine:
    category: str
    finding: str = ""


@dataclass
class FlagCaseRow:
    """One complaint behind a flag, as the flag page lists it."""

    complaint: Complaint
    allegations_counted: int
    added_later: bool
    visible: bool
    allegations: list[AllegationLine] = field(default_factory=list)

    @property
    def tracking_number(self) -> str:
        return self.complaint.tracking_number


def _category(allegation: Allegation, language: str) -> str:
    category = allegation.category
    if category is None:
        return ""
    if category.parent_id and category.parent is not None:
        return f"{category.parent.localized_name(language)} › {category.localized_name(language)}"
    return category.localized_name(language)


def flag_cases_for_user(*, user: Any, flag: Flag) -> list[FlagCaseRow]:
    """The complaints behind the flag, newest received first, each with the allegations against the
    officer on it and their findings, and whether ``user`` may open the case (three queries)."""
    _require_flags(user)
    links = list(
        FlagCase.objects.filter(flag=flag)
        .select_related("complaint")
        .only(
            "complaint_id",
            "allegations",
            "added_at",
            "complaint__tracking_number",
            "complaint__received_at",
            "complaint__status",
        )
        .order_by("-complaint__received_at", "-complaint_id")
    )
    ids = [link.complaint_id for link in links]
    visible = set(complaint_visible_queryset(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    language = (get_language() or "en").split("-")[0]
    lines: dict[int, list[AllegationLine]] = defaultdict(list)
    if ids:
        allegations = (
            Allegation.objects.filter(complaint_id__in=ids, subject_officer__officer_id=flag.officer_id)
            .select_related("category__parent", "finding")
            .order_by("complaint_id", "id")
        )
        for allegation in allegations:
            finding = getattr(allegation, "finding", None)
            label = ""
            if finding is not None and finding.final_disposition:
                label = finding.get_final_disposition_display()
            lines[allegation.complaint_id].append(
                AllegationLine(category=_category(allegation, language), finding=label)
            )
    return [
        FlagCaseRow(
            complaint=link.complaint,
            allegations_counted=link.allegations,
            added_later=link.added_at > flag.opened_at,
            visible=link.complaint_id in visible,
            allegations=lines.get(link.complaint_id, []),
        )
        for link in links
    ]


def flag_events(*, user: Any, flag: Flag) -> QuerySet[FlagEvent]:
    """The flag's history, oldest first."""
    _require_flags(user)
    return FlagEvent.objects.filter(flag=flag).select_related("actor", "run").order_by("occurred_at", "id")


def flag_moves(*, user: Any, flag: Flag) -> list[str]:
    """The moves ``user`` may make on the flag now (``start_review``, ``close``)."""
    return [move.action for move in FLAG_LIFECYCLE.available(flag, user)]


def earlier_flags(*, user: Any, flag: Flag) -> QuerySet[Flag]:
    """The officer's other flags under the same rule (closed ones, and any later one)."""
    _require_flags(user)
    return (
        Flag.objects.filter(officer_id=flag.officer_id, threshold_id=flag.threshold_id)
        .exclude(pk=flag.pk)
        .select_related("version")
        .order_by("-opened_at", "-id")
    )


# --- The officer page -------------------------------------------------------------------------------------


def officer_flags_for_user(*, user: Any, officer: Officer) -> list[Flag] | None:
    """The officer's flags, open ones first then newest, for the officer page; ``None`` for a user
    who may not see flags (the page then shows nothing of them)."""
    if not may_view_flags(user):
        return None
    flags = (
        Flag.objects.filter(officer=officer)
        .select_related("threshold")
        .order_by("-opened_at", "-id")[:OFFICER_FLAGS_LIMIT]
    )
    found = list(flags)
    found.sort(key=lambda f: (not f.is_open, -f.opened_at.timestamp(), -f.pk))
    return found


# --- Rules ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleRow:
    threshold: Threshold
    description: str
    open_flags: int
    all_flags: int


def rule_rows_for_user(*, user: Any) -> list[RuleRow]:
    """Every rule with its current version described and its flags counted (two queries)."""
    _require_rules(user)
    thresholds = list(
        Threshold.objects.select_related("current_version__category__parent").order_by("-is_active", "name")
    )
    counts = {
        row["threshold_id"]: row
        for row in Flag.objects.order_by()
        .values("threshold_id")
        .annotate(open=Count("id", filter=Q(status__in=Flag.OPEN_STATUSES)), total=Count("id"))
    }
    return [
        RuleRow(
            threshold=t,
            description=rules.describe_version(t.current_version, t.kind) if t.current_version else "",
            open_flags=counts.get(t.pk, {}).get("open", 0),
            all_flags=counts.get(t.pk, {}).get("total", 0),
        )
        for t in thresholds
    ]


def threshold_get_for_user(*, user: Any, threshold_id: Any) -> Threshold:
    _require_rules(user)
    return get_or_404(Threshold.objects.select_related("current_version__category__parent"), pk=threshold_id)


def threshold_versions(*, user: Any, threshold: Threshold) -> list[tuple[ThresholdVersion, str, int]]:
    """Every version of the rule, newest first, described, with the flags each raised (two queries)."""
    _require_rules(user)
    versions = list(
        ThresholdVersion.objects.filter(threshold=threshold)
        .select_related("category__parent", "created_by")
        .order_by("-number")
    )
    raised = dict(Flag.objects.filter(threshold=threshold).order_by().values_list("version_id").annotate(n=Count("id")))
    return [(v, rules.describe_version(v, threshold.kind), raised.get(v.pk, 0)) for v in versions]


def last_evaluation() -> EvaluationRun | None:
    return EvaluationRun.objects.filter(finished_at__isnull=False).order_by("-started_at", "-id").first()


def category_choices(*, keep: int | None = None) -> list[tuple[int, str]]:
    """The categories a rule may name in the taxonomy's order, classes before their sub-categories
    (one query): the active ones, and ``keep`` (a rule's current category) even if no longer active."""
    entries = AllegationCategory.objects.select_related("parent").order_by("sort_order", "name")
    return [(c.pk, rules.category_label(c)) for c in entries if c.is_active or c.pk == keep]
