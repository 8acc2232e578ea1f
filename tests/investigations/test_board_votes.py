from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from complaints.models import Complaint
from investigations.board.models import BoardMembership, Recusal, Vote
from investigations.board.quorum import eligible_members, quorum_needed, quorum_reachable, quorum_reached
from investigations.board.selectors import board_member_visible_cases, board_queue_for, board_quorum_status, live_votes
from investigations.board.services.review import board_referral_grant, recusal_declare, vote_record
from investigations.models import Disposition, Finding, Investigation
from oversight import permissions
from oversight.models import AuditEvent
from oversight.permissions import Role

from ..factories import AllegationFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Complaint.Status
VIEW = "complaints.view_complaint"


# --- Quorum arithmetic ---------------------------------------------------------------------------------


@given(current=st.integers(0, 60), recused=st.integers(0, 60), configured=st.integers(0, 40))
def test_quorum_needed_is_within_eligible_or_unreachable(current, recused, configured):
    recused = min(recused, current)
    eligible = eligible_members(current, recused)
    needed = quorum_needed(current, recused, configured)
    assert eligible == current - recused
    assert needed >= 1
    if quorum_reachable(current, recused, configured):
        assert needed <= eligible
        assert quorum_reached(needed, current, recused, configured)
        assert not quorum_reached(needed - 1, current, recused, configured)
    else:
        assert needed > eligible
        assert not any(quorum_reached(v, current, recused, configured) for v in range(eligible + 1))


@given(current=st.integers(0, 60), recused=st.integers(0, 60))
def test_default_quorum_is_a_strict_majority_of_eligible(current, recused):
    recused = min(recused, current)
    eligible = current - recused
    needed = quorum_needed(current, recused, 0)
    assert needed * 2 > eligible  # a majority...
    assert (needed - 1) * 2 <= eligible  # ...and the smallest one
    assert quorum_reachable(current, recused, 0) == (eligible > 0)


@given(current=st.integers(0, 60), recused=st.integers(0, 60), configured=st.integers(1, 40))
def test_configured_quorum_is_respected_never_lowered(current, recused, configured):
    recused = min(recused, current)
    assert quorum_needed(current, recused, configured) == configured
    assert quorum_reachable(current, recused, configured) == (current - recused >= configured)


# --- Fixtures ------------------------------------------------------------------------------------------


@pytest.fixture
def other_member(db):
    return UserFactory(username="nadia_board", roles=[Role.BOARD_MEMBER])


@pytest.fixture
def conflicted_member(db):
    """A member who will declare a conflict on the case in the test (not yet recused)."""
    return UserFactory(username="rita_conflicted", roles=[Role.BOARD_MEMBER])


@pytest.fixture
def former_member(db):
    return UserFactory(username="old_board", roles=[Role.BOARD_MEMBER])


@pytest.fixture
def board(board_chair, conflicted_member, other_member, former_member):
    start = date(2020, 1, 1)
    BoardMembership.objects.create(member=conflicted_member, term_start=start)
    BoardMembership.objects.create(member=other_member, term_start=start)
    BoardMembership.objects.create(
        member=former_member, term_start=start, term_end=timezone.localdate() - timedelta(days=1)
    )
    return [board_chair, conflicted_member, other_member]


@pytest.fixture
def review_case(complaint, board):
    """A case in board review with a proposed finding on each of its two allegations."""
    subject = complaint.subject_officers.get()
    for disposition in (Disposition.SUSTAINED, Disposition.NOT_SUSTAINED):
        allegation = AllegationFactory(subject_officer=subject)
        Finding.objects.create(allegation=allegation, proposed_disposition=disposition, rationale="Video evidence.")
    Investigation.objects.update_or_create(complaint=complaint, defaults={"discovery_date": date(2026, 3, 14)})
    Complaint.objects.filter(pk=complaint.pk).update(status=S.BOARD_REVIEW)
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def referred(review_case, supervisor):
    board_referral_grant(complaint=review_case, actor=supervisor)
    return review_case


@pytest.fixture
def recused(referred, conflicted_member):
    recusal_declare(
        complaint=referred, member=conflicted_member, actor=conflicted_member, reason="My cousin is the officer."
    )
    return referred


# --- Referral ------------------------------------------------------------------------------------------


