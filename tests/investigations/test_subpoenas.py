import itertools
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from investigations.board.models import BoardMembership, Recusal, SubpoenaAuthorization, SubpoenaVote
from investigations.board.services.subpoena_votes import subpoena_vote_record
from investigations.models import EvidenceItem, Investigation, Subpoena, SubpoenaEvent
from investigations.services.subpoenas import (
    SubpoenaTransitionRefused,
    subpoena_draft,
    subpoena_transition,
)
from investigations.subpoena_workflow import MOVES, move_for, subpoena_available_moves
from oversight import permissions
from oversight.models import AuditEvent
from oversight.permissions import Role

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

St = Subpoena.Status


def _open_case(complaint: Complaint) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.UNDER_INVESTIGATION)
    complaint.refresh_from_db()
    Investigation.objects.get_or_create(complaint=complaint, defaults={"discovery_date": date(2026, 3, 14)})
    return complaint


@pytest.fixture
def case(complaint):
    return _open_case(complaint)


def _draft(complaint, actor, **overrides) -> Subpoena:
    fields = {
        "recipient_kind": Subpoena.RecipientKind.AGENCY,
        "recipient_name": "Testville Police Records Unit",
        "recipient_address": "1 Civic Plaza",
        "demand": Subpoena.Demand.DOCUMENTS,
        "description": "Body-worn camera footage of the stop on 12 March.",
        "due_date": timezone.localdate() + timedelta(days=30),
    }
    fields.update(overrides)
    return subpoena_draft(complaint=complaint, actor=actor, **fields)


@pytest.fixture
def subpoena(case, assigned_investigator):
    return _draft(case, assigned_investigator)


def _evidence(complaint, number=1) -> EvidenceItem:
    return EvidenceItem.objects.create(
        complaint=complaint, number=number, kind=EvidenceItem.Kind.VIDEO, source="Records unit", description="Footage"
    )


def _set_status(subpoena: Subpoena, status: str) -> None:
    Subpoena.objects.filter(pk=subpoena.pk).update(status=status)
    subpoena.refresh_from_db()


def _kwargs_for(target: str) -> dict:
    kwargs = {"note": "Board vote 2026-14, 3 March"}
    if target == St.SERVED:
        kwargs.update(service_method=Subpoena.ServiceMethod.PERSONAL, served_at=timezone.localdate())
    return kwargs


# --- Drafting ---------------------------------------------------------------------------------------


def test_drafts_are_numbered_per_case(case, other_complaint, assigned_investigator, supervisor):
    first = _draft(case, assigned_investigator)
    second = _draft(case, assigned_investigator)
    other = _draft(_open_case(other_complaint), supervisor)
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert str(second).startswith("S-02")
    assert first.status == St.DRAFTED and first.created_by == assigned_investigator


def test_drafting_is_audited_without_the_recipients_name(subpoena, case):
    event = AuditEvent.objects.get(action="subpoena.created")
    assert event.target_label == f"{case.tracking_number} S-01"
    assert "Testville Police Records Unit" not in str(event.data)


def test_unassigned_investigator_cannot_draft(case, other_investigator):
    with pytest.raises(PermissionDenied):
        _draft(case, other_investigator)
    assert not Subpoena.objects.exists()


def test_drafting_needs_a_case_under_investigation(complaint, assigned_investigator):
    with pytest.raises(ValidationError):
        _draft(complaint, assigned_investigator)
    assert not Subpoena.objects.exists()


def test_a_due_date_in_the_past_is_refused(case, assigned_investigator):
    with pytest.raises(ValidationError) as refused:
        _draft(case, assigned_investigator, due_date=timezone.localdate() - timedelta(days=1))
    assert "due_date" in refused.value.message_dict


# --- The table ----------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _expected(persona: str, rule: str) -> bool:
    if persona == "supervisor":
        return True
    if persona == "assigned_investigator":
        return rule == "work"
    return False


