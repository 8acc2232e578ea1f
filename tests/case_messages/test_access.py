"""Who may read and write a case's messages, written out by hand: the assigned investigator and a
supervisor may; an unassigned investigator, a board member (even one who may see the case), a
publication officer and an intake coordinator get 404, as for a case that does not exist."""

import pytest
from django.urls import reverse

from oversight import permissions
from oversight.models import AuditEvent
from public_portal.messages.forms import new_token
from public_portal.messages.models import Message, MessageAttachment

from .conftest import ask, staff_tab

pytestmark = pytest.mark.django_db

# persona: (status of GET, status of a POST that sends a message, whether the tab shows)
MATRIX = {
    "assigned_investigator": (200, 302, True),
    "supervisor": (200, 302, True),
    "other_investigator": (404, 404, False),
    "board_member": (404, 404, False),
    "publisher": (404, 404, False),
    "intake_coordinator": (404, 404, False),
}


@pytest.fixture
def people(assigned_investigator, supervisor, other_investigator, board_member, publisher, intake_coordinator):
    return {
        "assigned_investigator": assigned_investigator,
        "supervisor": supervisor,
        "other_investigator": other_investigator,
        "board_member": board_member,
        "publisher": publisher,
        "intake_coordinator": intake_coordinator,
    }


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_who_may_read_and_send(client, named, people, persona):
    # The board member sees the case (it was referred to them), yet not its messages.
    permissions.grant(people["board_member"], "complaints.view_complaint", named)
    ask(named, people["supervisor"], "Is there a time that suits you for a phone call?")
    expected_get, expected_post, tab_shown = MATRIX[persona]
    client.force_login(people[persona])

    page = client.get(staff_tab(named))
    assert page.status_code == expected_get
    if expected_get == 404:
        assert "Is there a time that suits you" not in page.content.decode()

    sent = client.post(staff_tab(named), {"body": f"A question from {persona}", "form_token": new_token()})
    assert sent.status_code == expected_post
    assert Message.objects.filter(body=f"A question from {persona}").exists() == (expected_post == 302)

    overview = client.get(reverse("cases:overview", args=[named.tracking_number]))
    if overview.status_code == 200:
        assert ("/staff/messages/cases/" in overview.content.decode()) == tab_shown
    else:
        assert not tab_shown


@pytest.mark.parametrize("persona", ["other_investigator", "board_member", "publisher"])
def test_a_file_download_is_404_for_those_who_may_not_read(client, named, people, persona, assigned_investigator):
    import io

    from django.test import Client

    from tests.factories import PNG_BYTES

    from .conftest import CODE, REPLY, open_status, token_in

    permissions.grant(people["board_member"], "complaints.view_complaint", named)
    ask(named, assigned_investigator, "Can you send the photo?")
    visitor = Client()
    page = open_status(visitor, named, CODE)
    photo = io.BytesIO(PNG_BYTES)
    photo.name = "photo.png"
    visitor.post(REPLY, {"body": "Here it is.", "form_token": token_in(page), "files": [photo]})
    stored = MessageAttachment.objects.get()

    client.force_login(people[persona])
    assert client.get(f"{staff_tab(named)}files/{stored.pk}/").status_code == 404
    client.force_login(assigned_investigator)
    assert client.get(f"{staff_tab(named)}files/{stored.pk}/").status_code == 200


def test_a_file_of_another_case_is_404(
    client, named, assigned_investigator, anonymous_complaint, anonymous_investigator
):
    import io

    from django.test import Client

    from tests.factories import PNG_BYTES

    from .conftest import ANON_CODE, REPLY, open_status, token_in

    ask(anonymous_complaint, anonymous_investigator, "Can you send the photo?")
    visitor = Client()
    page = open_status(visitor, anonymous_complaint, ANON_CODE)
    photo = io.BytesIO(PNG_BYTES)
    photo.name = "photo.png"
    visitor.post(REPLY, {"body": "Here it is.", "form_token": token_in(page), "files": [photo]})
    other_file = MessageAttachment.objects.get()

    client.force_login(assigned_investigator)
    assert client.get(f"{staff_tab(named)}files/{other_file.pk}/").status_code == 404


def test_a_refused_read_is_audited_as_denied(client, named, other_investigator):
    client.force_login(other_investigator)
    client.get(staff_tab(named))
    denied = AuditEvent.objects.filter(action="complaint.access_denied", outcome="denied")
    assert denied.exists()


def test_an_unknown_case_is_the_same_404(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("staff:case_messages:case", args=["TST-2026-99999"])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, named):
    response = client.get(staff_tab(named))
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]


def test_a_supervisor_sends_and_the_send_is_audited_without_the_text(client, named, supervisor):
    client.force_login(supervisor)
    response = client.post(staff_tab(named), {"body": "Please call us back about the stop.", "form_token": new_token()})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.author, message.author_name, message.direction) == (
        supervisor,
        supervisor.get_full_name(),
        "to_complainant",
    )
    event = AuditEvent.objects.get(action="message.sent")
    assert event.actor_username == "sofia_supervisor"
    assert event.target_label == named.tracking_number
    assert event.data == {"message_id": message.pk, "anonymous": False}
    assert "call us back" not in str(event.data) and "call us back" not in event.target_label
