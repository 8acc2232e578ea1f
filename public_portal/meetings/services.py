"""Every write of the public meetings: drafting and changing a meeting, its lifecycle steps, the
minutes. Each checks who acts (the chair or a supervisor), runs in ``audit.service_atomic()`` and is
audited; a refused attempt is audited too."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from investigations.board.models import BoardDecision, BoardMeeting
from oversight import audit
from oversight.lifecycle import MoveRefused

from .models import AgendaItem, MeetingDecision
from .workflow import HELD, MEETING_LIFECYCLE, may_manage_meetings

S = BoardMeeting.Status
# The details (time, place, agenda) can be changed until the meeting is held.
EDITABLE = (S.DRAFT, S.AGENDA_PUBLISHED)
MAX_AGENDA_ITEMS = 60

__all__ = [
    "MoveRefused",
    "meeting_create",
    "meeting_minutes_save",
    "meeting_move",
    "meeting_record_held",
    "meeting_update",
]


def _require(actor: Any, action: str, **target: Any) -> None:
    if not may_manage_meetings(actor):
        audit.record_refusal(action, actor=actor, **target)
        raise PermissionDenied


def _clean_details(
    *,
    title: str,
    title_es: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    place: str,
    remote_url: str,
    agenda: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the meeting a title.")]
    if starts_at is None:
        errors["starts_at"] = [_("Give the date and time the meeting starts.")]
    elif timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime")
    if ends_at is None:
        errors["ends_at"] = [_("Give the time the meeting ends.")]
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("The meeting must end after it starts.")]
    items = [((text or "").strip(), (text_es or "").strip()) for text, text_es in agenda]
    if any(not text for text, _text_es in items):
        errors["agenda"] = [_("Every agenda item needs its English text.")]
    elif len(items) > MAX_AGENDA_ITEMS:
        errors["agenda"] = [_("An agenda has at most %(count)s items.") % {"count": MAX_AGENDA_ITEMS}]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "title_es": (title_es or "").strip(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": (place or "").strip(),
        "remote_url": (remote_url or "").strip(),
        "items": items,
    }


def _save_agenda(meeting: BoardMeeting, items: list[tuple[str, str]]) -> None:
    AgendaItem.objects.filter(meeting=meeting).delete()
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, position=position, text=text, text_es=text_es)
            for position, (text, text_es) in enumerate(items, start=1)
        ]
    )


def meeting_create(
    *,
    actor: Any,
    title: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    title_es: str = "",
    place: str = "",
    remote_url: str = "",
    agenda: Sequence[tuple[str, str]] = (),
) -> BoardMeeting:
    """Draft a meeting (the chair or a supervisor). Nothing of it is public until its agenda is."""
    _require(actor, "meeting.created", target_label=(title or "")[:200])
    details = _clean_details(
        title=title,
        title_es=title_es,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        remote_url=remote_url,
        agenda=agenda,
    )
    items = details.pop("items")
    with audit.service_atomic():
        meeting = BoardMeeting(date=timezone.localdate(details["starts_at"]), **details)
        meeting._history_user = actor
        meeting.save()
        _save_agenda(meeting, items)
        audit.record(
            "meeting.created",
            target=meeting,
            actor=actor,
            data={"starts_at": meeting.starts_at, "agenda_items": len(items)},
        )
    return meeting


def meeting_update(
    *,
    meeting: BoardMeeting,
    actor: Any,
    title: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    title_es: str = "",
    place: str = "",
    remote_url: str = "",
    agenda: Sequence[tuple[str, str]] = (),
) -> BoardMeeting:
    """Change a meeting's title, time, place and agenda, until it is held. Once the agenda is public
    the change shows at once, and the calendar entry's revision goes up so calendars update."""
    _require(actor, "meeting.changed", target=meeting)
    details = _clean_details(
        title=title,
        title_es=title_es,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        remote_url=remote_url,
        agenda=agenda,
    )
    items = details.pop("items")
    with audit.service_atomic():
        locked = BoardMeeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status not in EDITABLE:
            raise ValidationError(_("The meeting has been held: its time, place and agenda can no longer change."))
        changed = [name for name, value in details.items() if getattr(locked, name) != value]
        before = [(i.text, i.text_es) for i in AgendaItem.objects.filter(meeting=locked)]
        agenda_changed = before != items
        if not changed and not agenda_changed:
            return locked
        for name, value in details.items():
            setattr(locked, name, value)
        locked.date = timezone.localdate(locked.starts_at)
        fields = [*changed, "date", "updated_at"]
        if locked.status != S.DRAFT:
            locked.sequence += 1
            fields.append("sequence")
        locked._history_user = actor
        locked.save(update_fields=fields)
        if agenda_changed:
            _save_agenda(locked, items)
        audit.record(
            "meeting.changed",
            target=locked,
            actor=actor,
            data={
                "fields": changed + (["agenda"] if agenda_changed else []),
                "public": locked.status != S.DRAFT,
            },
        )
    meeting.refresh_from_db()
    return locked