@pytest.mark.parametrize("persona", ["assigned_investigator", "supervisor", "other_investigator", "board_member"])
def test_every_pair_is_allowed_or_refused_exactly_as_the_table_says(request, persona, subpoena):
    actor = request.getfixturevalue(persona)
    for source, target in itertools.product(St.values, St.values):
        _set_status(subpoena, source)
        move = move_for(source, target)
        allowed = move is not None and _expected(persona, move.rule)
        events = SubpoenaEvent.objects.count()
        try:
            with transaction.atomic():
                subpoena_transition(subpoena=subpoena, to_status=target, actor=actor, **_kwargs_for(target))
                outcome = "moved"
                assert Subpoena.objects.get(pk=subpoena.pk).status == target
                assert SubpoenaEvent.objects.count() == events + 1
                raise _Rollback
        except _Rollback:
            pass
        except SubpoenaTransitionRefused:
            outcome = "not_allowed"
        except PermissionDenied:
            outcome = "forbidden"
        if outcome != "moved":
            assert Subpoena.objects.get(pk=subpoena.pk).status == source, (source, target)
            assert SubpoenaEvent.objects.count() == events, (source, target)
        assert (outcome == "moved") == allowed, (persona, source, target, outcome)
        if move is None:
            assert outcome == "not_allowed", (source, target)


def test_the_table_covers_the_lifecycle():
    pairs = {(m.source, m.target) for m in MOVES}
    assert pairs == {
        (St.DRAFTED, St.AUTHORIZED),
        (St.AUTHORIZED, St.ISSUED),
        (St.ISSUED, St.SERVED),
        (St.SERVED, St.COMPLIED),
        (St.SERVED, St.PARTIALLY_COMPLIED),
        (St.SERVED, St.NOT_COMPLIED),
        (St.NOT_COMPLIED, St.ENFORCEMENT_REFERRED),
        (St.PARTIALLY_COMPLIED, St.ENFORCEMENT_REFERRED),
        *[(s, St.QUASHED) for s in (St.AUTHORIZED, St.ISSUED, St.SERVED, St.NOT_COMPLIED)],
        *[(s, St.WITHDRAWN) for s in (St.DRAFTED, St.AUTHORIZED, St.ISSUED, St.SERVED)],
    }


def test_a_refused_move_says_why(subpoena, supervisor):
    with pytest.raises(SubpoenaTransitionRefused) as refused:
        subpoena_transition(subpoena=subpoena, to_status=St.SERVED, actor=supervisor)
    assert "cannot be moved" in refused.value.messages[0]


def test_a_full_lifecycle_writes_events_and_audit(subpoena, assigned_investigator, supervisor):
    subpoena_transition(subpoena=subpoena, to_status=St.AUTHORIZED, actor=supervisor)
    subpoena_transition(subpoena=subpoena, to_status=St.ISSUED, actor=assigned_investigator)
    subpoena_transition(
        subpoena=subpoena,
        to_status=St.SERVED,
        actor=assigned_investigator,
        service_method=Subpoena.ServiceMethod.MAIL,
        served_at=timezone.localdate(),
    )
    subpoena_transition(subpoena=subpoena, to_status=St.NOT_COMPLIED, actor=assigned_investigator)
    subpoena_transition(
        subpoena=subpoena, to_status=St.ENFORCEMENT_REFERRED, actor=supervisor, note="Petition to superior court"
    )
    assert subpoena.status == St.ENFORCEMENT_REFERRED
    assert list(subpoena.events.values_list("to_status", flat=True)) == [
        St.AUTHORIZED,
        St.ISSUED,
        St.SERVED,
        St.NOT_COMPLIED,
        St.ENFORCEMENT_REFERRED,
    ]
    assert AuditEvent.objects.filter(action="subpoena.transitioned", outcome="success").count() == 5


# --- Who may --------------------------------------------------------------------------------------------


def test_an_investigator_cannot_authorize(subpoena, assigned_investigator):
    with pytest.raises(PermissionDenied):
        subpoena_transition(subpoena=subpoena, to_status=St.AUTHORIZED, actor=assigned_investigator)
    subpoena.refresh_from_db()
    assert subpoena.status == St.DRAFTED and subpoena.authorized_by is None
    assert not subpoena.events.exists()
    denied = AuditEvent.objects.get(action="subpoena.transitioned")
    assert denied.outcome == AuditEvent.Outcome.DENIED and denied.actor == assigned_investigator


