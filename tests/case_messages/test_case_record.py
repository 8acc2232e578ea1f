"""Messages are part of the case record and never public: every send, answer, read and download is
audited (the text never is); they reach no public surface (publications, their search, open data,
the dashboard, reports); and the staff search index does not hold their text either."""

import io
import os
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from investigations.retention.destruction import MARKER
from investigations.retention.services import case_destroy
from oversight import audit
from oversight.models import AuditEvent
from public_portal.messages.forms import new_token
from public_portal.messages.models import Message, MessageAttachment
from public_portal.messages.services import message_reply
from tests.factories import PNG_BYTES
from tests.public_portal.test_public_surfaces import _body, _plain, _public_urls, _statistics_urls
from tests.retention.conftest import record_closing

from .conftest import ANON_CODE, REPLY, ask, open_status, token_in

pytestmark = pytest.mark.django_db

QUESTION = "Did Quillon Marsh at the tire shop see the officer take the keys?"
ANSWER = "Yes, and Quillon has a receipt from that afternoon."
CANARIES = ["quillon", "marsh", "tire shop", "receipt from that afternoon"]


def test_the_audit_actions_are_registered_with_labels():
    registered = {code: audit.label_for(code) for code in audit.ACTIONS if code.startswith("message.")}
    assert registered == {
        "message.sent": "Message sent to the complainant",
        "message.replied": "Answer received from the complainant",
        "message.read": "Messages read",
        "message.file_downloaded": "File sent by the complainant downloaded",
    }


def test_each_step_of_a_conversation_is_audited_without_its_text(client, anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    visitor = Client()
    page = open_status(visitor, anonymous_complaint, ANON_CODE)
    visitor.post(REPLY, {"body": ANSWER, "form_token": token_in(page)})
    client.force_login(anonymous_investigator)
    client.get(f"/staff/messages/cases/{anonymous_complaint.tracking_number}/")

    events = list(
        AuditEvent.objects.filter(action__startswith="message.")
        .order_by("id")
        .values_list("action", "actor_username", "target_label", "outcome")
    )
    number = anonymous_complaint.tracking_number
    assert events == [
        ("message.sent", "carla_investigator", number, "success"),
        ("message.read", "", number, "success"),
        ("message.replied", "", number, "success"),
        ("message.read", "carla_investigator", number, "success"),
    ]
    everything = " ".join(str(e.data) + e.target_label for e in AuditEvent.objects.all()).lower()
    for canary in CANARIES:
        assert canary not in everything


def test_messages_reach_no_public_surface(world):
    complaint = world["complaint"]
    from oversight.permissions import Role
    from tests.factories import UserFactory

    boss = UserFactory(username="vera_supervisor", roles=[Role.SUPERVISOR])
    # A decided case is still open for messages until it closes.
    ask(complaint, boss, QUESTION)
    message_reply(complaint=complaint, body=ANSWER, files=[], idempotency_key=new_token())
    assert Message.objects.filter(complaint=complaint).count() == 2

    client = Client()
    urls = _public_urls(world["publication"], world["reports"]) + _statistics_urls(client)
    urls.append("/decisions/search/?q=keys")  # a word of the question only
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            plain = _plain(_body(response))
        assert response.status_code == 200, url
        assert not [canary for canary in CANARIES if canary in plain], url
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "case_messages_" not in sql, url


def test_the_staff_search_does_not_find_a_case_by_its_messages(
    client, settings, named, assigned_investigator, supervisor
):
    from search import backends

    settings.SEARCH_BACKEND = "database"
    backends.reset()
    try:
        ask(named, assigned_investigator, QUESTION)
        backends.backend().index("cases", [named.pk])
        client.force_login(supervisor)
        found = client.get("/staff/search/", {"q": "laundromat"})  # a word of the narrative
        assert named.tracking_number in found.content.decode()
        response = client.get("/staff/search/", {"q": "Quillon"})
        assert response.status_code == 200
        assert named.tracking_number not in response.content.decode()
    finally:
        backends.reset()


def test_showing_the_thread_is_one_audited_read_of_personal_data(client, named, assigned_investigator):
    ask(named, assigned_investigator, QUESTION)
    client.force_login(assigned_investigator)
    client.get(f"/staff/messages/cases/{named.tracking_number}/")
    (read,) = AuditEvent.objects.filter(action="personal_data.viewed", actor_username="alice_investigator")
    assert read.target_label == named.tracking_number
    assert "narrative" in read.data["what"]


def test_the_dashboard_lists_cases_with_unread_answers(client, anonymous_complaint, anonymous_investigator, supervisor):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    message_reply(complaint=anonymous_complaint, body=ANSWER, files=[], idempotency_key=new_token())
    for user in (anonymous_investigator, supervisor):
        client.force_login(user)
        page = client.get("/staff/cases/").content.decode()
        assert "Answers from complainants" in page
        assert f'href="/staff/messages/cases/{anonymous_complaint.tracking_number}/"' in page
    client.get(f"/staff/messages/cases/{anonymous_complaint.tracking_number}/")  # read by the supervisor
    client.force_login(anonymous_investigator)
    assert "Answers from complainants" not in client.get("/staff/cases/").content.decode()


def test_an_investigator_not_on_the_case_sees_no_panel_for_it(
    client, anonymous_complaint, anonymous_investigator, other_investigator
):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    message_reply(complaint=anonymous_complaint, body=ANSWER, files=[], idempotency_key=new_token())
    client.force_login(other_investigator)
    page = client.get("/staff/cases/").content.decode()
    assert anonymous_complaint.tracking_number not in page


def test_destroying_the_case_records_removes_the_messages_text_and_files(
    django_capture_on_commit_callbacks, anonymous_complaint, anonymous_investigator, supervisor, private_storage
):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    photo = io.BytesIO(PNG_BYTES)
    message_reply(
        complaint=anonymous_complaint, body=ANSWER, files=[(photo, "quillon.png")], idempotency_key=new_token()
    )
    stored = MessageAttachment.objects.get()
    assert private_storage.exists(stored.file.name)
    record_closing(anonymous_complaint, date(2010, 1, 15))

    with django_capture_on_commit_callbacks(execute=True):
        case_destroy(complaint=anonymous_complaint, actor=supervisor, reason="Due and not held.")

    assert set(Message.objects.values_list("body", flat=True)) == {MARKER}
    stored.refresh_from_db()
    assert (stored.file.name, stored.original_name) == ("", MARKER)
    assert [name for _dir, _dirs, files in os.walk(private_storage.location) for name in files] == []
    # The status page no longer shows what is left of the thread.
    page = open_status(Client(), anonymous_complaint, ANON_CODE).content.decode()
    assert MARKER not in page and "No messages yet." in page
