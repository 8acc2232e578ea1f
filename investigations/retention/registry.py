"""What retention adds to the parts below it, registered from ``RetentionConfig.ready``. Case work
never imports retention; this is how retention reaches the case pages and the lifecycle:

- the complaint lifecycle: a destroyed case cannot be reopened (there is nothing left to work on);
- ``case.header_links``: on every page of a destroyed case, "Records destroyed on … under the
  retention schedule"; on a case under a legal hold, "Legal hold in force" (both open the case's
  Retention page);
- ``case.tabs``: the Retention tab, on closed cases, held ones and destroyed ones, and for
  supervisors (who may place a hold at any time) on every case;
- ``staff_home.panels`` and ``dashboard.panels``: for supervisors, the last review's count and a
  link to the Retention page;
- ``case.frozen``: no case work (notes, interviews, evidence, subpoenas, findings) on a destroyed
  case, through ``can_work``, which every case-work service and page asks;
- ``workflow.checks``: a destroyed case that is not in a closed status; a closed case with no
  closing date on its retention record, an open one with one;
- the complaint lifecycle's moves into and out of the closed statuses store and clear the case's
  closing date and schedule (``closings.py``).
"""

from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Complaint
from investigations.checks import problem_rows
from investigations.workflow import COMPLAINT_LIFECYCLE
from oversight import hooks
from oversight.lifecycle import MoveContext

from . import closings
from .models import RetentionRecord
from .schedule import CLOSED_STATUSES
from .selectors import HOLD_PERM, REVIEW_PERM, case_retention_flags, last_review


def _case_url(complaint: Complaint) -> str:
    return reverse("staff:retention:case", args=[complaint.tracking_number])


def _not_destroyed(ctx: MoveContext) -> str | None:
    destroyed_at = (
        RetentionRecord.objects.filter(complaint=ctx.obj, status=RetentionRecord.Status.DESTROYED)
        .values_list("destroyed_at", flat=True)
        .first()
    )
    if destroyed_at is None:
        return None
    return _(
        "The records of this case were destroyed on %(date)s under the retention schedule, so it cannot be reopened."
    ) % {"date": timezone.localtime(destroyed_at).date().isoformat()}


def _header_links(complaint: Complaint, user: Any) -> list[tuple[Any, str]] | None:
    flags = case_retention_flags(complaint)
    if flags["destroyed_at"] is not None:
        when = timezone.localtime(flags["destroyed_at"]).date().isoformat()
        label = _("Records destroyed on %(date)s under the retention schedule") % {"date": when}
        return [(label, _case_url(complaint))]
    if flags["held"]:
        return [(gettext_lazy("Legal hold in force"), _case_url(complaint))]
    return None


def _frozen(complaint: Complaint) -> str | None:
    """No case work on a destroyed case: what was destroyed must not come back as new notes."""
    if case_retention_flags(complaint)["destroyed_at"] is None:
        return None
    return _("The records of this case were destroyed under the retention schedule.")


def _case_tabs(complaint: Complaint, user: Any) -> list[tuple[str, Any, str]] | None:
    flags = case_retention_flags(complaint)
    shown = (
        complaint.status in CLOSED_STATUSES
        or flags["destroyed_at"] is not None
        or flags["held"]
        or user.has_perm(HOLD_PERM)
    )
    if not shown:
        return None
    return [("retention", gettext_lazy("Retention"), _case_url(complaint))]


def _panel(request: Any) -> str | None:
    if not request.user.has_perm(REVIEW_PERM):
        return None
    return render_to_string("retention/panel.html", {"review": last_review()}, request=request)


def _contradictions() -> Iterator[tuple[str, str, str]]:
    destroyed = RetentionRecord.objects.filter(complaint=OuterRef("pk"), status=RetentionRecord.Status.DESTROYED)
    yield from problem_rows(
        Complaint.objects.exclude(status__in=CLOSED_STATUSES).filter(Exists(destroyed)),
        _("its records were destroyed under the retention schedule but it is not closed"),
    )


def _closings_contradictions() -> Iterator[tuple[str, str, str]]:
    dated = RetentionRecord.objects.filter(
        complaint=OuterRef("pk"), status=RetentionRecord.Status.KEPT, closed_on__isnull=False
    )
    destroyed = RetentionRecord.objects.filter(complaint=OuterRef("pk"), status=RetentionRecord.Status.DESTROYED)
    yield from problem_rows(
        Complaint.objects.filter(status__in=CLOSED_STATUSES).exclude(Exists(dated)).exclude(Exists(destroyed)),
        _("it is closed but its retention record holds no closing date (run manage.py retention_backfill)"),
    )
    yield from problem_rows(
        Complaint.objects.exclude(status__in=CLOSED_STATUSES).filter(Exists(dated)),
        _("it is open but its retention record still holds a closing date"),
    )


def register() -> None:
    closings.register_on(COMPLAINT_LIFECYCLE)
    hooks.register("workflow.checks", "retention.closings", _closings_contradictions)
    COMPLAINT_LIFECYCLE.add_guard("reopen", name="retention.not_destroyed", check=_not_destroyed)
    hooks.register("case.header_links", "retention", _header_links)
    hooks.register("case.tabs", "retention", _case_tabs)
    hooks.register("case.frozen", "retention", _frozen)
    hooks.register("staff_home.panels", "retention", _panel)
    hooks.register("dashboard.panels", "retention", _panel)
    hooks.register("workflow.checks", "retention", _contradictions)