def test_referral_grants_view_to_current_members_only(
    review_case, supervisor, board_chair, conflicted_member, other_member, former_member
):
    Recusal.objects.create(complaint=review_case, member=conflicted_member, reason="Conflict")
    granted = board_referral_grant(complaint=review_case, actor=supervisor)
    assert {u.pk for u in granted} == {board_chair.pk, other_member.pk}
    assert permissions.user_can(board_chair, VIEW, review_case)
    assert permissions.user_can(other_member, VIEW, review_case)
    assert not permissions.user_can(conflicted_member, VIEW, review_case)
    assert not permissions.user_can(former_member, VIEW, review_case)  # term ended yesterday
    assert AuditEvent.objects.filter(action="board.referred", target_id=str(review_case.pk)).exists()
    assert list(board_member_visible_cases(board_chair)) == [review_case]
    assert not board_member_visible_cases(former_member).exists()
    # Again: nobody new to grant.
    assert board_referral_grant(complaint=review_case, actor=supervisor) == []


def test_referral_needs_an_approver(review_case, board_chair):
    with pytest.raises(PermissionDenied):
        board_referral_grant(complaint=review_case, actor=board_chair)


# --- Recusal -------------------------------------------------------------------------------------------


def test_recused_member_loses_access_and_is_audited(recused, conflicted_member, client):
    assert not permissions.user_can(conflicted_member, VIEW, recused)
    event = AuditEvent.objects.get(action="board.recused", outcome=AuditEvent.Outcome.SUCCESS)
    assert event.data == {"member": conflicted_member.pk, "by_self": True}
    assert "cousin" not in str(event.data)
    client.force_login(conflicted_member)
    assert client.get(reverse("cases:overview", args=[recused.tracking_number])).status_code == 404
    assert client.get(reverse("board:case", args=[recused.tracking_number])).status_code == 404
    assert client.post(reverse("board:vote", args=[recused.tracking_number])).status_code == 404
    response = client.get(reverse("board:queue"))
    assert response.status_code == 200
    assert recused.tracking_number not in response.content.decode()
    assert board_queue_for(conflicted_member) == []


def test_recused_member_cannot_vote_even_if_granted_again(recused, conflicted_member, supervisor):
    permissions.grant(conflicted_member, VIEW, recused)  # a stray grant must not matter
    with pytest.raises(PermissionDenied):
        vote_record(complaint=recused, member=conflicted_member, choice=Vote.Choice.CONCUR)
    assert not Vote.objects.exists()
    # A new referral does not give it back either.
    permissions.revoke(conflicted_member, VIEW, recused)
    board_referral_grant(complaint=recused, actor=supervisor)
    assert not permissions.user_can(conflicted_member, VIEW, recused)


def test_recusal_is_final_and_needs_a_reason(recused, conflicted_member, board_chair, other_member):
    with pytest.raises(ValidationError):
        recusal_declare(complaint=recused, member=conflicted_member, actor=board_chair, reason="Again")
    with pytest.raises(ValidationError):
        recusal_declare(complaint=recused, member=other_member, actor=other_member, reason="  ")
    assert Recusal.objects.count() == 1


def test_only_the_member_or_the_chair_may_recuse(referred, board_chair, other_member, conflicted_member):
    with pytest.raises(PermissionDenied):
        recusal_declare(complaint=referred, member=board_chair, actor=other_member, reason="Not theirs to say")
    recusal_declare(complaint=referred, member=other_member, actor=board_chair, reason="Worked with the officer")
    assert Recusal.objects.get(member=other_member).recorded_by == board_chair
    assert not permissions.user_can(other_member, VIEW, referred)


def test_chair_sees_recusals_and_recuses_from_the_page(recused, board_chair, other_member, client):
    client.force_login(board_chair)
    url = reverse("board:case", args=[recused.tracking_number])
    page = client.get(url).content.decode()
    assert "My cousin is the officer." in page
    response = client.post(
        reverse("board:recuse", args=[recused.tracking_number]),
        {"chair-member": other_member.pk, "chair-reason": "Former partner of the officer"},
    )
    assert response.status_code == 302
    assert Recusal.objects.filter(member=other_member, recorded_by=board_chair).exists()