def test_the_investigator_is_not_offered_authorize_but_the_supervisor_is(subpoena, assigned_investigator, supervisor):
    assert [m.action for m in subpoena_available_moves(subpoena, assigned_investigator)] == ["withdraw"]
    assert [m.action for m in subpoena_available_moves(subpoena, supervisor)] == ["authorize", "withdraw"]


def test_authorizing_records_who_and_how_from_the_setting(subpoena, supervisor, settings):
    settings.SUBPOENA_AUTHORIZATION = "chair"
    subpoena_transition(subpoena=subpoena, to_status=St.AUTHORIZED, actor=supervisor)
    subpoena.refresh_from_db()
    assert subpoena.authorization_method == Subpoena.AuthorizationMethod.CHAIR
    assert subpoena.authorized_by == supervisor and subpoena.authorized_at is not None


def test_executive_director_authorization_is_the_default(subpoena, supervisor):
    subpoena_transition(subpoena=subpoena, to_status=St.AUTHORIZED, actor=supervisor)
    assert Subpoena.objects.get(pk=subpoena.pk).authorization_method == "executive_director"


def test_under_board_vote_a_note_alone_no_longer_authorizes(subpoena, supervisor, settings):
    settings.SUBPOENA_AUTHORIZATION = "board_vote"
    with pytest.raises(ValidationError) as refused:
        subpoena_transition(subpoena=subpoena, to_status=St.AUTHORIZED, actor=supervisor, note="Vote 2026-07, 4-1")
    assert "authorizing_vote" in refused.value.message_dict
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED


def test_a_vote_is_not_linked_under_other_methods(subpoena, supervisor, settings):
    settings.SUBPOENA_AUTHORIZATION = "chair"
    vote = SubpoenaVote.objects.create(subpoena=subpoena, votes_for=3, votes_against=0)
    with pytest.raises(ValidationError) as refused:
        subpoena_transition(
            subpoena=subpoena, to_status=St.AUTHORIZED, actor=supervisor, params={"authorizing_vote": vote}
        )
    assert "authorizing_vote" in refused.value.message_dict


def test_withdrawing_needs_a_reason(subpoena, assigned_investigator):
    with pytest.raises(ValidationError):
        subpoena_transition(subpoena=subpoena, to_status=St.WITHDRAWN, actor=assigned_investigator)
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED


# --- Issue, service, returns -----------------------------------------------------------------------------


def test_issuing_stamps_the_issue_time(subpoena, supervisor, assigned_investigator):
    subpoena_transition(subpoena=subpoena, to_status=St.AUTHORIZED, actor=supervisor)
    subpoena_transition(subpoena=subpoena, to_status=St.ISSUED, actor=assigned_investigator)
    assert Subpoena.objects.get(pk=subpoena.pk).issued_at is not None


@pytest.mark.parametrize(
    ("method", "served_at", "field"),
    [
        ("", timezone.localdate, "service_method"),
        (Subpoena.ServiceMethod.PERSONAL, None, "served_at"),
        (Subpoena.ServiceMethod.PERSONAL, lambda: timezone.localdate() + timedelta(days=1), "served_at"),
    ],
)
def test_serving_needs_a_method_and_a_date_not_in_the_future(subpoena, assigned_investigator, method, served_at, field):
    _set_status(subpoena, St.ISSUED)
    with pytest.raises(ValidationError) as refused:
        subpoena_transition(
            subpoena=subpoena,
            to_status=St.SERVED,
            actor=assigned_investigator,
            service_method=method,
            served_at=served_at() if served_at else None,
        )
    assert field in refused.value.message_dict
    subpoena.refresh_from_db()
    assert subpoena.status == St.ISSUED and subpoena.served_at is None
    assert not subpoena.events.exists()


def test_serving_records_method_and_date(subpoena, assigned_investigator):
    _set_status(subpoena, St.ISSUED)
    served = timezone.localdate() - timedelta(days=1)
    subpoena_transition(
        subpoena=subpoena,
        to_status=St.SERVED,
        actor=assigned_investigator,
        service_method=Subpoena.ServiceMethod.PROCESS_SERVER,
        served_at=served,
    )
    subpoena.refresh_from_db()
    assert (subpoena.status, subpoena.service_method, subpoena.served_at) == (St.SERVED, "process_server", served)


