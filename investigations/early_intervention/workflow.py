"""A flag's small lifecycle, on the shared mechanism (``oversight.lifecycle``).

    open ─start review─> under review ─close─> closed
      └────────────────────close─────────────────┘

Who may: supervisors (``early_intervention.view_flag`` and ``early_intervention.review_flag``).
Closing is owned by the closing service (``services.flag_close``), which takes the action and the
note; the note is required (the move's reason). A closed flag is final: the evaluation opens a new
flag when complaints not behind it trip the rule again. Each move writes a ``FlagEvent`` (the
flag's history on its page) and one ``early_intervention.flag_moved`` audit event; refusals are
audited too.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oversight.lifecycle import Lifecycle, Move, MoveContext

from .models import Flag, FlagEvent

F = Flag.Status
VIEW_PERM = "early_intervention.view_flag"
REVIEW_PERM = "early_intervention.review_flag"
CLOSING = "early_intervention.closing"
START_REVIEW = "start_review"
CLOSE = "close"


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _name(actor: Any) -> str:
    user = _user(actor)
    return user.get_username() if user else ""


def may_review(user: Any, flag: Flag | None = None) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm(VIEW_PERM)
        and user.has_perm(REVIEW_PERM)
    )


def _label(flag: Flag) -> str:
    # Names the flag and the officer's badge: nothing of any complaint.
    return f"flag {flag.pk} (badge {flag.officer.badge_number})"


def _review_started(ctx: MoveContext) -> None:
    flag: Flag = ctx.obj
    flag.reviewer = _user(ctx.actor)
    flag.reviewer_name = _name(ctx.actor)
    flag.review_started_at = ctx.now
    flag._history_user = _user(ctx.actor)
    ctx.fields += ["reviewer", "reviewer_name", "review_started_at"]
    ctx.data.update({"flag": flag.pk})


def _closed(ctx: MoveContext) -> None:
    flag: Flag = ctx.obj
    flag.action = ctx.params["action"]
    flag.closing_note = ctx.reason
    flag.closed_at = ctx.now
    flag.closed_by = _user(ctx.actor)
    flag.closed_by_name = _name(ctx.actor)
    if not flag.reviewer_id and not flag.reviewer_name:
        flag.reviewer, flag.reviewer_name, flag.review_started_at = flag.closed_by, flag.closed_by_name, ctx.now
        ctx.fields += ["reviewer", "reviewer_name", "review_started_at"]
    flag._history_user = _user(ctx.actor)
    ctx.fields += ["action", "closing_note", "closed_at", "closed_by", "closed_by_name"]
    # The note stays out of the audit data: it may name people.
    ctx.data.update({"flag": flag.pk, "closing_action": flag.action})


def action_given(ctx: MoveContext) -> str | None:
    if ctx.params.get("action") not in Flag.Action.values:
        return _("Choose what was done about this flag.")
    return None


def _record(ctx: MoveContext) -> FlagEvent:
    kind = FlagEvent.Kind.CLOSED if ctx.move.action == CLOSE else FlagEvent.Kind.REVIEW_STARTED
    return FlagEvent.objects.create(
        flag=ctx.obj,
        kind=kind,
        occurred_at=ctx.now,
        actor=_user(ctx.actor),
        actor_name=_name(ctx.actor),
        action=ctx.params.get("action", "") if ctx.move.action == CLOSE else "",
        note=ctx.reason,
    )


FLAG_LIFECYCLE = Lifecycle(
    name="early_intervention_flag",
    model=Flag,
    moves=[
        Move(START_REVIEW, F.OPEN, F.UNDER_REVIEW, REVIEW_PERM, gettext_lazy("Start the review")),
        Move(
            CLOSE,
            F.OPEN,
            F.CLOSED,
            REVIEW_PERM,
            gettext_lazy("Close the flag"),
            reason_required=True,
            owner=CLOSING,
            guards=(action_given,),
        ),
        Move(
            CLOSE,
            F.UNDER_REVIEW,
            F.CLOSED,
            REVIEW_PERM,
            gettext_lazy("Close the flag"),
            reason_required=True,
            owner=CLOSING,
            guards=(action_given,),
        ),
    ],
    audit_action="early_intervention.flag_moved",
    record_change=_record,
    target_label=_label,
    denied_message=gettext_lazy("Only a supervisor can review early-intervention flags."),
    conflict_message=gettext_lazy(
        "Someone else changed this flag while you were looking at it: it is now “%(status)s”."
    ),
    select_related=("officer",),
)
FLAG_LIFECYCLE.add_rule(REVIEW_PERM, may_review)
FLAG_LIFECYCLE.add_effect(START_REVIEW, name="early_intervention.review_started", effect=_review_started)
FLAG_LIFECYCLE.add_effect(CLOSE, name="early_intervention.closed", effect=_closed)
