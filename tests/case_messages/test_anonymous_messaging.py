"""An anonymous complainant reads an investigator's question on the status page and answers it,
with and without a file; the answer shows on the case's Messages tab. A wrong code, or another
case's code, sees nothing."""

import io
import re

import pytest
from django.core import mail
from django.test import Client

from oversight.models import AuditEvent
from public_portal.messages.models import Message, MessageAttachment
from tests.factories import PNG_BYTES

from .conftest import ANON_CODE, CODE, MESSAGES, REPLY, ask, open_status, staff_tab, token_in

pytestmark = pytest.mark.django_db

QUESTION = "Do you remember the number on the side of the patrol car?"
ANSWER = "It was car 4127. It stopped in front of the laundromat."


def _normalised(response, *typed: str) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    for text in typed:
        body = body.replace(f'value="{text}"', 'value=""')
    return body


def test_the_anonymous_complainant_reads_the_question_and_answers_it(anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    visitor = Client()

    page = open_status(visitor, anonymous_complaint, ANON_CODE)
    assert page.status_code == 200
    body = page.content.decode()
    assert QUESTION in body
    assert "You have 1 new message from the staff working on your complaint." in body
    assert "From our staff" in body
    assert "Carla" not in body and "Ruiz" not in body  # no staff name on the public page
    assert 'action="/status/messages/reply/"' in body
    assert ANON_CODE not in body  # the code is never written back into the page

    sent = visitor.post(REPLY, {"body": ANSWER, "form_token": token_in(page)})
    assert sent.status_code == 302
    assert sent["Location"] == "/status/messages/#messages"
    assert ANON_CODE not in sent["Location"] and anonymous_complaint.tracking_number not in sent["Location"]

    confirmation = visitor.get(MESSAGES)
    assert confirmation.status_code == 200
    text = confirmation.content.decode()
    assert "Your answer was sent. The staff working on your complaint will read it soon." in text
    assert ANSWER in text and "You wrote" in text and "Not read yet" in text
    # The question now reads as read: no "new" banner the second time.
    assert "new message" not in text

    reply = Message.objects.get(direction="from_complainant")
    assert (reply.complaint, reply.body, reply.author, reply.author_name) == (anonymous_complaint, ANSWER, None, "")
    assert reply.in_reply_to.body == QUESTION
    assert Message.objects.get(direction="to_complainant").read_at is not None
    assert mail.outbox == [] or all("anonymous" not in m.to for m in mail.outbox)


def test_the_answer_with_a_file_shows_on_the_case_tab(client, anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    visitor = Client()
    page = open_status(visitor, anonymous_complaint, ANON_CODE)
    photo = io.BytesIO(PNG_BYTES)
    photo.name = "car-4127.png"
    sent = visitor.post(REPLY, {"body": ANSWER, "form_token": token_in(page), "files": [photo]})
    assert sent.status_code == 302
    assert "car-4127.png" in visitor.get(MESSAGES).content.decode()

    stored = MessageAttachment.objects.get()
    assert (stored.original_name, stored.content_type, stored.size) == ("car-4127.png", "image/png", len(PNG_BYTES))
    assert stored.complaint == anonymous_complaint and stored.message.body == ANSWER
    assert stored.scan_state == "not_scanned"  # no scanner configured in tests

    client.force_login(anonymous_investigator)
    tab = client.get(staff_tab(anonymous_complaint))
    assert tab.status_code == 200
    body = tab.content.decode()
    assert ANSWER in body and QUESTION in body
    assert "From the complainant" in body
    assert "car-4127.png" in body
    assert '<span class="usa-tag">New</span>' in body
    download = client.get(f"{staff_tab(anonymous_complaint)}files/{stored.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PNG_BYTES
    assert AuditEvent.objects.filter(action="message.file_downloaded", actor_username="carla_investigator").count() == 1

    # Opened once, the answer is read: by whom, and no longer new.
    again = client.get(staff_tab(anonymous_complaint)).content.decode()
    assert "Read by Carla Ruiz on" in again
    assert '<span class="usa-tag">New</span>' not in again


def test_the_tab_counts_unread_answers(client, anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    visitor = Client()
    page = open_status(visitor, anonymous_complaint, ANON_CODE)
    visitor.post(REPLY, {"body": ANSWER, "form_token": token_in(page)})
    client.force_login(anonymous_investigator)
    overview = client.get(f"/staff/cases/{anonymous_complaint.tracking_number}/")
    assert "Messages (1 new)" in overview.content.decode()


def test_a_wrong_code_sees_nothing_and_gets_the_lookups_answer(anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    wrong_code = open_status(Client(), anonymous_complaint, "AAAA-BBBB-CCCC")
    wrong_number = Client().post("/status/", {"tracking_number": "TST-2026-99999", "code": ANON_CODE})
    assert wrong_code.status_code == wrong_number.status_code == 400
    assert QUESTION not in wrong_code.content.decode()
    assert _normalised(wrong_code, anonymous_complaint.tracking_number, "AAAA-BBBB-CCCC") == _normalised(
        wrong_number, "TST-2026-99999", ANON_CODE
    )
    assert Message.objects.get().read_at is None


def test_another_cases_code_sees_nothing(named, anonymous_complaint, anonymous_investigator, assigned_investigator):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    ask(named, assigned_investigator, "Could you send us the photos you mentioned?")
    crossed = open_status(Client(), anonymous_complaint, CODE)
    assert crossed.status_code == 400
    assert QUESTION not in crossed.content.decode()
    # The named case's own page shows only its own message.
    own = open_status(Client(), named, CODE).content.decode()
    assert "Could you send us the photos you mentioned?" in own and QUESTION not in own


def test_a_session_that_opened_one_case_cannot_answer_another(
    named, anonymous_complaint, anonymous_investigator, assigned_investigator
):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    ask(named, assigned_investigator, "Could you send us the photos you mentioned?")
    visitor = Client()
    page = open_status(visitor, named, CODE)
    token = token_in(page)
    # A failed lookup of the other case closes the open page: the answer cannot reach either.
    open_status(visitor, anonymous_complaint, "AAAA-BBBB-CCCC")
    again = visitor.post(REPLY, {"body": ANSWER, "form_token": token})
    assert again.status_code == 200
    assert "Enter your tracking number and status code again to send it." in again.content.decode()
    assert not Message.objects.filter(direction="from_complainant").exists()


def test_without_a_question_there_is_no_answer_form(anonymous_complaint):
    page = open_status(Client(), anonymous_complaint, ANON_CODE).content.decode()
    assert "No messages yet." in page
    assert 'name="form_token"' not in page
    visitor = Client()
    open_status(visitor, anonymous_complaint, ANON_CODE)
    refused = visitor.post(REPLY, {"body": ANSWER, "form_token": "a" * 32})
    assert refused.status_code == 400
    assert not Message.objects.exists()


def test_closing_the_page_forgets_it_in_this_browser(anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    visitor = Client()
    open_status(visitor, anonymous_complaint, ANON_CODE)
    closed = visitor.post("/status/close/", follow=True)
    assert closed.status_code == 200
    assert "Your status page is closed." in closed.content.decode()
    after = visitor.get(MESSAGES, follow=True)
    assert QUESTION not in after.content.decode()
    assert "For your safety, your status page closed." in after.content.decode()


def test_an_idle_page_closes_and_the_answer_is_sent_after_typing_the_code_again(
    anonymous_complaint, anonymous_investigator, monkeypatch
):
    import time

    from public_portal.messages import status

    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    visitor = Client()
    page = open_status(visitor, anonymous_complaint, ANON_CODE)
    token = token_in(page)
    later = time.time() + 31 * 60
    monkeypatch.setattr(status.time, "time", lambda: later)

    asked = visitor.post(REPLY, {"body": ANSWER, "form_token": token})
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "your status page closed after 30 minutes without activity" in text
    assert ANSWER in text  # what was typed is kept
    assert not Message.objects.filter(direction="from_complainant").exists()

    wrong = visitor.post(
        REPLY,
        {
            "tracking_number": anonymous_complaint.tracking_number,
            "code": "AAAA-BBBB-CCCC",
            "body": ANSWER,
            "form_token": token,
        },
    )
    assert wrong.status_code == 400
    assert "We could not find a complaint with that tracking number and code." in wrong.content.decode()
    assert not Message.objects.filter(direction="from_complainant").exists()

    sent = visitor.post(
        REPLY,
        {
            "tracking_number": anonymous_complaint.tracking_number,
            "code": ANON_CODE,
            "body": ANSWER,
            "form_token": token,
        },
    )
    assert sent.status_code == 302
    assert "Your answer was sent." in visitor.get(MESSAGES).content.decode()
    assert Message.objects.filter(direction="from_complainant").count() == 1


def test_a_closed_complaint_shows_its_messages_but_takes_no_answer(anonymous_complaint, anonymous_investigator):
    from complaints.models import Complaint

    ask(anonymous_complaint, anonymous_investigator, QUESTION)
    Complaint.objects.filter(pk=anonymous_complaint.pk).update(status=Complaint.Status.CLOSED)
    visitor = Client()
    page = open_status(visitor, anonymous_complaint, ANON_CODE).content.decode()
    assert QUESTION in page
    assert "Your complaint is closed, so answers can no longer be sent here." in page
    assert 'name="form_token"' not in page
    assert visitor.post(REPLY, {"body": ANSWER, "form_token": "b" * 32}).status_code == 400
    assert not Message.objects.filter(direction="from_complainant").exists()
