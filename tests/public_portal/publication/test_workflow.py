"""The publication lifecycle: the moves, the two-person rule on every path, correction, retraction,
stale pages, and the guards that re-check a version before it is approved or published."""

import pytest

from investigations.models import Investigation
from oversight.lifecycle import MoveRefused
from public_portal.publication.models import DisclosureRule, Publication
from public_portal.publication.selectors import published_get, published_publications
from public_portal.publication.services import (
    PublicationRefused,
    publication_correct,
    publication_draft,
    publication_edit,
    publication_move,
    publication_redact_more,
    text_token,
)
from public_portal.publication.workflow import PUBLICATION_LIFECYCLE

from .cases import decided_case

pytestmark = pytest.mark.django_db
P = Publication.Status


@pytest.fixture
def draft(named_case, publisher):
    return publication_draft(complaint=named_case, actor=publisher)


def _publish(publication, drafter, approver):
    publication_move(publication=publication, actor=approver, to_status=P.APPROVED)
    return publication_move(publication=publication, actor=drafter, to_status=P.PUBLISHED)


# --- The moves ---------------------------------------------------------------------------------------


def test_draft_approve_publish(draft, publisher, second_publisher):
    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED, expected=P.DRAFT)
    assert (draft.status, draft.approved_by, draft.approved_by_name) == (P.APPROVED, second_publisher, "dana_publisher")
    publication_move(publication=draft, actor=publisher, to_status=P.PUBLISHED, expected=P.APPROVED)
    assert draft.status == P.PUBLISHED and draft.published_by == publisher and draft.published_at is not None
    assert published_get(draft.public_id) == draft


def test_send_back_returns_an_approved_version_to_draft(draft, second_publisher):
    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    publication_move(publication=draft, actor=second_publisher, to_status=P.DRAFT)
    assert draft.status == P.DRAFT and draft.approved_by is None and draft.approved_at is None


@pytest.mark.parametrize("approved_first", [False, True])
def test_draft_and_approved_versions_can_be_discarded(draft, publisher, second_publisher, approved_first):
    if approved_first:
        publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    publication_move(publication=draft, actor=publisher, to_status=P.DISCARDED)
    assert draft.status == P.DISCARDED


def test_a_published_version_is_neither_discarded_nor_sent_back(draft, publisher, second_publisher):
    _publish(draft, publisher, second_publisher)
    for target in (P.DISCARDED, P.DRAFT, P.APPROVED):
        with pytest.raises(MoveRefused) as refused:
            publication_move(publication=draft, actor=publisher, to_status=target)
        assert refused.value.code == "not_allowed"


def test_a_draft_cannot_be_published_before_approval(draft, publisher):
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=draft, actor=publisher, to_status=P.PUBLISHED)
    assert refused.value.code == "not_allowed"


# --- Two people --------------------------------------------------------------------------------------


def test_the_drafter_cannot_approve(draft, publisher):
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=draft, actor=publisher, to_status=P.APPROVED)
    assert refused.value.code == "precondition"
    assert "someone else must approve it" in refused.value.message
    draft.refresh_from_db()
    assert draft.status == P.DRAFT


def test_the_drafter_cannot_approve_through_the_lifecycle_itself(draft, publisher):
    """No path skips the rule: the generic mechanism runs the same guard."""
    with pytest.raises(MoveRefused):
        PUBLICATION_LIFECYCLE.run(obj=draft, target=P.APPROVED, actor=publisher)
    assert "two_person_rule" in PUBLICATION_LIFECYCLE.guard_names("approve")


def test_whoever_edited_the_text_cannot_approve(draft, second_publisher):
    publication_edit(publication=draft, actor=second_publisher, summary="A shorter summary.")
    with pytest.raises(MoveRefused) as refused:
        PUBLICATION_LIFECYCLE.run(obj=draft, target=P.APPROVED, actor=second_publisher)
    assert "someone else must approve it" in refused.value.message


def test_whoever_redacted_more_cannot_approve(draft, second_publisher):
    publication_redact_more(publication=draft, actor=second_publisher, phrase="bag", category="other")
    with pytest.raises(MoveRefused):
        publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)


def test_with_the_rule_off_the_drafter_may_approve(settings, draft, publisher):
    settings.PUBLICATION_TWO_PERSON = False
    publication_move(publication=draft, actor=publisher, to_status=P.APPROVED)
    assert draft.status == P.APPROVED


@pytest.mark.parametrize("persona", ["supervisor", "assigned_investigator", "board_member", "sysadmin"])
def test_only_publication_officers_make_moves(persona, request, draft):
    user = request.getfixturevalue(persona)
    with pytest.raises(MoveRefused) as refused:
        PUBLICATION_LIFECYCLE.run(obj=draft, target=P.APPROVED, actor=user)
    assert refused.value.code == "forbidden"
    with pytest.raises(MoveRefused):
        PUBLICATION_LIFECYCLE.run(obj=draft, target=P.DISCARDED, actor=user)


# --- Correction and retraction ---------------------------------------------------------------------


def test_publishing_a_correction_supersedes_the_old_version_in_one_step(draft, publisher, second_publisher):
    _publish(draft, publisher, second_publisher)
    correction = publication_correct(publication=draft, actor=second_publisher)
    _publish(correction, second_publisher, publisher)
    draft.refresh_from_db()
    assert draft.status == P.SUPERSEDED and draft.ended_at is not None
    assert correction.status == P.PUBLISHED
    assert list(published_publications()) == [correction]
    assert published_get(draft.public_id) == correction


