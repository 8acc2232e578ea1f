"""A resident's comment keeps no trace of where it came from: posted from a distinctive address,
behind a distinctive forwarding header, with a distinctive browser, none of them (plain, hashed or
packed) is in any table, history row, audit event, session or log line afterwards, through the
form, a refused post over the limit and the confirmation. The moderator's action keeps theirs."""

import pytest
from django.test import Client

from oversight.models import AuditEvent
from public_portal.comments.models import PublicComment
from tests.public_portal.test_anonymity import (
    ADDRESS,
    AGENT,
    FORWARDED,
    STAFF_ADDRESS,
    _assert_no_trace,
    _log_text,
    _whole_database,
    every_log,  # noqa: F401
)

from .conftest import token_in, url

pytestmark = pytest.mark.django_db


def _visitor() -> Client:
    return Client(REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR=FORWARDED, HTTP_USER_AGENT=AGENT, HTTP_X_REAL_IP=ADDRESS)


@pytest.mark.parametrize("proxies", [0, 1])
def test_commenting_leaves_no_address_or_browser_anywhere(settings, every_log, proposed, moderator, proxies):  # noqa: F811
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.RATE_LIMIT_PUBLIC_COMMENT = "2/600"
    visitor = _visitor()
    page = visitor.get(url(proposed, "comment"))
    sent = visitor.post(
        url(proposed, "comment"),
        {"text": "I support this.", "name": "Rosa", "email": "rosa@example.org", "form_token": token_in(page)},
    )
    assert sent.status_code == 302
    assert visitor.get(sent["Location"]).status_code == 200
    assert visitor.post(url(proposed, "comment"), {"text": "", "form_token": token_in(page)}).status_code == 400
    assert visitor.post(url(proposed, "comment"), {"text": "Third.", "form_token": "v" * 32}).status_code == 429
    assert visitor.get(url(proposed)).status_code == 200

    staff = Client(REMOTE_ADDR=STAFF_ADDRESS, HTTP_USER_AGENT="Staff-Workstation/1.0")
    staff.force_login(moderator)
    stored = PublicComment.objects.get()
    assert staff.post(f"/staff/comments/comments/{stored.pk}/", {"decision": "approved"}).status_code == 302

    # The comment was recorded as the public visitor's: no account, no address.
    received = AuditEvent.objects.get(action="comment.received")
    assert (received.actor_id, received.actor_username, received.ip) == (None, "", None)
    assert AuditEvent.objects.get(action="ratelimit.refused").ip is None
    history = stored.history.earliest()
    assert history.history_ip is None and history.history_user_id is None
    # The moderator's action keeps theirs.
    assert AuditEvent.objects.get(action="comment.approved").ip == STAFF_ADDRESS

    _assert_no_trace(_whole_database(), "the database")
    _assert_no_trace(_log_text(every_log), "the logs")
