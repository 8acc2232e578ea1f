"""Meetings built as a chair or supervisor would, through the services: a past meeting with its
agenda published, held with two decisions linked (one published, one not), minutes approved and
published; and an upcoming announced meeting."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from investigations.board.models import BoardDecision, BoardMeeting, Recusal, Vote
from public_portal.meetings import services
from tests.factories import (
    ComplaintFactory,
    PartyFactory,
    PublicationFactory,
    PublishedAllegationFactory,
    UserFactory,
)

S = BoardMeeting.Status
PAST_START = datetime(2026, 2, 10, 23, 0, tzinfo=UTC)  # 18:00 in New York
AGENDA = [("Call to order", "Apertura de la sesión"), ("Review of cases decided; public comment", "Revisión de casos")]
MINUTES = "The board met at 6 p.m. Five members were present. The board adopted the findings on one case."


def make_meeting(actor, *, starts_at=PAST_START, title="Regular board meeting", agenda=AGENDA, **extra):
    return services.meeting_create(
        actor=actor,
        title=title,
        title_es=extra.pop("title_es", "Sesión ordinaria de la junta"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place=extra.pop("place", "City Hall, Room 400, 1 Main Street"),
        remote_url=extra.pop("remote_url", "https://meet.example.gov/board"),
        agenda=agenda,
    )


def step(meeting, actor, action):
    target = {
        "publish_agenda": S.AGENDA_PUBLISHED,
        "approve_minutes": S.MINUTES_APPROVED,
        "publish_minutes": S.MINUTES_PUBLISHED,
    }[action]
    services.meeting_move(meeting=meeting, actor=actor, target=target)
    meeting.refresh_from_db()
    return meeting


@dataclass
class Decided:
    meeting: BoardMeeting
    published_decision: BoardDecision
    unpublished_decision: BoardDecision
    publication: object
    complaint: object
    party: object
    members: list


@pytest.fixture
def decided(db, supervisor):
    """A meeting whose minutes are published, with a published decided case (votes 3-1-1, one
    recusal) and a decided case not published yet."""
    complaint = ComplaintFactory(tracking_number="TST-2026-77777")
    party = PartyFactory(complaint=complaint, first_name="Xiomara", last_name="Quintanilla")
    other = ComplaintFactory(tracking_number="TST-2026-88888")
    PartyFactory(complaint=other, first_name="Bartholomew", last_name="Vandersloot")
    members = [
        UserFactory(username=f"member{n}", first_name=first, last_name="Member")
        for n, first in enumerate(["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"])
    ]
    decided_at = PAST_START + timedelta(minutes=30)
    for member, choice in zip(members[:5], ["concur", "concur", "concur", "do_not_concur", "abstain"], strict=True):
        Vote.objects.create(
            complaint=complaint, member=member, choice=choice, created_at=decided_at - timedelta(days=1)
        )
    Recusal.objects.create(complaint=complaint, member=members[5], reason="Knows the officer.", recorded_by=members[5])
    published_decision = BoardDecision.objects.create(
        complaint=complaint,
        kind=BoardDecision.Kind.ADOPT,
        votes_counted={"concur": 3, "do_not_concur": 1, "abstain": 1, "quorum_required": 3},
        created_at=decided_at,
    )
    unpublished_decision = BoardDecision.objects.create(
        complaint=other, kind=BoardDecision.Kind.ADOPT, votes_counted={"concur": 4}, created_at=decided_at
    )
    publication = PublicationFactory(complaint=complaint, public_id="D-MEET2345")
    PublishedAllegationFactory(publication=publication, disposition="sustained")
    meeting = make_meeting(supervisor)
    step(meeting, supervisor, "publish_agenda")
    services.meeting_record_held(
        meeting=meeting, actor=supervisor, decisions=[published_decision, unpublished_decision]
    )
    services.meeting_minutes_save(meeting=meeting, actor=supervisor, minutes=MINUTES)
    step(meeting, supervisor, "approve_minutes")
    step(meeting, supervisor, "publish_minutes")
    return Decided(meeting, published_decision, unpublished_decision, publication, complaint, party, members)


@pytest.fixture
def upcoming(db, supervisor):
    meeting = make_meeting(
        supervisor, starts_at=timezone.now() + timedelta(days=10), title="Special meeting on use of force"
    )
    return step(meeting, supervisor, "publish_agenda")
