"""Demo meetings: the last few months' board meetings, each held on the day of its most recent
decision, with the demo decisions of the fortnight before linked to it, approved and published
minutes; the most recent one held with its minutes still awaiting approval; and one upcoming
meeting with a published agenda. Written directly (the demo's history needs no audit events), after
board review and publication have seeded (app order)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from investigations.board.membership import current_memberships
from investigations.board.models import BoardDecision, BoardMeeting
from oversight.demo import DemoContext, register
from public_portal.publication.models import Publication

from .models import AgendaItem, MeetingDecision, MeetingEvent

S = BoardMeeting.Status
PAST_MEETINGS = 4
WINDOW = timedelta(days=14)
PLACE = "City Hall, Council Chambers, 100 Main Street"
REMOTE = "https://meetings.oversight.example/board"
AGENDA = [
    ("Call to order and roll call", "Apertura de la sesión y lista de asistencia"),
    ("Approval of the minutes of the previous meeting", "Aprobación del acta de la sesión anterior"),
    ("Cases for decision", "Casos para decisión"),
    ("Report of the executive director", "Informe de la dirección ejecutiva"),
    ("Public comment", "Comentarios del público"),
    ("Adjournment", "Cierre de la sesión"),
]
MINUTES = (
    "The chair called the meeting to order at 6:00 p.m. A quorum was present.\n\n"
    "The board approved the minutes of its previous meeting.\n\n"
    "The board reviewed {count} cases presented by the investigators and recorded its decisions. "
    "The published decisions are listed below.\n\n"
    "The executive director reported on the number of open cases and the time they take.\n\n"
    "Three residents spoke during public comment. The meeting ended at 7:45 p.m."
)
MINUTES_ES = (
    "La presidencia abrió la sesión a las 6:00 p. m. Había quórum.\n\n"
    "La junta aprobó el acta de su sesión anterior.\n\n"
    "La junta revisó {count} casos presentados por los investigadores y registró sus decisiones. "
    "Las decisiones publicadas aparecen abajo.\n\n"
    "La dirección ejecutiva informó sobre el número de casos abiertos y el tiempo que toman.\n\n"
    "Tres residentes hablaron en el periodo de comentarios del público. La sesión terminó a las 7:45 p. m."
)


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _meeting(ctx: DemoContext, day, *, status: str, count: int = 0) -> BoardMeeting:
    starts = _at(day, 18)
    meeting = BoardMeeting.objects.create(
        date=day,
        title="Regular board meeting",
        title_es="Sesión ordinaria de la junta",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place=PLACE,
        remote_url=REMOTE,
        status=status,
        agenda_published_at=starts - timedelta(days=10),
    )
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, position=n, text=en, text_es=es) for n, (en, es) in enumerate(AGENDA, start=1)]
    )
    chair = ctx.shared.get("users", {}).get("board")
    steps = [("publish_agenda", S.DRAFT, S.AGENDA_PUBLISHED, starts - timedelta(days=10))]
    if status != S.AGENDA_PUBLISHED:
        steps.append(("record_held", S.AGENDA_PUBLISHED, S.HELD, starts + timedelta(hours=3)))
        meeting.held_recorded_at = starts + timedelta(hours=3)
        meeting.minutes = MINUTES.format(count=count)
        meeting.minutes_es = MINUTES_ES.format(count=count)
    if status == S.MINUTES_PUBLISHED:
        approved = starts + timedelta(days=14)
        steps.append(("approve_minutes", S.HELD, S.MINUTES_APPROVED, approved))
        steps.append(("publish_minutes", S.MINUTES_APPROVED, S.MINUTES_PUBLISHED, approved + timedelta(hours=1)))
        meeting.minutes_approved_at, meeting.minutes_published_at = approved, approved + timedelta(hours=1)
    meeting.sequence = len(steps) - 1
    meeting.save()
    MeetingEvent.objects.bulk_create(
        [
            MeetingEvent(
                meeting=meeting,
                action=action,
                from_status=source,
                to_status=target,
                actor=chair,
                actor_username=chair.get_username() if chair else "",
                occurred_at=when,
            )
            for action, source, target, when in steps
        ]
    )
    return meeting


@register("meetings")
def seed_meetings(ctx: DemoContext) -> None:
    if BoardMeeting.objects.filter(starts_at__isnull=False).exists():
        return
    chair = ctx.shared.get("users", {}).get("board")
    today_start = _at(ctx.as_of, 0)
    decided = BoardDecision.objects.filter(created_at__lt=today_start).order_by("-created_at", "-id")
    # The latest decisions, for the meeting whose minutes are not public yet; before them, those
    # whose cases are published, so each past meeting's page lists what the public may see.
    latest = list(decided.filter(created_at__gte=today_start - WINDOW).only("id", "created_at"))
    published = list(
        decided.filter(
            created_at__lt=today_start - WINDOW, complaint__publications__status=Publication.Status.PUBLISHED
        )
        .distinct()
        .only("id", "created_at")
    )
    recent = latest + published
    members = list(current_memberships(ctx.as_of).values_list("member_id", flat=True))
    made = 0
    while recent and made < PAST_MEETINGS:
        day = timezone.localdate(recent[0].created_at)
        cutoff = _at(day, 0) - WINDOW
        batch = [d for d in recent if d.created_at >= cutoff]
        recent = recent[len(batch) :]
        # Most recent meeting: held, its minutes written but not approved (not public yet).
        status = S.HELD if made == 0 else S.MINUTES_PUBLISHED
        meeting = _meeting(ctx, day, status=status, count=len(batch))
        MeetingDecision.objects.bulk_create(
            [MeetingDecision(meeting=meeting, decision=d, linked_by=chair) for d in batch]
        )
        meeting.attendees.set(members)
        ctx.count("board meetings", 1)
        ctx.count("decisions linked to meetings", len(batch))
        made += 1
    upcoming = _meeting(ctx, ctx.as_of + timedelta(days=12), status=S.AGENDA_PUBLISHED)
    ctx.count("board meetings", 1)
    ctx.log(f"  meetings: the next board meeting is announced at /meetings/{upcoming.pk}/")