def meeting_move(*, meeting: BoardMeeting, actor: Any, target: str, expected: str | None = None) -> Any:
    """Take one of the lifecycle's button steps (publish the agenda, approve or publish the minutes).
    Raises ``MoveRefused`` with a message for the person (``code`` "forbidden" for the wrong person)."""
    return MEETING_LIFECYCLE.run(obj=meeting, target=target, actor=actor, expected=expected)


def held_candidates(meeting: BoardMeeting):
    """Decisions that may be linked to ``meeting``: not linked to another meeting, on a case on its
    agenda or recorded on the meeting's date, newest first."""
    from django.db.models import Q

    linked_elsewhere = MeetingDecision.objects.exclude(meeting=meeting).values("decision_id")
    on_agenda = meeting.agenda.through.objects.filter(boardmeeting_id=meeting.pk).values("complaint_id")
    return (
        BoardDecision.objects.exclude(pk__in=linked_elsewhere)
        .filter(Q(complaint_id__in=on_agenda) | Q(created_at__date=meeting.date))
        .select_related("complaint")
        .only("id", "kind", "created_at", "complaint_id", "complaint__tracking_number")
        .order_by("-created_at", "-id")
    )


def meeting_record_held(
    *,
    meeting: BoardMeeting,
    actor: Any,
    decisions: Sequence[BoardDecision] = (),
    attendees: Sequence[Any] = (),
    expected: str | None = None,
) -> Any:
    """Record that the meeting took place, with the board members who attended and the board decisions
    taken there (each decision at one meeting only)."""
    decisions = list(decisions)
    attendees = list(attendees)

    def apply(ctx: Any) -> None:
        allowed = set(held_candidates(ctx.obj).values_list("id", flat=True))
        refused = [d.pk for d in decisions if d.pk not in allowed]
        if refused:
            raise MoveRefused(
                _("One of the decisions chosen was taken at another meeting or is not on this meeting's agenda."),
                code="precondition",
            )
        MeetingDecision.objects.bulk_create(
            [MeetingDecision(meeting=ctx.obj, decision=d, linked_by=_user(actor)) for d in decisions]
        )
        ctx.obj.attendees.set(attendees)
        ctx.data.update({"decisions": [d.pk for d in decisions], "attendees": len(attendees)})

    return MEETING_LIFECYCLE.run(obj=meeting, target=S.HELD, actor=actor, expected=expected, via=HELD, apply=apply)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def meeting_minutes_save(*, meeting: BoardMeeting, actor: Any, minutes: str, minutes_es: str = "") -> BoardMeeting:
    """Write or change the minutes of a held meeting, until the board approves them. They are not
    public until published."""
    _require(actor, "meeting.minutes_written", target=meeting)
    minutes = (minutes or "").strip()
    minutes_es = (minutes_es or "").strip()
    if not minutes:
        raise ValidationError({"minutes": [_("Write the minutes.")]})
    with audit.service_atomic():
        locked = BoardMeeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != S.HELD:
            raise ValidationError(
                _("Minutes can be written only once the meeting is held and until they are approved.")
            )
        locked.minutes, locked.minutes_es = minutes, minutes_es
        locked._history_user = actor
        locked.save(update_fields=["minutes", "minutes_es", "updated_at"])
        audit.record(
            "meeting.minutes_written",
            target=locked,
            actor=actor,
            data={"characters": len(minutes), "spanish": bool(minutes_es)},
        )
    meeting.refresh_from_db()
    return locked
