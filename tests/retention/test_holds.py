"""Legal holds: placed and released by supervisors, audited; while one is in force nothing is destroyed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from investigations.retention.models import LegalHold, RetentionRecord
from investigations.retention.services import RetentionRefused, case_destroy, legal_hold_place, legal_hold_release
from oversight.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_case(closed_case):
    return closed_case(closed_on=timezone.localdate() - timedelta(days=365 * 6))


def test_a_hold_blocks_destruction_and_releasing_it_allows_it(due_case, supervisor, client):
    hold = legal_hold_place(
        complaint=due_case,
        actor=supervisor,
        kind=LegalHold.Kind.LITIGATION,
        reference="26-CV-0412",
        reason="Civil suit filed against the city over this stop.",
    )
    placed = AuditEvent.objects.get(action="legal_hold.placed")
    assert (placed.actor, placed.outcome, placed.data) == (
        supervisor,
        "success",
        {"hold": hold.pk, "kind": "litigation"},
    )
    assert placed.target_label == f"{due_case.tracking_number} hold {hold.pk}"

    with pytest.raises(RetentionRefused) as refused:
        case_destroy(complaint=due_case, actor=supervisor, reason="Due")
    today = timezone.localdate().isoformat()
    assert refused.value.code == "precondition"
    assert refused.value.message == (
        f"A legal hold is in force (litigation, placed on {today} by {supervisor.get_full_name()}): "
        "the records must be kept. Release the hold first."
    )
    assert not RetentionRecord.objects.filter(complaint=due_case, status="destroyed").exists()

    # The case's Retention page says why, and offers no destroy button.
    client.force_login(supervisor)
    page = client.get(reverse("staff:retention:case", args=[due_case.tracking_number])).content.decode()
    assert "These records cannot be destroyed now:" in page
    assert "A legal hold is in force (litigation" in page
    assert reverse("staff:retention:destroy", args=[due_case.tracking_number]) not in page
    # Every case page shows the hold in its header.
    overview = client.get(reverse("cases:overview", args=[due_case.tracking_number])).content.decode()
    assert "Legal hold in force" in overview

    released = legal_hold_release(hold=hold, actor=supervisor, reason="The suit was dismissed with prejudice.")
    assert (released.status, released.released_by, released.release_reason) == (
        "released",
        supervisor,
        "The suit was dismissed with prejudice.",
    )
    event = AuditEvent.objects.get(action="legal_hold.released")
    assert (event.actor, event.outcome, event.data["hold"]) == (supervisor, "success", hold.pk)
    page = client.get(reverse("staff:retention:case", args=[due_case.tracking_number])).content.decode()
    assert reverse("staff:retention:destroy", args=[due_case.tracking_number]) in page

    record = case_destroy(complaint=due_case, actor=supervisor, reason="Due; the hold was released.")
    assert record.status == "destroyed"


def test_placing_and_releasing_through_the_pages(due_case, supervisor, client):
    client.force_login(supervisor)
    case_url = reverse("staff:retention:case", args=[due_case.tracking_number])
    response = client.post(
        reverse("staff:retention:hold_place", args=[due_case.tracking_number]),
        {"kind": "records_request", "reference": "PRA-2026-118", "reason": "Records request from a newspaper."},
    )
    assert response.status_code == 302 and response["Location"] == case_url
    hold = LegalHold.objects.get(complaint=due_case)
    assert (hold.kind, hold.reference, hold.placed_by, hold.status) == (
        "records_request",
        "PRA-2026-118",
        supervisor,
        "active",
    )
    release_url = reverse("staff:retention:hold_release", args=[due_case.tracking_number, hold.pk])
    assert client.get(release_url).status_code == 200
    missing_reason = client.post(release_url, {"reason": "  "})
    assert missing_reason.status_code == 400
    assert LegalHold.objects.get(pk=hold.pk).status == "active"
    response = client.post(release_url, {"reason": "The request was answered."})
    assert response.status_code == 302
    assert LegalHold.objects.get(pk=hold.pk).status == "released"
    # A second release of the same hold just says it is done.
    again = client.post(release_url, {"reason": "Again"}, follow=True)
    assert "That hold was already released." in again.content.decode()


def test_a_hold_needs_a_kind_and_a_reason(due_case, supervisor, client):
    with pytest.raises(ValidationError) as error:
        legal_hold_place(complaint=due_case, actor=supervisor, kind="forever", reason=" ")
    assert error.value.message_dict == {
        "kind": ["Choose the kind of hold."],
        "reason": ["Say why the records must be kept."],
    }
    client.force_login(supervisor)
    response = client.post(reverse("staff:retention:hold_place", args=[due_case.tracking_number]), {"reason": ""})
    assert response.status_code == 400
    assert not LegalHold.objects.exists()


def test_a_destroyed_case_cannot_be_held(due_case, supervisor):
    case_destroy(complaint=due_case, actor=supervisor, reason="Due")
    with pytest.raises(ValidationError) as error:
        legal_hold_place(complaint=due_case, actor=supervisor, kind="other", reason="Late request")
    assert "were already destroyed on" in error.value.messages[0]


def test_a_hold_may_be_placed_on_an_open_case(closed_case, supervisor):
    case = closed_case(closed_on=timezone.localdate() - timedelta(days=10))
    type(case).objects.filter(pk=case.pk).update(status="under_investigation")
    hold = legal_hold_place(complaint=case, actor=supervisor, kind="litigation", reason="Notice of claim received.")
    assert hold.status == "active"
