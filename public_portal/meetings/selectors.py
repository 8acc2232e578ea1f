"""Reads of board meetings, for the public pages and the staff pages.

The public reads touch the meeting, its agenda items and decision links, the board's decision rows
(their id, kind, case id, vote tally and date: never the case itself), recusal and vote rows (counts,
and members' names only where ``MEETING_VOTES_BY_NAME`` says votes are public by name) and the
published record through the public publication selectors. They never read a complaint, a party, a
tracking number or any other case table: a case appears only as its published disposition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from investigations.board.models import BoardDecision, BoardMeeting, Recusal, Vote
from oversight.input_guard import parse_int

from ..publication.models import Publication, PublishedAllegation
from ..publication.selectors import published_publications
from ..transparency.dispositions import (
    ALLEGATION_FIELDS,
    LIST_FIELDS,
    FilterChoices,
    category_map,
    district_map,
    with_public_text,
)
from .models import AgendaItem, MeetingDecision, MeetingEvent
from .workflow import may_manage_meetings

S = BoardMeeting.Status
PUBLIC_FIELDS = (
    "id",
    "date",
    "title",
    "title_es",
    "starts_at",
    "ends_at",
    "place",
    "remote_url",
    "status",
    "sequence",
    "created_at",
    "updated_at",
    "agenda_published_at",
    "minutes_published_at",
)
UPCOMING_LIMIT = 50
FEED_LIMIT = 500


def votes_by_name() -> bool:
    """Whether the body publishes each member's vote by name (``MEETING_VOTES_BY_NAME``)."""
    return bool(getattr(settings, "MEETING_VOTES_BY_NAME", False))


def localized(english: str, spanish: str, language: str | None = None) -> tuple[str, str]:
    """The text in the reader's language where there is one, and the language it is in."""
    language = (language or get_language() or "en")[:2]
    if language == "es" and (spanish or "").strip():
        return spanish, "es"
    return english, "en"


def _with_text(meeting: BoardMeeting, language: str | None = None) -> BoardMeeting:
    meeting.public_title, meeting.public_title_lang = localized(meeting.title, meeting.title_es, language)
    meeting.is_upcoming = meeting.status == S.AGENDA_PUBLISHED and (
        meeting.ends_at is None or meeting.ends_at >= timezone.now()
    )
    return meeting


# --- Public ----------------------------------------------------------------------------------------------


def meetings_public() -> QuerySet[BoardMeeting]:
    """Every meeting whose agenda is public (drafts never are)."""
    return BoardMeeting.objects.exclude(status=S.DRAFT).filter(starts_at__isnull=False).only(*PUBLIC_FIELDS)


def meetings_upcoming(now: datetime | None = None) -> list[BoardMeeting]:
    """Announced meetings that have not ended, soonest first."""
    now = now or timezone.now()
    found = meetings_public().filter(status=S.AGENDA_PUBLISHED, ends_at__gte=now).order_by("starts_at", "id")
    return [_with_text(m) for m in found[:UPCOMING_LIMIT]]


def meetings_past(now: datetime | None = None) -> QuerySet[BoardMeeting]:
    """Meetings that took place (or whose time has passed), most recent first."""
    now = now or timezone.now()
    public = meetings_public()
    return (public.exclude(status=S.AGENDA_PUBLISHED) | public.filter(ends_at__lt=now)).order_by("-starts_at", "-id")


def with_text(meetings: Any) -> list[BoardMeeting]:
    return [_with_text(m) for m in meetings]


def meeting_get_public(meeting_id: Any) -> BoardMeeting:
    """The meeting with that id if its agenda is public, else Http404 (drafts, unknown, nonsense)."""
    pk = parse_int(meeting_id, minimum=1)
    if pk is None:
        raise Http404("No such meeting.")
    meeting = meetings_public().filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return _with_text(meeting)


@dataclass
class PublicItem:
    text: str
    lang: str


def agenda_public(meeting: BoardMeeting, language: str | None = None) -> list[PublicItem]:
    items = AgendaItem.objects.filter(meeting_id=meeting.pk).only("text", "text_es", "position").order_by("position")
    return [PublicItem(*localized(item.text, item.text_es, language)) for item in items]


def minutes_public(meeting: BoardMeeting, language: str | None = None) -> PublicItem | None:
    """The minutes once approved and published; ``None`` before (whatever has been written)."""
    if meeting.status != S.MINUTES_PUBLISHED:
        return None
    row = BoardMeeting.objects.filter(pk=meeting.pk).values("minutes", "minutes_es").first()
    if row is None or not row["minutes"].strip():
        return None
    return PublicItem(*localized(row["minutes"], row["minutes_es"], language))


@dataclass
class MemberVote:
    name: str
    choice: str


@dataclass
class DecidedCase:
    publication: Publication
    concur: int = 0
    do_not_concur: int = 0
    abstain: int = 0
    recused: int = 0
    by_name: list[MemberVote] = field(default_factory=list)


