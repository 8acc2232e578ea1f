"""Retention's two small lifecycles, on the shared mechanism (``oversight.lifecycle``).

- **Legal hold**: in force → released. Who may: ``retention.manage_legal_holds`` on a case the
  actor can see (supervisors). A reason is required. Placing a hold creates it (``services``).
- **Retention record**: kept → destroyed, once. Who may: ``retention.destroy_case_records`` on a
  case the actor can see (supervisors). A reason is required; the move is owned by the destruction
  service, which locks the complaint row before the guards run. Guards: the case is closed, its
  period under the schedule has run out, and no legal hold is in force. The effect removes the
  case's personal data (``destruction.py``); the files go after commit.
"""

import logging
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.selectors import complaint_visible_to
from oversight.lifecycle import Lifecycle, Move, MoveContext
from oversight.templatetags.people import person_name

from .destruction import destroy_case_data
from .models import LegalHold, RetentionRecord
from .selectors import DESTROY_PERM, HOLD_PERM, Standing, case_standing

logger = logging.getLogger(__name__)

H = LegalHold.Status
R = RetentionRecord.Status
DESTRUCTION = "retention.destruction"


def _actor_name(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Legal holds -------------------------------------------------------------------------------------


def _hold_label(hold: LegalHold) -> str:
    # The audit label names the case and the hold, never the reference or the reason.
    return f"{hold.complaint.tracking_number} hold {hold.pk}"


def _released(ctx: MoveContext) -> None:
    hold: LegalHold = ctx.obj
    hold.released_at = ctx.now
    hold.released_by = _user(ctx.actor)
    hold.released_by_name = _actor_name(ctx.actor)
    hold.release_reason = ctx.reason
    hold._history_user = _user(ctx.actor)
    ctx.fields += ["released_at", "released_by", "released_by_name", "release_reason"]
    ctx.data.update({"hold": hold.pk, "kind": hold.kind})


def _may_manage_holds(user: Any, hold: LegalHold) -> bool:
    return user.has_perm(HOLD_PERM) and complaint_visible_to(user, hold.complaint)


HOLD_LIFECYCLE = Lifecycle(
    name="legal_hold",
    model=LegalHold,
    moves=[Move("release", H.ACTIVE, H.RELEASED, HOLD_PERM, gettext_lazy("Release the hold"), reason_required=True)],
    audit_action="legal_hold.released",
    record_change=lambda ctx: ctx.obj,  # the hold's own history row records the release
    target_label=_hold_label,
    denied_message=gettext_lazy("Only a supervisor can release a legal hold."),
    conflict_message=gettext_lazy(
        "Someone else changed this hold while you were looking at it: it is now “%(status)s”."
    ),
    select_related=("complaint",),
)
HOLD_LIFECYCLE.add_rule(HOLD_PERM, _may_manage_holds)
HOLD_LIFECYCLE.add_effect("release", name="retention.released", effect=_released)


# --- Destruction ---------------------------------------------------------------------------------------


def _standing(ctx: MoveContext) -> Standing:
    standing = ctx.params.get("standing")
    if standing is None:
        standing = ctx.params["standing"] = case_standing(ctx.obj.complaint)
    return standing


def case_closed(ctx: MoveContext) -> str | None:
    standing = _standing(ctx)
    if not standing.is_closed:
        return _(
            "This case is not closed (it is “%(status)s”). Only a closed case is destroyed under the "
            "retention schedule."
        ) % {"status": standing.complaint.get_status_display()}
    return None


def retention_due(ctx: MoveContext) -> str | None:
    standing = _standing(ctx)
    if not standing.is_closed or standing.is_due(timezone.localdate(ctx.now)):
        return None
    return _(
        "Not due yet: under the “%(schedule)s” schedule a case is kept for %(years)d years after it closed. "
        "This one closed on %(closed)s and may be destroyed from %(due)s."
    ) % {
        "schedule": standing.schedule_label,
        "years": standing.years,
        "closed": standing.closed_on.isoformat(),
        "due": standing.due_on.isoformat(),
    }


def no_legal_hold(ctx: MoveContext) -> str | None:
    standing = _standing(ctx)
    if not standing.holds:
        return None
    hold = standing.holds[0]
    return _(
        "A legal hold is in force (%(kind)s, placed on %(placed)s by %(by)s): the records must be kept. "
        "Release the hold first."
    ) % {
        "kind": hold.get_kind_display().lower(),
        "placed": timezone.localdate(hold.placed_at).isoformat(),
        "by": person_name(hold.placed_by, hold.placed_by_name) or _("a supervisor"),
    }


def _destroy(ctx: MoveContext) -> None:
    record: RetentionRecord = ctx.obj
    standing = _standing(ctx)
    destruction = destroy_case_data(complaint=standing.complaint, actor=ctx.actor, now=ctx.now)
    record.schedule = standing.schedule
    record.closed_on = standing.closed_on
    record.due_on = standing.due_on
    record.destroyed_at = ctx.now
    record.destroyed_by = _user(ctx.actor)
    record.destroyed_by_name = _actor_name(ctx.actor)
    record.reason = ctx.reason
    record._history_user = _user(ctx.actor)
    ctx.fields += ["schedule", "closed_on", "due_on", "destroyed_at", "destroyed_by", "destroyed_by_name", "reason"]
    ctx.params["files"] = destruction.files
    # Counts and dates only: the reason stays on the tombstone, out of the audit trail.
    ctx.data.update(
        {
            "schedule": record.schedule,
            "closed_on": record.closed_on.isoformat() if record.closed_on else None,
            "due_on": record.due_on.isoformat() if record.due_on else None,
            **destruction.summary(),
        }
    )


def _delete_files(ctx: MoveContext, change: Any) -> None:
    for storage, name in ctx.params.get("files", []):
        try:
            storage.delete(name)
        except Exception:
            # The record no longer names it, so an orphan sweep finds it; the key is random, not personal.
            logger.exception("Could not delete %s after destroying case records", name)


def _may_destroy(user: Any, record: RetentionRecord) -> bool:
    return user.has_perm(DESTROY_PERM) and complaint_visible_to(user, record.complaint)


DESTROY = Move(
    "destroy",
    R.KEPT,
    R.DESTROYED,
    DESTROY_PERM,
    gettext_lazy("Destroy the case's records"),
    reason_required=True,
    owner=DESTRUCTION,
    guards=(case_closed, retention_due, no_legal_hold),
)

RETENTION_LIFECYCLE = Lifecycle(
    name="retention",
    model=RetentionRecord,
    moves=[DESTROY],
    audit_action="retention.destroyed",
    record_change=lambda ctx: ctx.obj,  # the record's own history row records the destruction
    target_label=lambda record: record.complaint.tracking_number,
    denied_message=gettext_lazy("Only a supervisor can destroy a case's records."),
    select_related=("complaint",),
)
RETENTION_LIFECYCLE.add_rule(DESTROY_PERM, _may_destroy)
RETENTION_LIFECYCLE.add_effect("destroy", name="retention.scrub", effect=_destroy)
RETENTION_LIFECYCLE.add_after_commit("destroy", name="retention.files", effect=_delete_files)
