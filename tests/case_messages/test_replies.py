"""An answer is stored exactly once, and a refused or failed one leaves nothing behind: no
message, no file in storage."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import Client

from oversight.models import AuditEvent
from public_portal.messages import services
from public_portal.messages.forms import new_token
from public_portal.messages.models import Message, MessageAttachment
from tests.factories import PNG_BYTES

from .conftest import ANON_CODE, MESSAGES, REPLY, ask, open_status, token_in

pytestmark = pytest.mark.django_db

ANSWER = "The van was parked outside number 212."


def _files_in(storage) -> list[str]:
    root = storage.location
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files] if os.path.isdir(root) else []


def _photo(name="photo.png", content=PNG_BYTES):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


@pytest.fixture
def opened(anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, "Where was the van parked?")
    visitor = Client()
    page = open_status(visitor, anonymous_complaint, ANON_CODE)
    return visitor, token_in(page)


def test_the_same_answer_sent_twice_is_stored_once(opened, private_storage):
    visitor, token = opened
    first = visitor.post(REPLY, {"body": ANSWER, "form_token": token, "files": [_photo()]})
    second = visitor.post(REPLY, {"body": ANSWER, "form_token": token, "files": [_photo()]})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Message.objects.filter(direction="from_complainant").count() == 1
    assert MessageAttachment.objects.count() == 1
    assert len(_files_in(private_storage)) == 1  # the second request kept no copy
    assert AuditEvent.objects.filter(action="message.replied").count() == 1
    page = visitor.get(MESSAGES).content.decode()
    assert page.count(ANSWER) == 1


def test_a_new_form_sends_a_new_answer(opened):
    visitor, token = opened
    visitor.post(REPLY, {"body": ANSWER, "form_token": token})
    fresh = token_in(visitor.get(MESSAGES))
    assert fresh != token
    visitor.post(REPLY, {"body": "And it was white.", "form_token": fresh})
    assert Message.objects.filter(direction="from_complainant").count() == 2


def test_a_file_that_is_not_accepted_leaves_no_message_and_no_file(opened, private_storage):
    visitor, token = opened
    page = b"<!doctype html><html><script>alert(1)</script></html>"
    response = visitor.post(
        REPLY, {"body": ANSWER, "form_token": token, "files": [_photo("photo.png"), _photo("page.txt", page)]}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "page.txt" in body and 'id="error-summary"' in body
    assert ANSWER in body  # what was typed is kept
    assert not Message.objects.filter(direction="from_complainant").exists()
    assert not MessageAttachment.objects.exists()
    assert _files_in(private_storage) == []


def test_an_empty_file_is_refused(opened, private_storage):
    visitor, token = opened
    response = visitor.post(REPLY, {"body": ANSWER, "form_token": token, "files": [_photo("empty.png", b"")]})
    assert response.status_code == 400
    assert not Message.objects.filter(direction="from_complainant").exists()
    assert _files_in(private_storage) == []


def test_a_file_over_the_limit_is_refused(opened, private_storage, settings):
    settings.ATTACHMENT_MAX_BYTES = 32
    visitor, token = opened
    response = visitor.post(REPLY, {"body": ANSWER, "form_token": token, "files": [_photo("big.png", PNG_BYTES * 4)]})
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not Message.objects.filter(direction="from_complainant").exists()
    assert _files_in(private_storage) == []


def test_more_files_than_allowed_are_refused(opened, private_storage):
    visitor, token = opened
    files = [_photo(f"p{n}.png") for n in range(6)]
    response = visitor.post(REPLY, {"body": ANSWER, "form_token": token, "files": files})
    assert response.status_code == 400
    assert "You can send up to 5 files with one message." in response.content.decode()
    assert _files_in(private_storage) == []


def test_a_failure_while_saving_removes_the_files_already_written(
    anonymous_complaint, anonymous_investigator, private_storage, monkeypatch
):
    ask(anonymous_complaint, anonymous_investigator, "Where was the van parked?")

    def broken(*args, **kwargs):
        raise IntegrityError("the database went away")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(IntegrityError):
        services.message_reply(
            complaint=anonymous_complaint,
            body=ANSWER,
            files=[(_photo(), "photo.png"), (_photo("second.png"), "second.png")],
            idempotency_key=new_token(),
        )
    assert not Message.objects.filter(direction="from_complainant").exists()
    assert not MessageAttachment.objects.exists()
    assert _files_in(private_storage) == []


def test_a_token_from_another_case_is_stale(anonymous_complaint, anonymous_investigator, named, assigned_investigator):
    ask(anonymous_complaint, anonymous_investigator, "Where?")
    ask(named, assigned_investigator, "When?")
    token = new_token()
    services.message_reply(complaint=anonymous_complaint, body=ANSWER, files=[], idempotency_key=token)
    with pytest.raises(ValidationError):
        services.message_reply(complaint=named, body="Tuesday.", files=[], idempotency_key=token)
    assert not Message.objects.filter(complaint=named, direction="from_complainant").exists()


def test_a_staff_message_sent_twice_is_stored_once(client, named, assigned_investigator):
    client.force_login(assigned_investigator)
    token = new_token()
    tab = f"/staff/messages/cases/{named.tracking_number}/"
    for _ in range(2):
        assert client.post(tab, {"body": "When can we call you?", "form_token": token}).status_code == 302
    assert Message.objects.filter(direction="to_complainant").count() == 1
