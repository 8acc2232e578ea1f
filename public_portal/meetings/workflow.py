"""A board meeting's public lifecycle, on the shared mechanism (``oversight.lifecycle``).

```
draft ─publish agenda─> agenda_published ─record held─> held
  ─approve minutes─> minutes_approved ─publish minutes─> minutes_published
```

Who may take every step: the board's current chair and supervisors (``may_manage_meetings``). The
agenda, time and place can be changed while the meeting is a draft or announced; the minutes are
written once it is held, and are fixed when approved. Recording the meeting held is owned by its
service (``meetings.held``), which links the decisions taken there in the same transaction.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from investigations.board.membership import is_current_chair
from investigations.board.models import BoardMeeting
from oversight.lifecycle import Lifecycle, Move, MoveContext

from .models import MeetingEvent

S = BoardMeeting.Status
RULE = "meetings.manage"
MANAGE_PERM = "board.change_boardmeeting"
HELD = "meetings.held"


def may_manage_meetings(user: Any) -> bool:
    """The board's current chair, or a holder of the meeting permission (supervisors)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    # Only a board member can be the chair: the permission check (from the per-request cache) spares
    # every other staff page the membership query.
    return user.has_perm(MANAGE_PERM) or (user.has_perm("investigations.vote_on_case") and is_current_chair(user))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Guards --------------------------------------------------------------------------------------------


def announceable(ctx: MoveContext) -> str | None:
    meeting: BoardMeeting = ctx.obj
    if not meeting.title.strip() or meeting.starts_at is None or meeting.ends_at is None:
        return _("Give the meeting a title, a date and its start and end times first.")
    if not (meeting.place.strip() or meeting.remote_url.strip()):
        return _("Say where the meeting takes place, or give the link to join it, first.")
    if not meeting.public_agenda_items.exists():
        return _("Write at least one agenda item first: the public agenda says what the board will discuss.")
    return None


def has_started(ctx: MoveContext) -> str | None:
    meeting: BoardMeeting = ctx.obj
    if meeting.starts_at is not None and meeting.starts_at > ctx.now:
        return _("The meeting has not started yet. Record it as held once it has taken place.")
    return None


def has_minutes(ctx: MoveContext) -> str | None:
    if not (ctx.obj.minutes or "").strip():
        return _("Write the minutes first: the board approves what is written.")
    return None


# --- Effects -------------------------------------------------------------------------------------------

STAMPS = {
    "publish_agenda": "agenda_published_at",
    "record_held": "held_recorded_at",
    "approve_minutes": "minutes_approved_at",
    "publish_minutes": "minutes_published_at",
}


def _stamp(ctx: MoveContext) -> None:
    name = STAMPS[ctx.move.action]
    setattr(ctx.obj, name, ctx.now)
    ctx.fields.append(name)
    if ctx.move.action != "publish_agenda":
        # Calendar apps update their copy of an event whose SEQUENCE went up.
        ctx.obj.sequence += 1
        ctx.fields.append("sequence")
    ctx.obj._history_user = _user(ctx.actor)


def _record_event(ctx: MoveContext) -> MeetingEvent:
    actor = _user(ctx.actor)
    return MeetingEvent.objects.create(
        meeting=ctx.obj,
        action=ctx.move.action,
        from_status=ctx.source,
        to_status=ctx.move.target,
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        occurred_at=ctx.now,
    )


def _label(meeting: BoardMeeting) -> str:
    return f"{meeting.date} #{meeting.pk}"


MOVES = [
    Move(
        "publish_agenda",
        S.DRAFT,
        S.AGENDA_PUBLISHED,
        RULE,
        gettext_lazy("Publish the agenda"),
        confirm=gettext_lazy(
            "The meeting, its time, place and agenda appear on the public meetings page and in the public "
            "calendar at once. It cannot go back to being a draft."
        ),
        guards=(announceable,),
    ),
    Move(
        "record_held",
        S.AGENDA_PUBLISHED,
        S.HELD,
        RULE,
        gettext_lazy("Record the meeting as held"),
        owner=HELD,
        confirm=gettext_lazy("The time, place and agenda can no longer be changed. The minutes are written next."),
        guards=(has_started,),
    ),
    Move(
        "approve_minutes",
        S.HELD,
        S.MINUTES_APPROVED,
        RULE,
        gettext_lazy("Approve the minutes"),
        confirm=gettext_lazy(
            "The minutes can no longer be changed once the board has approved them. They stay hidden from the "
            "public until they are published."
        ),
        guards=(has_minutes,),
    ),
    Move(
        "publish_minutes",
        S.MINUTES_APPROVED,
        S.MINUTES_PUBLISHED,
        RULE,
        gettext_lazy("Publish the minutes"),
        confirm=gettext_lazy(
            "The minutes, the published decisions taken at the meeting and the vote counts appear on the "
            "meeting's public page at once. This cannot be undone."
        ),
        guards=(has_minutes,),
    ),
]

MEETING_LIFECYCLE = Lifecycle(
    name="board_meeting",
    model=BoardMeeting,
    moves=MOVES,
    audit_action="meeting.step",
    record_change=_record_event,
    target_label=_label,
    denied_message=gettext_lazy("Only the board's chair or a supervisor can do this to a meeting."),
    conflict_message=gettext_lazy(
        "Someone else changed this meeting while you were looking at it: it is now “%(status)s”."
    ),
)
MEETING_LIFECYCLE.add_rule(RULE, lambda actor, meeting: may_manage_meetings(actor))
for _action in STAMPS:
    MEETING_LIFECYCLE.add_effect(_action, name="meetings.stamp", effect=_stamp)


def available_moves(meeting: BoardMeeting, user: Any) -> list[Move]:
    """The steps ``user`` may take on ``meeting`` now (the held step included: it has its own page)."""
    return MEETING_LIFECYCLE.available(meeting, user)


def move_by_action(action: str) -> Move | None:
    found = MEETING_LIFECYCLE.by_action(action)
    return found[0] if found else None