@dataclass
class MeetingRecord:
    """What the public sees of the decisions taken at a meeting with published minutes."""

    cases: list[DecidedCase]
    unpublished: int
    remanded: int
    by_name: bool

    @property
    def any(self) -> bool:
        return bool(self.cases or self.unpublished or self.remanded)


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def meeting_record_public(meeting: BoardMeeting) -> MeetingRecord | None:
    """The cases decided at the meeting as their published dispositions, with the vote counts (and
    names, where public); decisions without a published record are only counted. ``None`` until the
    minutes are published."""
    if meeting.status != S.MINUTES_PUBLISHED:
        return None
    decisions = list(
        BoardDecision.objects.filter(pk__in=MeetingDecision.objects.filter(meeting_id=meeting.pk).values("decision_id"))
        .only("id", "kind", "complaint_id", "votes_counted", "created_at")
        .order_by("created_at", "id")
    )
    latest: dict[int, BoardDecision] = {}
    for decision in decisions:
        latest[decision.complaint_id] = decision
    remanded = [d for d in latest.values() if d.kind == BoardDecision.Kind.REMAND]
    decided = {cid: d for cid, d in latest.items() if d.kind != BoardDecision.Kind.REMAND}
    allegations = PublishedAllegation.objects.only(*ALLEGATION_FIELDS).order_by("position", "id")
    publications = list(
        published_publications()
        .filter(complaint_id__in=list(decided))
        .only(*LIST_FIELDS, "complaint_id")
        .order_by("public_id", "id")
        .prefetch_related(Prefetch("allegations", allegations))
    )
    choices = FilterChoices(
        years=[], categories=[], districts=[], officers=[], category_info=category_map(), district_info=district_map()
    )
    publications = with_public_text(publications, choices)
    shown = [p.complaint_id for p in publications]
    recused = dict(
        Recusal.objects.filter(complaint_id__in=shown).values_list("complaint_id").annotate(n=Count("id")).order_by()
    )
    names = votes_by_name()
    member_votes: dict[int, list[MemberVote]] = {}
    if names and shown:
        member_votes = _votes_by_name(shown, decided)
    cases = []
    for publication in publications:
        decision = decided[publication.complaint_id]
        tally = decision.votes_counted or {}

        def count(choice: str, tally: dict = tally) -> int:
            value = tally.get(choice, 0)
            return value if isinstance(value, int) and value >= 0 else 0

        cases.append(
            DecidedCase(
                publication=publication,
                concur=count(Vote.Choice.CONCUR),
                do_not_concur=count(Vote.Choice.DO_NOT_CONCUR),
                abstain=count(Vote.Choice.ABSTAIN),
                recused=recused.get(publication.complaint_id, 0),
                by_name=member_votes.get(publication.complaint_id, []),
            )
        )
    return MeetingRecord(cases=cases, unpublished=len(decided) - len(cases), remanded=len(remanded), by_name=names)


def _votes_by_name(complaint_ids: list[int], decided: dict[int, BoardDecision]) -> dict[int, list[MemberVote]]:
    """Each member's vote in force when the decision was recorded (a correction replaces the vote it
    corrects), and the members recused on the case."""
    in_force: dict[tuple[int, int], Vote] = {}
    votes = (
        Vote.objects.filter(complaint_id__in=complaint_ids)
        .select_related("member")
        .only(
            "id", "complaint_id", "choice", "created_at", "member__first_name", "member__last_name", "member__username"
        )
        .order_by("created_at", "id")
    )
    for vote in votes:
        if vote.created_at <= decided[vote.complaint_id].created_at:
            in_force[(vote.complaint_id, vote.member_id)] = vote
    found: dict[int, list[MemberVote]] = {}
    for (complaint_id, _member), vote in in_force.items():
        found.setdefault(complaint_id, []).append(MemberVote(_name(vote.member), vote.choice))
    recusals = (
        Recusal.objects.filter(complaint_id__in=complaint_ids)
        .select_related("member")
        .only("complaint_id", "member__first_name", "member__last_name", "member__username")
    )
    for recusal in recusals:
        found.setdefault(recusal.complaint_id, []).append(MemberVote(_name(recusal.member), "recused"))
    for rows in found.values():
        rows.sort(key=lambda row: row.name.casefold())
    return found


def meetings_feed() -> list[BoardMeeting]:
    """The meetings the public calendar lists: every public one, most recent first (up to a limit)."""
    return list(meetings_public().order_by("-starts_at", "-id")[:FEED_LIMIT])


def meetings_last_changed() -> datetime | None:
    found = meetings_public().order_by("-updated_at").values_list("updated_at", flat=True).first()
    return found


# --- Staff -----------------------------------------------------------------------------------------------


def meetings_for_staff(user: Any) -> QuerySet[BoardMeeting]:
    """Every meeting, for the chair and supervisors; Http404 for anyone else."""
    if not may_manage_meetings(user):
        raise Http404
    return BoardMeeting.objects.order_by("-date", "-id")


def meeting_get_for_staff(*, user: Any, meeting_id: Any) -> BoardMeeting:
    if not may_manage_meetings(user):
        raise Http404
    pk = parse_int(meeting_id, minimum=1)
    meeting = BoardMeeting.objects.filter(pk=pk).first() if pk is not None else None
    if meeting is None:
        raise Http404
    return meeting


def meeting_agenda_items(meeting: BoardMeeting) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id"))


def meeting_events(meeting: BoardMeeting) -> list[MeetingEvent]:
    return list(MeetingEvent.objects.filter(meeting=meeting).order_by("occurred_at", "id"))


def meeting_decisions_for_staff(meeting: BoardMeeting) -> list[MeetingDecision]:
    return list(
        MeetingDecision.objects.filter(meeting=meeting)
        .select_related("decision__complaint")
        .order_by("decision__created_at", "decision_id")
    )