def test_returns_must_be_this_cases_evidence(subpoena, assigned_investigator, other_complaint):
    _set_status(subpoena, St.SERVED)
    foreign = _evidence(other_complaint)
    with pytest.raises(ValidationError) as refused:
        subpoena_transition(
            subpoena=subpoena, to_status=St.COMPLIED, actor=assigned_investigator, return_items=[foreign]
        )
    assert "return_items" in refused.value.message_dict
    subpoena.refresh_from_db()
    assert subpoena.status == St.SERVED and not subpoena.returns.exists()

    own = _evidence(subpoena.complaint)
    subpoena_transition(
        subpoena=subpoena, to_status=St.PARTIALLY_COMPLIED, actor=assigned_investigator, return_items=[own.pk]
    )
    assert list(subpoena.returns.all()) == [own]


def test_returns_are_only_recorded_with_compliance(subpoena, assigned_investigator):
    _set_status(subpoena, St.SERVED)
    own = _evidence(subpoena.complaint)
    with pytest.raises(ValidationError):
        subpoena_transition(
            subpoena=subpoena, to_status=St.NOT_COMPLIED, actor=assigned_investigator, return_items=[own]
        )
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.SERVED


# --- Overdue ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "days", "overdue"),
    [
        (St.ISSUED, -1, True),
        (St.SERVED, -1, True),
        (St.SERVED, 0, False),
        (St.DRAFTED, -1, False),
        (St.COMPLIED, -1, False),
        (St.NOT_COMPLIED, -5, False),
    ],
)
def test_overdue_means_waiting_past_the_due_date(subpoena, status, days, overdue):
    Subpoena.objects.filter(pk=subpoena.pk).update(status=status, due_date=timezone.localdate() + timedelta(days=days))
    subpoena.refresh_from_db()
    assert subpoena.is_overdue is overdue


# --- Pages --------------------------------------------------------------------------------------------------------


def test_unassigned_investigator_gets_404_on_every_subpoena_url(client, other_investigator, subpoena, case):
    tn = case.tracking_number
    urls = [
        reverse("cases:subpoenas", args=[tn]),
        reverse("cases:subpoena_detail", args=[tn, subpoena.number]),
        reverse("cases:subpoena_move", args=[tn, subpoena.number, St.WITHDRAWN]),
    ]
    client.force_login(other_investigator)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"withdraw-note": "x"}).status_code == 404, url
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED
    assert Subpoena.objects.count() == 1


def test_another_cases_subpoena_number_is_404(client, assigned_investigator, subpoena, case):
    client.force_login(assigned_investigator)
    assert client.get(reverse("cases:subpoena_detail", args=[case.tracking_number, 7])).status_code == 404


