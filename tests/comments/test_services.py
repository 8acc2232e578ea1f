"""The services of public comments: comment periods opened and closed by the board's chair or a
supervisor, a resident's comment stored exactly once while a period is open, moderation by a
publication officer or a supervisor; every write audited, every refusal too."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from oversight.models import AuditEvent
from public_portal.comments.forms import new_token
from public_portal.comments.models import CommentPeriod, PublicComment
from public_portal.comments.services import comment_moderate, comment_submit, period_close, period_open
from public_portal.models import PolicyRecommendation
from public_portal.transparency.recommendations import (
    recommendation_adopt,
    recommendation_propose,
    recommendation_status_record,
)

pytestmark = pytest.mark.django_db

State = PublicComment.State


def _submit(recommendation, key=None, **extra):
    return comment_submit(
        recommendation=recommendation,
        text=extra.pop("text", "I support this."),
        language=extra.pop("language", "en"),
        idempotency_key=key or new_token(),
        **extra,
    )


def _proposal(actor, **extra):
    return recommendation_propose(
        actor=actor,
        title=extra.pop("title", "Cards at traffic stops"),
        text="Hand out a card with the reason.",
        proposed_on=timezone.localdate(),
        **extra,
    )


# --- Proposed recommendations ---------------------------------------------------------------------


def test_a_proposal_is_numbered_by_its_year_has_no_adoption_date_and_is_audited(board_chair):
    proposal = _proposal(board_chair)
    assert proposal.stage == "proposed" and proposal.adopted_on is None
    assert proposal.number == f"PR-{timezone.localdate().year}-01"
    assert AuditEvent.objects.get(action="recommendation.proposed").actor == board_chair


def test_adopting_a_proposal_keeps_its_number_and_ends_its_open_comment_period(board_chair, proposed):
    recommendation_adopt(recommendation=proposed, actor=board_chair, adopted_on=timezone.localdate())
    proposed.refresh_from_db()
    assert (proposed.stage, proposed.adopted_on, proposed.number) == (
        "adopted",
        timezone.localdate(),
        f"PR-{timezone.localdate().year}-01",
    )
    period = CommentPeriod.objects.get(recommendation=proposed)
    assert not period.is_open() and period.closed_on() == timezone.localdate()
    assert AuditEvent.objects.filter(action="recommendation.adopted").count() == 1
    with pytest.raises(ValidationError):
        _submit(proposed)


def test_a_proposal_takes_no_status_until_adopted(board_chair, proposed):
    with pytest.raises(ValidationError):
        recommendation_status_record(
            recommendation=proposed,
            actor=board_chair,
            recorded_on=timezone.localdate(),
            department_response="accepted",
            implementation="in_progress",
        )


def test_a_publication_officer_may_not_propose_and_the_refusal_is_audited(publisher):
    with pytest.raises(PermissionDenied):
        _proposal(publisher)
    assert not PolicyRecommendation.objects.exists()
    assert AuditEvent.objects.get(action="recommendation.proposed").outcome == "denied"


# --- Comment periods -------------------------------------------------------------------------------


def test_a_supervisor_opens_a_period_and_the_chair_closes_it_early(supervisor, board_chair):
    proposal = _proposal(supervisor)
    period = period_open(recommendation=proposal, actor=supervisor, closes_on=timezone.localdate() + timedelta(days=7))
    assert period.is_open()
    closed = period_close(period=period, actor=board_chair)
    assert not closed.is_open() and closed.closed_on() == timezone.localdate()
    assert closed.closed_by == board_chair
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="comment.period").order_by("id")] == [
        "comment.period_opened",
        "comment.period_closed",
    ]
    with pytest.raises(ValidationError):
        period_close(period=closed, actor=board_chair)


@pytest.mark.parametrize("persona", ["publisher", "board_member", "intake_coordinator", "sysadmin"])
def test_only_the_chair_or_a_supervisor_opens_a_period(request, board_chair, persona):
    proposal = _proposal(board_chair)
    with pytest.raises(PermissionDenied):
        period_open(
            recommendation=proposal,
            actor=request.getfixturevalue(persona),
            closes_on=timezone.localdate() + timedelta(days=7),
        )
    assert not CommentPeriod.objects.exists()
    assert AuditEvent.objects.get(action="comment.period_opened").outcome == "denied"


def test_a_period_closes_on_a_day_not_in_the_past_and_only_once(board_chair, proposed, adopted):
    with pytest.raises(ValidationError):
        period_open(recommendation=proposed, actor=board_chair, closes_on=timezone.localdate() + timedelta(days=3))
    with pytest.raises(ValidationError):
        period_open(recommendation=adopted, actor=board_chair, closes_on=timezone.localdate() + timedelta(days=3))
    other = _proposal(board_chair, title="Another")
    with pytest.raises(ValidationError):
        period_open(recommendation=other, actor=board_chair, closes_on=timezone.localdate() - timedelta(days=1))


# --- Comments --------------------------------------------------------------------------------------


def test_a_comment_is_held_for_moderation_and_stored_once_per_form(proposed):
    key = new_token()
    first = _submit(proposed, key, name="Rosa", email="rosa@example.org")
    again = _submit(proposed, key, text="Something else")
    assert first.pk == again.pk and PublicComment.objects.count() == 1
    assert (first.state, first.name, first.email, first.text) == (
        "pending",
        "Rosa",
        "rosa@example.org",
        "I support this.",
    )
    event = AuditEvent.objects.get(action="comment.received")
    # The resident's event holds neither their name nor their email.
    assert "Rosa" not in str(event.data) and "rosa@" not in str(event.data) and event.ip is None


def test_a_comment_on_a_recommendation_without_an_open_period_is_refused(board_chair, adopted):
    with pytest.raises(ValidationError):
        _submit(adopted)
    proposal = _proposal(board_chair)
    with pytest.raises(ValidationError):
        _submit(proposal)
    assert not PublicComment.objects.exists()


def test_a_token_from_another_recommendation_is_out_of_date(board_chair, proposed):
    key = new_token()
    _submit(proposed, key)
    other = _proposal(board_chair, title="Another")
    period_open(recommendation=other, actor=board_chair, closes_on=timezone.localdate() + timedelta(days=2))
    with pytest.raises(ValidationError):
        _submit(other, key)


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "bell\x07", "x" * 5001])
def test_an_empty_unstorable_or_huge_comment_is_refused(proposed, text):
    with pytest.raises(ValidationError):
        _submit(proposed, text=text)
    assert not PublicComment.objects.exists()


def test_an_unknown_language_is_stored_as_the_sites_default(proposed):
    assert _submit(proposed, language="xx").language == "en"
    assert _submit(proposed, language="es").language == "es"


# --- Moderation ------------------------------------------------------------------------------------


def test_a_rejection_needs_a_reason_and_is_final(proposed, moderator):
    comment = _submit(proposed)
    with pytest.raises(ValidationError):
        comment_moderate(comment=comment, actor=moderator, to_state=State.REJECTED, reason=" ")
    rejected = comment_moderate(comment=comment, actor=moderator, to_state=State.REJECTED, reason="Insults a person.")
    assert (rejected.state, rejected.moderated_by, rejected.moderation_reason) == (
        "rejected",
        moderator,
        "Insults a person.",
    )
    with pytest.raises(ValidationError):
        comment_moderate(comment=rejected, actor=moderator, to_state=State.APPROVED)
    assert AuditEvent.objects.get(action="comment.rejected").actor == moderator


def test_an_approved_comment_can_be_taken_down(proposed, supervisor):
    comment = comment_moderate(comment=_submit(proposed), actor=supervisor, to_state=State.APPROVED)
    down = comment_moderate(comment=comment, actor=supervisor, to_state=State.REJECTED, reason="Names a neighbour.")
    assert down.state == "rejected"
    assert [
        e.action for e in AuditEvent.objects.filter(action__in=["comment.approved", "comment.rejected"]).order_by("id")
    ] == [
        "comment.approved",
        "comment.rejected",
    ]


@pytest.mark.parametrize(
    "persona", ["board_chair", "board_member", "intake_coordinator", "assigned_investigator", "sysadmin"]
)
def test_only_a_publication_officer_or_a_supervisor_moderates(request, proposed, persona):
    comment = _submit(proposed)
    with pytest.raises(PermissionDenied):
        comment_moderate(comment=comment, actor=request.getfixturevalue(persona), to_state=State.APPROVED)
    comment.refresh_from_db()
    assert comment.state == "pending"
    assert AuditEvent.objects.get(action="comment.approved").outcome == "denied"
