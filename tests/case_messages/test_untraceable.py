"""The complainant's answer keeps no trace of where it came from: their network address and browser
are in no table, history row, audit event, session or log line, after they read a question and
answer it with a file. The investigator's own actions keep their address."""

import io

import pytest
from django.test import Client

from oversight.models import AuditEvent
from public_portal.messages.models import Message
from tests.factories import PNG_BYTES
from tests.public_portal.test_anonymity import (
    ADDRESS,
    AGENT,
    FORWARDED,
    STAFF_ADDRESS,
    _assert_no_trace,
    _log_text,
    _whole_database,
)

from .conftest import ANON_CODE, MESSAGES, REPLY, token_in

pytestmark = pytest.mark.django_db


def _visitor() -> Client:
    return Client(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=FORWARDED, HTTP_USER_AGENT=AGENT, HTTP_X_REAL_IP=ADDRESS)


@pytest.mark.parametrize("proxies", [0, 1])
def test_reading_and_answering_leaves_no_address_or_browser_anywhere(
    settings, every_log, anonymous_complaint, anonymous_investigator, proxies
):
    settings.TRUSTED_PROXY_COUNT = proxies
    staff = Client(REMOTE_ADDR=STAFF_ADDRESS, HTTP_USER_AGENT="Staff-Workstation/1.0")
    staff.force_login(anonymous_investigator)
    tab = f"/staff/messages/cases/{anonymous_complaint.tracking_number}/"
    assert staff.post(tab, {"body": "Which bus stop was it?", "form_token": "t" * 32}).status_code == 302

    settings.RATE_LIMIT_MESSAGE_REPLY = "1/600"
    visitor = _visitor()
    page = visitor.post("/status/", {"tracking_number": anonymous_complaint.tracking_number, "code": ANON_CODE})
    photo = io.BytesIO(PNG_BYTES)
    photo.name = "stop.png"
    sent = visitor.post(REPLY, {"body": "Elm and 9th.", "form_token": token_in(page), "files": [photo]})
    assert sent.status_code == 302
    assert visitor.get(MESSAGES).status_code == 200
    assert visitor.post(REPLY, {"body": "More.", "form_token": "u" * 32}).status_code == 429
    visitor.post("/status/close/")

    # The answer was recorded, as the public visitor's: no account, no address.
    replied = AuditEvent.objects.get(action="message.replied")
    assert (replied.actor_id, replied.actor_username, replied.ip) == (None, "", None)
    read = AuditEvent.objects.get(action="message.read", data__by="complainant")
    assert (read.actor_username, read.ip) == ("", None)
    assert Message.objects.get(direction="from_complainant").author is None
    # The investigator's send keeps theirs.
    assert AuditEvent.objects.get(action="message.sent").ip == STAFF_ADDRESS

    _assert_no_trace(_whole_database(), "the database")
    _assert_no_trace(_log_text(every_log), "the logs")