def test_list_shows_status_due_date_and_overdue_tag(
    client, assigned_investigator, subpoena, case, django_assert_max_num_queries
):
    _draft(case, assigned_investigator)
    Subpoena.objects.filter(pk=subpoena.pk).update(status=St.ISSUED, due_date=date(2026, 1, 2))
    client.force_login(assigned_investigator)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("cases:subpoenas", args=[case.tracking_number]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "S-01" in body and "S-02" in body and "2026-01-02" in body
    assert body.count("Overdue") == 1
    assert "Draft a subpoena" in body


def test_list_page_queries_do_not_grow_with_subpoenas(client, assigned_investigator, case):
    _draft(case, assigned_investigator)
    client.force_login(assigned_investigator)
    url = reverse("cases:subpoenas", args=[case.tracking_number])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        _draft(case, assigned_investigator)
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    assert len(six) == len(one)


def test_drafting_through_the_page(client, assigned_investigator, case):
    client.force_login(assigned_investigator)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post(
        reverse("cases:subpoenas", args=[case.tracking_number]),
        {
            "recipient_kind": "person",
            "recipient_name": "Dana Witness",
            "recipient_address": "",
            "demand": "testimony",
            "description": "Testimony about the stop",
            "due_date": due,
        },
    )
    subpoena = Subpoena.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:subpoena_detail", args=[case.tracking_number, 1])
    assert subpoena.recipient_name == "Dana Witness"


def test_a_bad_draft_shows_errors_on_the_fields(client, assigned_investigator, case):
    client.force_login(assigned_investigator)
    response = client.post(reverse("cases:subpoenas", args=[case.tracking_number]), {"recipient_kind": "person"})
    assert response.status_code == 400
    assert 'id="id_recipient_name_error"' in response.content.decode()
    assert not Subpoena.objects.exists()


def test_detail_shows_only_the_buttons_the_user_may_press(client, assigned_investigator, supervisor, subpoena, case):
    url = reverse("cases:subpoena_detail", args=[case.tracking_number, subpoena.number])
    client.force_login(assigned_investigator)
    body = client.get(url).content.decode()
    assert reverse("cases:subpoena_move", args=[case.tracking_number, 1, St.WITHDRAWN]) in body
    assert reverse("cases:subpoena_move", args=[case.tracking_number, 1, St.AUTHORIZED]) not in body
    client.force_login(supervisor)
    body = client.get(url).content.decode()
    assert reverse("cases:subpoena_move", args=[case.tracking_number, 1, St.AUTHORIZED]) in body


def test_investigator_posting_authorize_gets_403(client, assigned_investigator, subpoena, case):
    client.force_login(assigned_investigator)
    response = client.post(reverse("cases:subpoena_move", args=[case.tracking_number, 1, St.AUTHORIZED]))
    assert response.status_code == 403
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED


def test_recording_service_through_the_page(client, assigned_investigator, subpoena, case):
    _set_status(subpoena, St.ISSUED)
    client.force_login(assigned_investigator)
    url = reverse("cases:subpoena_move", args=[case.tracking_number, 1, St.SERVED])
    missing = client.post(url, {"serve-service_method": "personal"})
    assert missing.status_code == 400
    assert 'id="id_serve-served_at_error"' in missing.content.decode()
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.ISSUED
    future = client.post(
        url, {"serve-service_method": "personal", "serve-served_at": (timezone.localdate() + timedelta(days=2))}
    )
    assert future.status_code == 400
    assert "cannot be in the future" in future.content.decode()
    done = client.post(url, {"serve-service_method": "personal", "serve-served_at": timezone.localdate().isoformat()})
    assert done.status_code == 302
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.SERVED


def test_recording_compliance_with_returns_through_the_page(client, assigned_investigator, subpoena, case):
    _set_status(subpoena, St.SERVED)
    item = _evidence(case)
    client.force_login(assigned_investigator)
    detail = client.get(reverse("cases:subpoena_detail", args=[case.tracking_number, 1])).content.decode()
    assert "E-001" in detail
    response = client.post(
        reverse("cases:subpoena_move", args=[case.tracking_number, 1, St.COMPLIED]), {"comply-return_items": [item.pk]}
    )
    assert response.status_code == 302
    assert list(Subpoena.objects.get(pk=subpoena.pk).returns.all()) == [item]


def test_a_stale_button_explains_instead_of_moving(client, assigned_investigator, subpoena, case):
    client.force_login(assigned_investigator)
    response = client.post(reverse("cases:subpoena_move", args=[case.tracking_number, 1, St.COMPLIED]), follow=True)
    assert "no longer possible" in response.content.decode()
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED


# --- Board-vote authorization -------------------------------------------------------------------------------------


@pytest.fixture
def board_vote(settings):
    settings.SUBPOENA_AUTHORIZATION = "board_vote"
    settings.BOARD_QUORUM = 0


@pytest.fixture
def chair(board_chair, case):
    # The chair sees the case (as after a referral) so the subpoena page is open to them.
    permissions.grant(board_chair, "complaints.view_complaint", case)
    return board_chair


@pytest.fixture
def board(chair, recused_board_member):
    """Five current members: the chair, three more, and one recused on the case; one former member."""
    start = date(2020, 1, 1)
    others = [UserFactory(username=f"member_{n}", roles=[Role.BOARD_MEMBER]) for n in range(3)]
    for member in others:
        BoardMembership.objects.create(member=member, term_start=start)
    former = UserFactory(username="former_member", roles=[Role.BOARD_MEMBER])
    BoardMembership.objects.create(member=former, term_start=start, term_end=timezone.localdate() - timedelta(days=1))
    return others


@pytest.fixture
def recusal(board, case, recused_board_member):
    return Recusal.objects.get(complaint=case, member=recused_board_member)


def _vote(subpoena, actor, **counts) -> SubpoenaVote:
    counts = {"votes_for": 3, "votes_against": 1, "abstentions": 0, **counts}
    return subpoena_vote_record(subpoena=subpoena, actor=actor, motion="Authorize S-01", **counts)


def test_the_chair_records_a_vote_and_it_is_audited(board_vote, board, chair, subpoena):
    vote = _vote(subpoena, chair, votes_for=2, votes_against=1, abstentions=1)
    assert (vote.subpoena, vote.recorded_by, vote.passed, vote.motion) == (subpoena, chair, True, "Authorize S-01")
    event = AuditEvent.objects.get(action="board.voted")
    assert event.outcome == AuditEvent.Outcome.SUCCESS and event.actor == chair
    assert event.data == {"subpoena": 1, "for": 2, "against": 1, "abstain": 1}
    assert "Testville Police Records Unit" not in str(event.data) + event.target_label


@pytest.mark.parametrize("persona", ["member", "recused_chair", "assigned_investigator", "supervisor"])
def test_only_the_chair_not_recused_records_a_vote(
    request, board_vote, board, chair, subpoena, case, assigned_investigator, supervisor, persona
):
    if persona == "member":
        actor = board[0]
    elif persona == "recused_chair":
        Recusal.objects.create(complaint=case, member=chair, reason="Knows the officer")
        actor = chair
    else:
        actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        _vote(subpoena, actor)
    assert not SubpoenaVote.objects.exists()
    denied = AuditEvent.objects.get(action="board.voted")
    assert denied.outcome == AuditEvent.Outcome.DENIED and denied.actor == actor


def test_a_former_chair_cannot_record_a_vote(board_vote, board, chair, subpoena):
    BoardMembership.objects.filter(member=chair).update(term_end=timezone.localdate() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        _vote(subpoena, chair)


@pytest.mark.parametrize(
    "counts",
    [
        {"votes_for": 5, "votes_against": 1},  # more votes than the five current members
        {"votes_for": 3, "votes_against": 1, "abstentions": 2},
        {"votes_for": 1, "votes_against": 1},  # two of five: no quorum
        {"votes_for": 3, "votes_against": -1},
    ],
)
def test_counts_must_fit_the_board_and_make_quorum(board_vote, board, chair, subpoena, counts):
    with pytest.raises(ValidationError):
        _vote(subpoena, chair, **counts)
    assert not SubpoenaVote.objects.exists()


def test_a_recused_member_cannot_be_counted(board_vote, recusal, chair, subpoena):
    # Five current members, one recused: at most four votes, and three make quorum of four.
    with pytest.raises(ValidationError):
        _vote(subpoena, chair, votes_for=4, votes_against=1)
    assert _vote(subpoena, chair, votes_for=2, votes_against=1).passed


def test_a_configured_quorum_applies(board_vote, board, chair, subpoena, settings):
    settings.BOARD_QUORUM = 4
    with pytest.raises(ValidationError):
        _vote(subpoena, chair, votes_for=3, votes_against=0)
    _vote(subpoena, chair, votes_for=3, votes_against=0, abstentions=1)


def test_votes_are_recorded_only_on_a_drafted_subpoena_under_board_vote(board, chair, subpoena, settings):
    settings.SUBPOENA_AUTHORIZATION = "executive_director"
    with pytest.raises(ValidationError):
        _vote(subpoena, chair)
    settings.SUBPOENA_AUTHORIZATION = "board_vote"
    _set_status(subpoena, St.AUTHORIZED)
    with pytest.raises(ValidationError):
        _vote(subpoena, chair)
    assert not SubpoenaVote.objects.exists()


def test_a_recorded_vote_is_immutable(board_vote, board, chair, subpoena):
    vote = _vote(subpoena, chair)
    vote.votes_for = 4
    with pytest.raises(ValueError):
        vote.save()
    assert SubpoenaVote.objects.get(pk=vote.pk).votes_for == 3


def test_authorizing_without_a_vote_is_refused(board_vote, board, subpoena, supervisor):
    with pytest.raises(ValidationError) as refused:
        subpoena_transition(subpoena=subpoena, to_status=St.AUTHORIZED, actor=supervisor)
    assert "authorizing_vote" in refused.value.message_dict
    subpoena.refresh_from_db()
    assert subpoena.status == St.DRAFTED and not SubpoenaAuthorization.objects.exists()


def test_authorizing_with_a_failed_vote_is_refused(board_vote, board, chair, subpoena, supervisor):
    failed = _vote(subpoena, chair, votes_for=2, votes_against=2)
    assert not failed.passed
    with pytest.raises(ValidationError) as refused:
        subpoena_transition(
            subpoena=subpoena, to_status=St.AUTHORIZED, actor=supervisor, params={"authorizing_vote": failed}
        )
    assert "authorizing_vote" in refused.value.message_dict
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED


def test_authorizing_with_another_subpoenas_vote_is_refused(
    board_vote, board, chair, subpoena, case, assigned_investigator, supervisor
):
    other = _draft(case, assigned_investigator)
    foreign = _vote(other, chair)
    with pytest.raises(ValidationError) as refused:
        subpoena_transition(
            subpoena=subpoena, to_status=St.AUTHORIZED, actor=supervisor, params={"authorizing_vote": foreign.pk}
        )
    assert "authorizing_vote" in refused.value.message_dict
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED


def test_authorizing_with_a_passed_vote_links_it(board_vote, board, chair, subpoena, supervisor):
    vote = _vote(subpoena, chair)
    subpoena_transition(
        subpoena=subpoena,
        to_status=St.AUTHORIZED,
        actor=supervisor,
        params={"authorizing_vote": vote},
        note="On the chair's behalf",
    )
    stored = Subpoena.objects.get(pk=subpoena.pk)
    assert (stored.status, stored.board_authorization.vote, stored.authorization_method) == (
        St.AUTHORIZED,
        vote,
        "board_vote",
    )
    assert stored.authorized_by == supervisor
    event = AuditEvent.objects.get(action="subpoena.transitioned")
    assert event.data["vote"] == vote.pk and event.data["method"] == "board_vote"


def test_the_chair_may_authorize_under_board_vote(board_vote, board, chair, subpoena):
    vote = _vote(subpoena, chair)
    assert [m.action for m in subpoena_available_moves(subpoena, chair)] == ["authorize"]
    subpoena_transition(subpoena=subpoena, to_status=St.AUTHORIZED, actor=chair, params={"authorizing_vote": vote})
    assert Subpoena.objects.get(pk=subpoena.pk).authorized_by == chair


def test_under_board_vote_others_still_cannot_authorize(
    board_vote, board, chair, subpoena, case, assigned_investigator
):
    vote = _vote(subpoena, chair)
    Recusal.objects.create(complaint=case, member=chair, reason="Conflict")
    for actor in (assigned_investigator, board[0], chair):
        with pytest.raises(PermissionDenied):
            subpoena_transition(
                subpoena=subpoena, to_status=St.AUTHORIZED, actor=actor, params={"authorizing_vote": vote}
            )
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED


def test_page_flow_chair_records_then_supervisor_authorizes(
    client, board_vote, board, chair, subpoena, case, supervisor, django_assert_max_num_queries
):
    tn = case.tracking_number
    detail = reverse("cases:subpoena_detail", args=[tn, 1])
    vote_url = reverse("board:subpoena_vote", args=[tn, 1])
    move_url = reverse("cases:subpoena_move", args=[tn, 1, St.AUTHORIZED])
    authorize_url = reverse("board:subpoena_authorize", args=[tn, 1])

    client.force_login(supervisor)
    body = client.get(detail).content.decode()
    assert vote_url not in body
    assert "must be recorded before it can be authorized" in body
    assert "Authorize:" in body and "not possible yet" in body  # the generic step explains why it is closed
    refused_note = client.post(move_url, {"authorize-note": "Vote of 3 March"})
    assert refused_note.status_code == 400 and Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED

    client.force_login(chair)
    body = client.get(detail).content.decode()
    assert vote_url in body and "Record the vote" in body
    too_many = client.post(vote_url, {"vote-votes_for": "6", "vote-votes_against": "0", "vote-abstentions": "0"})
    assert too_many.status_code == 400 and not SubpoenaVote.objects.exists()
    failed = client.post(vote_url, {"vote-votes_for": "1", "vote-votes_against": "2", "vote-abstentions": "0"})
    assert failed.status_code == 302
    response = client.post(
        vote_url,
        {"vote-votes_for": "3", "vote-votes_against": "1", "vote-abstentions": "0", "vote-motion": "Authorize S-01"},
        follow=True,
    )
    body = response.content.decode()
    assert "Passed" in body and "Failed" in body and "Authorize S-01" in body
    passed = SubpoenaVote.objects.get(votes_for=3)

    client.force_login(supervisor)
    with django_assert_max_num_queries(40):
        body = client.get(detail).content.decode()
    assert f'value="{passed.pk}"' in body
    failed_vote = SubpoenaVote.objects.get(votes_for=1)
    assert f'value="{failed_vote.pk}"' not in body
    refused = client.post(authorize_url, {"vote": failed_vote.pk}, follow=True)
    assert "did not pass" in refused.content.decode()
    assert Subpoena.objects.get(pk=subpoena.pk).status == St.DRAFTED
    done = client.post(authorize_url, {"vote": passed.pk}, follow=True)
    stored = Subpoena.objects.get(pk=subpoena.pk)
    assert (stored.status, stored.board_authorization.vote) == (St.AUTHORIZED, passed)
    body = done.content.decode()
    assert "Authorized by the board's vote" in body and "3 for, 1 against, 0 abstaining" in body
    assert vote_url not in body


def test_non_chairs_posting_a_vote_get_403_or_404(
    client, board_vote, board, chair, subpoena, case, assigned_investigator, other_investigator
):
    url = reverse("board:subpoena_vote", args=[case.tracking_number, 1])
    data = {"vote-votes_for": "3", "vote-votes_against": "0", "vote-abstentions": "0"}
    client.force_login(assigned_investigator)
    assert client.post(url, data).status_code == 403
    assert client.post(url, {}).status_code == 403
    client.force_login(other_investigator)
    assert client.post(url, data).status_code == 404
    client.force_login(board[0])  # a member without access to the case
    assert client.post(url, data).status_code == 404
    assert not SubpoenaVote.objects.exists()


def test_the_chair_sees_no_vote_form_under_other_methods(client, board, chair, subpoena, case):
    client.force_login(chair)
    body = client.get(reverse("cases:subpoena_detail", args=[case.tracking_number, 1])).content.decode()
    assert reverse("board:subpoena_vote", args=[case.tracking_number, 1]) not in body
    assert "Board votes" not in body


def test_under_board_vote_the_chair_can_open_a_case_with_a_drafted_subpoena(settings, client, complaint, request):
    from datetime import date, timedelta

    from django.urls import reverse

    from investigations.board.models import BoardMembership
    from investigations.services import subpoenas as subpoena_services
    from investigations.services import triage as triage_services
    from oversight.permissions import Role
    from tests.factories import UserFactory

    settings.SUBPOENA_AUTHORIZATION = "board_vote"
    chair = UserFactory(username="the_chair", roles=[Role.BOARD_MEMBER])
    BoardMembership.objects.create(member=chair, is_chair=True, term_start=date(2025, 1, 1))
    supervisor = UserFactory(username="sup_for_chair", roles=[Role.SUPERVISOR])
    triage_services.triage_claim(complaint=complaint, actor=supervisor)
    triage_services.triage_accept(complaint=complaint, actor=supervisor)
    assigned_investigator = request.getfixturevalue("assigned_investigator")
    client.force_login(chair)
    assert client.get(reverse("cases:overview", args=[complaint.tracking_number])).status_code == 404
    subpoena = subpoena_services.subpoena_draft(
        complaint=complaint,
        actor=assigned_investigator,
        recipient_kind="agency",
        recipient_name="Records Unit",
        recipient_address="",
        demand="documents",
        description="Footage",
        due_date=date.today() + timedelta(days=30),
    )
    assert (
        client.get(reverse("cases:subpoena_detail", args=[complaint.tracking_number, subpoena.number])).status_code
        == 200
    )
