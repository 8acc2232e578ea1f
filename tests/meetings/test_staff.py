"""The staff meeting pages: who may use them (the matrix written out by hand), the lifecycle from a
draft to published minutes through the pages, each step audited with who took it, confirmations,
refusals of the wrong person (audited) and of steps out of order, CSRF."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from investigations.board.models import BoardDecision, BoardMeeting
from oversight.models import AuditEvent
from public_portal.meetings import services
from public_portal.meetings.models import MeetingDecision, MeetingEvent
from tests.factories import ComplaintFactory

from .conftest import make_meeting, step

pytestmark = pytest.mark.django_db

S = BoardMeeting.Status

# Who may open the staff meeting pages: the board's current chair and supervisors. Everyone else
# signed in gets 404; a visitor who is not signed in is sent to the sign-in page.
ROLE_MATRIX = {
    "supervisor": 200,
    "board_chair": 200,
    "board_member": 404,
    "intake_coordinator": 404,
    "other_investigator": 404,
    "publisher": 404,
    "sysadmin": 404,
}


@pytest.mark.parametrize(("persona", "expected"), sorted(ROLE_MATRIX.items()))
def test_role_matrix(request, client, supervisor, persona, expected):
    meeting = make_meeting(supervisor)
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in (
        "/staff/meetings/",
        "/staff/meetings/new/",
        f"/staff/meetings/{meeting.pk}/",
        f"/staff/meetings/{meeting.pk}/edit/",
        f"/staff/meetings/{meeting.pk}/step/publish_agenda/",
    ):
        assert client.get(url).status_code == expected, (persona, url)
    response = client.post(f"/staff/meetings/{meeting.pk}/step/publish_agenda/", {"expected": "draft"})
    meeting.refresh_from_db()
    if expected == 200:
        assert response.status_code == 302
        assert meeting.status == S.AGENDA_PUBLISHED
    else:
        assert response.status_code == 404
        assert meeting.status == S.DRAFT


def test_nav_link_only_for_those_who_may(client, supervisor, board_chair, board_member):
    for user, shown in ((supervisor, True), (board_chair, True), (board_member, False)):
        client.force_login(user)
        html = client.get("/staff/").content.decode()
        assert ('href="/staff/meetings/"' in html) is shown, user


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/staff/meetings/")
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]


def _actions(meeting):
    return [
        (e.action, e.data.get("action", ""), e.actor_username, e.outcome)
        for e in AuditEvent.objects.filter(action__startswith="meeting.", target_id=str(meeting.pk)).order_by("id")
    ]


def test_chair_takes_a_meeting_from_draft_to_published_minutes(client, board_chair):
    client.force_login(board_chair)
    start = timezone.localtime() - timedelta(hours=3)
    response = client.post(
        "/staff/meetings/new/",
        {
            "title": "Regular board meeting",
            "title_es": "Sesión ordinaria",
            "day": start.date().isoformat(),
            "starts": start.strftime("%H:%M"),
            "ends": (start + timedelta(hours=2)).strftime("%H:%M")
            if (start + timedelta(hours=2)).date() == start.date()
            else "23:59",
            "place": "City Hall, Room 400",
            "remote_url": "https://meet.example.gov/board",
            "agenda": "Call to order\nCases for decision\nPublic comment",
            "agenda_es": "Apertura\nCasos para decisión\nComentarios del público",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = BoardMeeting.objects.get()
    assert meeting.status == S.DRAFT
    assert client.get("/meetings/").content.decode().count("Regular board meeting") == 0

    decision = BoardDecision.objects.create(
        complaint=ComplaintFactory(), kind=BoardDecision.Kind.ADOPT, votes_counted={"concur": 3}
    )
    # Publishing the agenda asks for confirmation first.
    confirm = client.get(f"/staff/meetings/{meeting.pk}/step/publish_agenda/")
    assert "cannot go back to being a draft" in confirm.content.decode()
    assert client.post(f"/staff/meetings/{meeting.pk}/step/publish_agenda/", {"expected": "draft"}).status_code == 302
    held_page = client.get(f"/staff/meetings/{meeting.pk}/held/")
    assert decision.complaint.tracking_number in held_page.content.decode()
    response = client.post(
        f"/staff/meetings/{meeting.pk}/held/",
        {"expected": "agenda_published", "decisions": [decision.pk], "attendees": [board_chair.pk]},
    )
    assert response.status_code == 302
    assert MeetingDecision.objects.get().decision == decision
    assert client.post(f"/staff/meetings/{meeting.pk}/minutes/", {"minutes": "The board met."}).status_code == 302
    assert client.post(f"/staff/meetings/{meeting.pk}/step/approve_minutes/", {"expected": "held"}).status_code == 302
    # Once approved, the minutes can no longer change.
    response = client.post(f"/staff/meetings/{meeting.pk}/minutes/", {"minutes": "Rewritten."})
    assert response.status_code == 400
    assert (
        client.post(f"/staff/meetings/{meeting.pk}/step/publish_minutes/", {"expected": "minutes_approved"}).status_code
        == 302
    )
    meeting.refresh_from_db()
    assert meeting.status == S.MINUTES_PUBLISHED
    assert meeting.minutes == "The board met."
    assert list(meeting.attendees.all()) == [board_chair]
    for stamp in ("agenda_published_at", "held_recorded_at", "minutes_approved_at", "minutes_published_at"):
        assert getattr(meeting, stamp) is not None
    assert _actions(meeting) == [
        ("meeting.created", "", "carmen_chair", "success"),
        ("meeting.step", "publish_agenda", "carmen_chair", "success"),
        ("meeting.step", "record_held", "carmen_chair", "success"),
        ("meeting.minutes_written", "", "carmen_chair", "success"),
        ("meeting.step", "approve_minutes", "carmen_chair", "success"),
        ("meeting.step", "publish_minutes", "carmen_chair", "success"),
    ]
    steps = [(e.action, e.actor_username) for e in MeetingEvent.objects.filter(meeting=meeting)]
    assert steps == [
        ("publish_agenda", "carmen_chair"),
        ("record_held", "carmen_chair"),
        ("approve_minutes", "carmen_chair"),
        ("publish_minutes", "carmen_chair"),
    ]
    assert "The board met." in client.get(f"/meetings/{meeting.pk}/").content.decode()


def test_audit_trail_of_the_lifecycle(decided):
    assert _actions(decided.meeting) == [
        ("meeting.created", "", "sofia_supervisor", "success"),
        ("meeting.step", "publish_agenda", "sofia_supervisor", "success"),
        ("meeting.step", "record_held", "sofia_supervisor", "success"),
        ("meeting.minutes_written", "", "sofia_supervisor", "success"),
        ("meeting.step", "approve_minutes", "sofia_supervisor", "success"),
        ("meeting.step", "publish_minutes", "sofia_supervisor", "success"),
    ]


def test_wrong_person_is_refused_by_the_service_and_audited(supervisor, board_member, publisher):
    meeting = make_meeting(supervisor)
    for user in (board_member, publisher):
        with pytest.raises(services.MoveRefused) as refused:
            services.meeting_move(meeting=meeting, actor=user, target=S.AGENDA_PUBLISHED)
        assert refused.value.code == "forbidden"
    with pytest.raises(services.PermissionDenied):
        make_meeting(board_member)
    meeting.refresh_from_db()
    assert meeting.status == S.DRAFT
    denied = AuditEvent.objects.filter(outcome="denied", action__startswith="meeting.")
    assert sorted(denied.values_list("action", "actor_username")) == [
        ("meeting.created", "marcus_board"),
        ("meeting.step", "marcus_board"),
        ("meeting.step", "priya_publisher"),
    ]


def test_steps_out_of_order_and_guards(supervisor):
    meeting = make_meeting(supervisor, place="", remote_url="")
    with pytest.raises(services.MoveRefused, match="Say where the meeting takes place"):
        step(meeting, supervisor, "publish_agenda")
    with pytest.raises(services.MoveRefused) as refused:
        step(meeting, supervisor, "publish_minutes")
    assert refused.value.code == "not_allowed"
    future = make_meeting(supervisor, starts_at=timezone.now() + timedelta(days=3))
    step(future, supervisor, "publish_agenda")
    with pytest.raises(services.MoveRefused, match="has not started yet"):
        services.meeting_record_held(meeting=future, actor=supervisor)
    past = make_meeting(supervisor)
    step(past, supervisor, "publish_agenda")
    services.meeting_record_held(meeting=past, actor=supervisor)
    with pytest.raises(services.MoveRefused, match="Write the minutes first"):
        step(past, supervisor, "approve_minutes")


def test_a_decision_links_to_one_meeting_only(supervisor):
    decision = BoardDecision.objects.create(
        complaint=ComplaintFactory(), kind=BoardDecision.Kind.ADOPT, created_at=timezone.now() - timedelta(days=400)
    )
    first, second = make_meeting(supervisor), make_meeting(supervisor)
    first.agenda.add(decision.complaint)
    second.agenda.add(decision.complaint)
    for meeting in (first, second):
        step(meeting, supervisor, "publish_agenda")
    services.meeting_record_held(meeting=first, actor=supervisor, decisions=[decision])
    with pytest.raises(services.MoveRefused, match="taken at another meeting"):
        services.meeting_record_held(meeting=second, actor=supervisor, decisions=[decision])
    second.refresh_from_db()
    assert second.status == S.AGENDA_PUBLISHED


def test_stale_page_is_refused(client, supervisor):
    meeting = make_meeting(supervisor)
    client.force_login(supervisor)
    client.post(f"/staff/meetings/{meeting.pk}/step/publish_agenda/", {"expected": "draft"})
    response = client.post(f"/staff/meetings/{meeting.pk}/step/approve_minutes/", {"expected": "draft"}, follow=True)
    assert response.status_code == 200
    assert "Someone else changed this meeting" in response.content.decode()


def test_details_cannot_change_once_held(client, supervisor):
    meeting = make_meeting(supervisor)
    step(meeting, supervisor, "publish_agenda")
    services.meeting_record_held(meeting=meeting, actor=supervisor)
    client.force_login(supervisor)
    response = client.get(f"/staff/meetings/{meeting.pk}/edit/", follow=True)
    assert "can no longer change" in response.content.decode()


def test_csrf_is_required(supervisor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    meeting = make_meeting(supervisor)
    response = client.post(f"/staff/meetings/{meeting.pk}/step/publish_agenda/", {"expected": "draft"})
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == S.DRAFT
