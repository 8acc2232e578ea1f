"""Only supervisors place and release holds and destroy records. Others: 404 for a case they may not
see, 403 for one they may see; refused attempts are audited."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from investigations.models import Investigation, InvestigatorAssignment
from investigations.retention.models import LegalHold, RetentionRecord
from investigations.retention.services import RetentionRefused, case_destroy, legal_hold_place, legal_hold_release
from oversight import permissions
from oversight.models import AuditEvent
from oversight.permissions import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_case(closed_case):
    return closed_case(closed_on=timezone.localdate() - timedelta(days=365 * 6))


@pytest.fixture
def case_investigator(due_case):
    """An investigator who worked the case and still holds access to it."""
    user = UserFactory(username="ines_investigator", roles=[Role.INVESTIGATOR])
    investigation = Investigation.objects.get(complaint=due_case)
    InvestigatorAssignment.objects.create(investigation=investigation, investigator=user, is_lead=True)
    permissions.grant(user, "complaints.view_complaint", due_case)
    permissions.grant(user, "complaints.change_complaint", due_case)
    return user


def _post_destroy(client, case):
    return client.post(
        reverse("staff:retention:destroy", args=[case.tracking_number]),
        {"reason": "Due", "confirm": "on", "tracking_number": case.tracking_number},
    )


def test_the_retention_list_is_for_supervisors(supervisor, other_investigator, board_member, sysadmin, client):
    url = reverse("staff:retention:due")
    client.force_login(supervisor)
    response = client.get(url)
    assert response.status_code == 200
    assert "No closed case is due for destruction." in response.content.decode()
    for user in (other_investigator, board_member, sysadmin):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403, user
        assert "Staff workspace" in response.content.decode()


def test_a_case_someone_may_not_see_answers_404_and_the_attempt_is_audited(due_case, other_investigator, client):
    client.force_login(other_investigator)
    number = due_case.tracking_number
    for url in (
        reverse("staff:retention:case", args=[number]),
        reverse("staff:retention:destroy", args=[number]),
        reverse("staff:retention:hold_place", args=[number]),
    ):
        assert client.get(url).status_code == 404, url
    assert _post_destroy(client, due_case).status_code == 404
    denials = AuditEvent.objects.filter(action="complaint.access_denied", outcome="denied", target_label=number)
    assert denials.count() == 4
    # Only the record the closing made, untouched: no hold, no destruction.
    assert list(RetentionRecord.objects.values_list("status", flat=True)) == ["kept"]
    assert not LegalHold.objects.exists()


def test_an_investigator_on_the_case_reads_its_retention_page_but_gets_403_for_every_action(
    due_case, case_investigator, supervisor, client
):
    hold = legal_hold_place(complaint=due_case, actor=supervisor, kind="litigation", reason="Suit filed.")
    client.force_login(case_investigator)
    number = due_case.tracking_number
    page = client.get(reverse("staff:retention:case", args=[number]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Litigation" in body and "Place the hold" not in body and "Release" not in body
    assert client.get(reverse("staff:retention:destroy", args=[number])).status_code == 403
    assert _post_destroy(client, due_case).status_code == 403
    assert (
        client.post(reverse("staff:retention:hold_place", args=[number]), {"kind": "other", "reason": "x"}).status_code
        == 403
    )
    release = reverse("staff:retention:hold_release", args=[number, hold.pk])
    assert client.post(release, {"reason": "Done"}).status_code == 403
    perms = sorted(
        AuditEvent.objects.filter(action="complaint.access_denied", target_id=str(due_case.pk)).values_list(
            "data__perm", flat=True
        )
    )
    assert perms == [
        "retention.destroy_case_records",
        "retention.destroy_case_records",
        "retention.manage_legal_holds",
        "retention.manage_legal_holds",
    ]
    assert LegalHold.objects.get(pk=hold.pk).status == "active"
    assert LegalHold.objects.count() == 1
    assert not RetentionRecord.objects.filter(status="destroyed").exists()


@pytest.mark.parametrize("persona", ["case_investigator", "intake_coordinator", "board_chair", "publisher"])
def test_the_services_refuse_anyone_but_a_supervisor_and_audit_it(request, persona, due_case, supervisor):
    user = request.getfixturevalue(persona)
    hold = legal_hold_place(complaint=due_case, actor=supervisor, kind="other", reason="Audit of the office.")
    with pytest.raises(PermissionDenied):
        legal_hold_place(complaint=due_case, actor=user, kind="litigation", reason="Suit")
    with pytest.raises(RetentionRefused) as refused:
        legal_hold_release(hold=hold, actor=user, reason="Done")
    assert refused.value.code == "forbidden"
    with pytest.raises(RetentionRefused) as refused:
        case_destroy(complaint=due_case, actor=user, reason="Due")
    assert refused.value.code == "forbidden"
    denied = AuditEvent.objects.filter(outcome="denied", actor=user)
    assert sorted(denied.values_list("action", flat=True)) == [
        "legal_hold.placed",
        "legal_hold.released",
        "retention.destroyed",
    ]
    assert LegalHold.objects.get(pk=hold.pk).status == "active"
    assert not RetentionRecord.objects.filter(status="destroyed").exists()


def test_destroying_needs_the_form_token(due_case, supervisor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    response = _post_destroy(client, due_case)
    assert response.status_code == 403
    assert not RetentionRecord.objects.filter(status="destroyed").exists()
