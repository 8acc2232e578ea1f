import pytest
from django.urls import reverse

from complaints.models import Complaint
from tests.factories import ComplaintFactory, DistrictFactory

from .intake_flow import STAFF, Filing, file_complaint, incident

pytestmark = pytest.mark.django_db


def test_intake_coordinator_enters_a_phone_complaint(client, intake_coordinator):
    client.force_login(intake_coordinator)
    filing = Filing(incident=incident(channel="phone", received_date="2026-03-13"), files=[])
    complaint = file_complaint(client, filing, base=STAFF)
    assert complaint.channel == Complaint.Channel.PHONE
    assert complaint.entered_by == intake_coordinator
    assert complaint.received_at.date().isoformat() == "2026-03-13"
    assert complaint.history.first().history_user == intake_coordinator
    queue = client.get(reverse("complaints:intake_queue")).content.decode()
    assert complaint.tracking_number in queue
    assert intake_coordinator.get_full_name() in queue


def test_staff_entry_needs_the_channel(client, intake_coordinator):
    client.force_login(intake_coordinator)
    client.post(f"{STAFF}/", {"action": "start"})
    response = client.post(f"{STAFF}/incident/", {**incident(), "action": "next"})
    assert response.status_code == 400
    assert "How was it received?" in response.content.decode()


@pytest.mark.parametrize("persona", ["other_investigator", "board_member", "publisher", "sysadmin"])
def test_roles_without_intake_rights_cannot_enter_complaints(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"{STAFF}/").status_code == 403
    assert client.get(reverse("complaints:intake_queue")).status_code == 403


def test_staff_entry_needs_sign_in(client):
    response = client.get(f"{STAFF}/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_intake_queue_filters_counts_and_paginates(client, intake_coordinator):
    district = DistrictFactory(name="District 4")
    ComplaintFactory.create_batch(3, channel="phone", district=district, language="es")
    ComplaintFactory.create_batch(55, channel="web")
    moved_on = ComplaintFactory(channel="phone")
    Complaint.objects.filter(pk=moved_on.pk).update(status=Complaint.Status.UNDER_INVESTIGATION)
    client.force_login(intake_coordinator)
    page = client.get(reverse("complaints:intake_queue")).content.decode()
    assert "58 new · 0 in triage" in page
    assert "Page 1 of 2" in page
    filtered = client.get(
        reverse("complaints:intake_queue"), {"channel": "phone", "district": district.pk, "language": "es"}
    ).content.decode()
    assert "3 new · 0 in triage" in filtered
    assert moved_on.tracking_number not in filtered


def test_intake_queue_query_count_is_flat(client, intake_coordinator, django_assert_max_num_queries):
    ComplaintFactory.create_batch(30, district=DistrictFactory())
    client.force_login(intake_coordinator)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("complaints:intake_queue")).status_code == 200


def test_empty_queue_says_so(client, intake_coordinator):
    client.force_login(intake_coordinator)
    assert "No new complaints match" in client.get(reverse("complaints:intake_queue")).content.decode()


def test_intake_queue_can_show_the_newest_first(client, intake_coordinator):
    from datetime import UTC, datetime

    old = ComplaintFactory(received_at=datetime(2026, 1, 2, tzinfo=UTC))
    new = ComplaintFactory(received_at=datetime(2026, 6, 2, tzinfo=UTC))
    client.force_login(intake_coordinator)
    default = client.get(reverse("complaints:intake_queue")).content.decode()
    assert default.index(old.tracking_number) < default.index(new.tracking_number)
    newest = client.get(reverse("complaints:intake_queue"), {"order": "newest"}).content.decode()
    assert newest.index(new.tracking_number) < newest.index(old.tracking_number)