def test_member_recuses_themself_from_the_page(referred, other_member, client):
    client.force_login(other_member)
    page = client.get(reverse("board:case", args=[referred.tracking_number])).content.decode()
    assert "Video evidence." in page
    assert "I have a conflict" in page
    assert "Recusals" not in page  # only the chair sees the list
    response = client.post(reverse("board:recuse", args=[referred.tracking_number]), {"reason": "Neighbour"})
    assert response.status_code == 302
    assert client.get(reverse("board:case", args=[referred.tracking_number])).status_code == 404


# --- Votes ---------------------------------------------------------------------------------------------


def test_non_member_cannot_vote(referred, assigned_investigator, former_member, supervisor):
    for user in (assigned_investigator, former_member, supervisor):
        with pytest.raises(PermissionDenied):
            vote_record(complaint=referred, member=user, choice=Vote.Choice.CONCUR)
    assert not Vote.objects.exists()


def test_member_without_referral_cannot_vote(review_case, other_member):
    with pytest.raises(PermissionDenied):
        vote_record(complaint=review_case, member=other_member, choice=Vote.Choice.CONCUR)


def test_no_vote_outside_board_review(referred, other_member):
    Complaint.objects.filter(pk=referred.pk).update(status=S.DECIDED)
    referred.refresh_from_db()
    with pytest.raises(ValidationError):
        vote_record(complaint=referred, member=other_member, choice=Vote.Choice.CONCUR)


def test_vote_is_immutable_and_a_correction_replaces_it(referred, other_member):
    allegation = referred.allegations.order_by("id").first()
    first = vote_record(
        complaint=referred,
        member=other_member,
        choice=Vote.Choice.DO_NOT_CONCUR,
        comment="The video is ambiguous.",
        proposals=[(allegation, Disposition.EXONERATED, "Force was within policy.")],
    )
    assert first.proposals.get().disposition == Disposition.EXONERATED
    first.choice = Vote.Choice.CONCUR
    with pytest.raises(ValueError):
        first.save()
    with pytest.raises(ValueError):
        first.delete()
    with pytest.raises(ValidationError):  # a second vote must say what it corrects
        vote_record(complaint=referred, member=other_member, choice=Vote.Choice.CONCUR)
    second = vote_record(complaint=referred, member=other_member, choice=Vote.Choice.CONCUR, corrects=first)
    assert second.corrects == first
    assert list(live_votes(referred)) == [second]
    assert Vote.objects.count() == 2
    with pytest.raises(ValidationError):  # the superseded vote cannot be corrected again
        vote_record(complaint=referred, member=other_member, choice=Vote.Choice.ABSTAIN, corrects=first)
    events = AuditEvent.objects.filter(action="board.voted").order_by("id")
    assert [e.data["corrects"] for e in events] == [None, first.pk]


def test_cannot_correct_someone_elses_vote(referred, other_member, board_chair):
    theirs = vote_record(complaint=referred, member=other_member, choice=Vote.Choice.CONCUR)
    with pytest.raises(ValidationError):
        vote_record(complaint=referred, member=board_chair, choice=Vote.Choice.ABSTAIN, corrects=theirs)


def test_proposals_need_a_rationale_and_this_cases_allegations(referred, other_member, other_complaint):
    allegation = referred.allegations.first()
    with pytest.raises(ValidationError):
        vote_record(
            complaint=referred,
            member=other_member,
            choice=Vote.Choice.DO_NOT_CONCUR,
            proposals=[(allegation, Disposition.UNFOUNDED, "")],
        )
    foreign = AllegationFactory(subject_officer__complaint=other_complaint)
    with pytest.raises(ValidationError):
        vote_record(
            complaint=referred,
            member=other_member,
            choice=Vote.Choice.DO_NOT_CONCUR,
            proposals=[(foreign, Disposition.UNFOUNDED, "Because")],
        )
    assert not Vote.objects.exists()


def test_quorum_status_counts_abstentions_and_excludes_recused(recused, board_chair, other_member, settings):
    settings.BOARD_QUORUM = 0
    status = board_quorum_status(recused)
    assert (status.eligible, status.needed, status.votes_cast, status.reached) == (2, 2, 0, False)
    vote_record(complaint=recused, member=board_chair, choice=Vote.Choice.CONCUR)
    vote_record(complaint=recused, member=other_member, choice=Vote.Choice.ABSTAIN)
    status = board_quorum_status(recused)
    assert (status.votes_cast, status.reached) == (2, True)
    settings.BOARD_QUORUM = 3  # more than the two eligible: cannot be reached
    status = board_quorum_status(recused)
    assert (status.needed, status.reachable, status.reached) == (3, False, False)