def test_supersede_is_owned_by_the_correction(draft, publisher, second_publisher):
    _publish(draft, publisher, second_publisher)
    with pytest.raises(MoveRefused) as refused:
        PUBLICATION_LIFECYCLE.run(obj=draft, target=P.SUPERSEDED, actor=publisher)
    assert refused.value.code == "owned"


def test_retraction_needs_a_reason_and_takes_it_off_the_public_record(draft, publisher, second_publisher):
    from django.http import Http404

    _publish(draft, publisher, second_publisher)
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=draft, actor=publisher, to_status=P.RETRACTED, reason="  ")
    assert refused.value.code == "reason_required"
    publication_move(publication=draft, actor=publisher, to_status=P.RETRACTED, reason="Asked to review it.")
    assert (draft.status, draft.end_reason) == (P.RETRACTED, "Asked to review it.")
    assert not published_publications().exists()
    with pytest.raises(Http404):
        published_get(draft.public_id)


def test_a_correction_of_a_retracted_version_is_not_published(draft, publisher, second_publisher):
    _publish(draft, publisher, second_publisher)
    correction = publication_correct(publication=draft, actor=publisher)
    publication_move(publication=draft, actor=publisher, to_status=P.RETRACTED, reason="Withdrawn.")
    publication_move(publication=correction, actor=second_publisher, to_status=P.APPROVED)
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=correction, actor=publisher, to_status=P.PUBLISHED)
    assert "no longer published" in refused.value.message


# --- Stale pages and drafts ---------------------------------------------------------------------------


def test_a_stale_page_is_refused_as_a_conflict(draft, publisher, second_publisher):
    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    stale = Publication.objects.get(pk=draft.pk)
    stale.status = P.DRAFT  # what the other page still shows
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=stale, actor=publisher, to_status=P.DISCARDED, expected=P.DRAFT)
    assert refused.value.code == "conflict"
    assert "Someone else changed this version" in refused.value.message


def test_an_edit_from_an_older_page_is_refused(draft, publisher):
    old = text_token(draft.summary)
    publication_edit(publication=draft, actor=publisher, summary="First edit.", based_on=old)
    with pytest.raises(PublicationRefused) as refused:
        publication_edit(publication=draft, actor=publisher, summary="Second edit.", based_on=old)
    assert "Someone else changed this draft's text" in refused.value.message
    draft.refresh_from_db()
    assert draft.summary == "First edit."


def test_text_is_edited_only_in_draft(draft, publisher, second_publisher):
    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    with pytest.raises(PublicationRefused):
        publication_edit(publication=draft, actor=publisher, summary="Too late.")
    with pytest.raises(PublicationRefused):
        publication_redact_more(publication=draft, actor=publisher, phrase="bag", category="other")


def test_redact_more_removes_every_case_of_the_phrase_and_logs_only_positions(draft, publisher):
    count = publication_redact_more(publication=draft, actor=publisher, phrase="THE SEARCH", category="other")
    assert count == 1
    assert "[removed]" in draft.summary and "the search" not in draft.summary.lower()
    entry = draft.manual_redactions[-1]
    assert set(entry) == {"category", "start", "length", "removed_length"}
    assert draft.summary[entry["start"] : entry["start"] + entry["length"]] == "[removed]"
    assert draft.edited_by_ids == [publisher.pk]


# --- The guards before approval and publication --------------------------------------------------------


def test_an_edit_that_puts_a_phone_number_back_cannot_be_approved(draft, publisher, second_publisher):
    publication_edit(publication=draft, actor=publisher, summary=draft.summary + " Call her on 215.555.0199.")
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    assert "1 phone number" in refused.value.message


def test_an_edit_that_puts_a_name_or_case_number_back_cannot_be_approved(draft, publisher, second_publisher):
    publication_edit(publication=draft, actor=publisher, summary="Rosa Delgado and Det. Whitfield. See CPC-2026-00042.")
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    assert "1 name" in refused.value.message
    assert "1 officer's name" in refused.value.message
    assert "1 case number" in refused.value.message


def test_the_draft_as_made_passes_the_text_check(draft, second_publisher):
    assert PUBLICATION_LIFECYCLE.blockers(draft, second_publisher, PUBLICATION_LIFECYCLE.by_action("approve")[0]) == []


def test_a_changed_source_summary_needs_a_new_draft(draft, publisher, second_publisher, named_case):
    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    Investigation.objects.filter(complaint=named_case).update(public_summary="A new summary.")
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=draft, actor=publisher, to_status=P.PUBLISHED)
    assert "public summary has changed" in refused.value.message


def test_a_policy_that_now_keeps_the_officer_private_stops_publication(draft, publisher, second_publisher):
    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    DisclosureRule.objects.filter(category__code="aoa-search").update(names_officer=False, discloses_discipline=False)
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=draft, actor=publisher, to_status=P.PUBLISHED)
    assert "names its officer" in refused.value.message
    assert "shows discipline" in refused.value.message
    assert "Quintero" not in refused.value.message


def test_the_none_policy_setting_stops_a_version_that_names_someone(settings, draft, publisher, second_publisher):
    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    settings.PUBLICATION_DISCLOSURE_POLICY = "none"
    with pytest.raises(MoveRefused):
        publication_move(publication=draft, actor=publisher, to_status=P.PUBLISHED)


def test_one_published_version_per_case_at_the_database(draft, publisher, second_publisher):
    from django.db import IntegrityError, transaction

    _publish(draft, publisher, second_publisher)
    other = decided_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.create(complaint=draft.complaint, status=P.PUBLISHED, version=9)
    assert Publication.objects.filter(complaint=other).count() == 0
