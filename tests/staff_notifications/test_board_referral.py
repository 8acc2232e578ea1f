"""Board members are emailed when a case is referred to them: once each per referral, after the
move commits, in their preferred language, with a link to the case's board page and nothing about
the people in the case or what happened."""

import pytest
from django.core import mail

from complaints.models import Complaint
from investigations.board.models import Recusal
from investigations.board.services.review import board_referral_grant, board_referral_notify
from investigations.services.transitions import complaint_transition
from oversight.lifecycle import MoveRefused
from oversight.models import AuditEvent

from .conftest import (
    COMPLAINANT_EMAIL,
    COMPLAINANT_FIRST,
    COMPLAINANT_LAST,
    COMPLAINANT_PHONE,
    NARRATIVE,
    OFFICER_BADGE,
    OFFICER_LAST,
    WITNESS_NAME,
    WITNESS_PHONE,
    seat,
)

pytestmark = pytest.mark.django_db
S = Complaint.Status


def _refer(case, supervisor, capture):
    with capture(execute=True):
        complaint_transition(complaint=case, to_status=S.BOARD_REVIEW, actor=supervisor)
    case.refresh_from_db()
    assert case.status == S.BOARD_REVIEW


def _to(address: str):
    found = [m for m in mail.outbox if m.to == [address]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def test_each_member_gets_the_referral_in_their_own_language(
    ready_case, supervisor, spanish_member, english_member, django_capture_on_commit_callbacks
):
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    number = ready_case.tracking_number
    assert sorted(m.to[0] for m in mail.outbox) == ["lucia_board@oversight.example", "owen_board@oversight.example"]

    spanish = _to("lucia_board@oversight.example")
    assert number in spanish.subject
    assert spanish.body.startswith("Hola, Lucía:")
    assert f"Número de seguimiento: {number}" in spanish.body
    assert "Acusaciones: Fuerza física" in spanish.body
    assert "Plazo: 14 de marzo de 2027" in spanish.body
    assert "Hello" not in spanish.body and "Tracking number" not in spanish.body

    english = _to("owen_board@oversight.example")
    assert number in english.subject
    assert english.body.startswith("Hello Owen,")
    assert f"Tracking number: {number}" in english.body
    assert "Allegations: Physical force" in english.body
    assert "Deadline: March 14, 2027" in english.body
    assert "Hola" not in english.body


def test_the_email_links_to_the_case_in_the_board_area(
    ready_case, supervisor, english_member, django_capture_on_commit_callbacks
):
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    assert f"/staff/cases/board/{ready_case.tracking_number}/" in _to("owen_board@oversight.example").body


def test_the_link_is_absolute_when_the_referral_came_through_the_page(
    client, ready_case, supervisor, english_member, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    move = {"expected_status": S.FINDINGS_PROPOSED, "to_status": S.BOARD_REVIEW, "confirmed": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/cases/{ready_case.tracking_number}/move/", move)
    assert response.status_code == 302
    body = _to("owen_board@oversight.example").body
    assert f"http://testserver/staff/cases/board/{ready_case.tracking_number}/" in body


def test_a_member_who_chose_no_language_gets_the_sites_default(
    ready_case, supervisor, unset_member, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "es"
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    assert _to("hana_board@oversight.example").body.startswith("Hola, Hana:")


def test_a_recused_member_gets_no_email(
    ready_case, supervisor, spanish_member, english_member, django_capture_on_commit_callbacks
):
    Recusal.objects.create(complaint=ready_case, member=english_member, reason="Neighbour of the officer.")
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["lucia_board@oversight.example"]]


def test_a_member_recused_before_the_email_goes_out_gets_none(ready_case, supervisor, english_member, spanish_member):
    # The move commits; then, before the queued email runs, one member declares a conflict.
    complaint_transition(complaint=ready_case, to_status=S.BOARD_REVIEW, actor=supervisor)
    Recusal.objects.create(complaint=ready_case, member=english_member, reason="Conflict.")
    assert board_referral_notify(complaint_id=ready_case.pk) == 1
    assert [m.to for m in mail.outbox] == [["lucia_board@oversight.example"]]


def test_former_members_and_members_without_email_get_nothing(
    ready_case, supervisor, english_member, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from investigations.board.models import BoardMembership

    former = seat("ex_board", "Ezra")
    BoardMembership.objects.filter(member=former).update(term_end=timezone.localdate() - timedelta(days=1))
    no_email = seat("no_mail_board", "Nell")
    no_email.email = ""
    no_email.save(update_fields=["email"])
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["owen_board@oversight.example"]]


def test_running_the_referral_again_sends_no_duplicates(
    ready_case, supervisor, spanish_member, english_member, django_capture_on_commit_callbacks
):
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    # The grant again (as when a member joins), and the queued email run again (a retry).
    with django_capture_on_commit_callbacks(execute=True):
        board_referral_grant(complaint=ready_case, actor=supervisor)
    assert board_referral_notify(complaint_id=ready_case.pk) == 0
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="board.referral_notified").count() == 1


def test_a_member_who_joins_later_gets_the_email_and_nobody_gets_a_second(
    ready_case, supervisor, english_member, django_capture_on_commit_callbacks
):
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    newcomer = seat("new_board", "Nadia")
    with django_capture_on_commit_callbacks(execute=True):
        board_referral_grant(complaint=ready_case, actor=supervisor)
    assert sorted(m.to[0] for m in mail.outbox) == ["new_board@oversight.example", "owen_board@oversight.example"]
    assert newcomer.email == "new_board@oversight.example"


def test_a_case_referred_again_after_a_remand_is_a_new_referral(
    ready_case, supervisor, english_member, django_capture_on_commit_callbacks
):
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    # Remanded (the board's decision service owns that move: set here as its outcome), then approved again.
    Complaint.objects.filter(pk=ready_case.pk).update(status=S.FINDINGS_PROPOSED)
    ready_case.refresh_from_db()
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["owen_board@oversight.example"], ["owen_board@oversight.example"]]


def test_a_refused_move_sends_nothing(
    ready_case, english_member, other_investigator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(MoveRefused):
        complaint_transition(complaint=ready_case, to_status=S.BOARD_REVIEW, actor=other_investigator)
    assert mail.outbox == []


def test_nothing_goes_out_before_the_move_commits(ready_case, supervisor, english_member):
    # Inside the test's transaction nothing commits, so the queued email never runs.
    complaint_transition(complaint=ready_case, to_status=S.BOARD_REVIEW, actor=supervisor)
    assert mail.outbox == []


def test_nothing_is_sent_for_a_case_not_in_board_review(ready_case, english_member):
    assert board_referral_notify(complaint_id=ready_case.pk) == 0
    assert mail.outbox == []


def test_the_email_holds_no_personal_data_and_no_narrative(
    ready_case, supervisor, spanish_member, english_member, django_capture_on_commit_callbacks
):
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    forbidden = [
        COMPLAINANT_FIRST,
        COMPLAINANT_LAST,
        COMPLAINANT_EMAIL,
        COMPLAINANT_PHONE,
        "314-1592",
        *WITNESS_NAME.split(),
        WITNESS_PHONE,
        "marmalade",
        "Persimmon",
        "shove",
        OFFICER_LAST,
        OFFICER_BADGE,
    ]
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert [word for word in forbidden if word.lower() in text.lower()] == [], message.to
    assert NARRATIVE not in "".join(m.body for m in mail.outbox)


def test_the_audit_trail_records_who_was_emailed(
    ready_case, supervisor, spanish_member, english_member, django_capture_on_commit_callbacks
):
    _refer(ready_case, supervisor, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(action="board.referral_notified")
    assert event.target_id == str(ready_case.pk)
    assert sorted(event.data["members"]) == sorted([spanish_member.pk, english_member.pk])
    assert event.actor is None