def test_queue_and_vote_through_the_pages(referred, other_member, client):
    client.force_login(other_member)
    queue_url = reverse("board:queue")
    response = client.get(queue_url)
    assert referred.tracking_number in response.content.decode()
    allegation = referred.allegations.order_by("id").first()
    vote_url = reverse("board:vote", args=[referred.tracking_number])
    bad = client.post(vote_url, {"choice": "do_not_concur", f"d{allegation.pk}": Disposition.UNFOUNDED})
    assert bad.status_code == 400
    response = client.post(
        vote_url,
        {"choice": "do_not_concur", "comment": "Disagree", f"d{allegation.pk}": "unfounded", f"r{allegation.pk}": "No"},
    )
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert vote.proposals.get().allegation == allegation
    assert referred.tracking_number not in client.get(queue_url).content.decode()
    client.post(vote_url, {"choice": "concur"})
    assert live_votes(referred).get().corrects == vote
    page = client.get(reverse("board:case", args=[referred.tracking_number])).content.decode()
    assert "Correct your vote" in page


def test_queue_is_404_for_non_members(supervisor, former_member, client, board):
    for user in (supervisor, former_member):
        client.force_login(user)
        assert client.get(reverse("board:queue")).status_code == 404


def test_queue_has_no_n_plus_one(board, board_chair, supervisor, django_assert_max_num_queries, client):
    from ..factories import ComplaintFactory

    for _ in range(5):
        case = ComplaintFactory(status=S.BOARD_REVIEW)
        Investigation.objects.update_or_create(complaint=case, defaults={"discovery_date": date(2026, 3, 14)})
        board_referral_grant(complaint=case, actor=supervisor)
    client.force_login(board_chair)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("board:queue"))
    assert response.content.decode().count("/staff/cases/board/TST-") == 5


def test_queue_pages_through_every_waiting_case_once_oldest_first(board, board_chair, supervisor, client):
    from ..factories import ComplaintFactory

    start = timezone.now() - timedelta(days=200)
    cases = [ComplaintFactory(status=S.BOARD_REVIEW, received_at=start + timedelta(hours=n)) for n in range(53)]
    Investigation.objects.bulk_create([Investigation(complaint=c, discovery_date=date(2026, 3, 14)) for c in cases])
    permissions.grant_bulk(board_chair, [VIEW], cases)
    client.force_login(board_chair)
    first = client.get(reverse("board:queue"))
    body = first.content.decode()
    assert first.status_code == 200
    shown = [c.tracking_number for c in cases if f"/staff/cases/board/{c.tracking_number}/" in body]
    assert shown == [c.tracking_number for c in cases[:50]]
    assert body.index(cases[0].tracking_number) < body.index(cases[49].tracking_number)
    next_link = first.context["page"].next_cursor
    assert next_link and 'rel="next"' in body
    second = client.get(reverse("board:queue"), {"after": next_link}).content.decode()
    assert [c.tracking_number for c in cases if f"/staff/cases/board/{c.tracking_number}/" in second] == [
        c.tracking_number for c in cases[50:]
    ]
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_a_queue_link_that_cannot_be_read_shows_the_first_page_and_says_so(board, board_chair, client):
    client.force_login(board_chair)
    response = client.get(reverse("board:queue"), {"after": "not-a-cursor"}, follow=True)
    assert response.status_code == 200
    assert "That page link could not be read" in response.content.decode()


def test_the_home_panel_lists_the_first_ten_of_the_queue(board, board_chair, supervisor, client):
    from ..factories import ComplaintFactory

    start = timezone.now() - timedelta(days=100)
    cases = [ComplaintFactory(status=S.BOARD_REVIEW, received_at=start + timedelta(hours=n)) for n in range(12)]
    permissions.grant_bulk(board_chair, [VIEW], cases)
    assert [c.pk for c in board_queue_for(board_chair, limit=10)] == [c.pk for c in cases[:10]]
    client.force_login(board_chair)
    body = client.get(reverse("cases:dashboard")).content.decode()
    assert cases[9].tracking_number in body and cases[10].tracking_number not in body
    assert reverse("board:queue") in body
