"""Passwords: reset by an emailed link that works once and expires, the same answer for every
address, limits on asking; the password rules (length and blocklists, no composition rules)."""

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client

from oversight.models import AuditEvent

from .signing_in import app_for, sign_in

pytestmark = pytest.mark.django_db

RESET = "/staff/password-reset/"
NEW = "lantern orchard violet"


@pytest.fixture(autouse=True)
def _emails_sent_on_commit(django_capture_on_commit_callbacks):
    # The email is queued once the request's work commits: let it go out within the test.
    global _commit
    _commit = django_capture_on_commit_callbacks


def _ask(client, email, **extra):
    with _commit(execute=True):
        return client.post(RESET, {"email": email}, **extra)


def _link() -> str:
    (message,) = mail.outbox
    return re.search(r"http://testserver(/staff/password-reset/\S+/)", message.body).group(1)


def _set(client, link, password=NEW):
    form_url = client.get(link)["Location"]  # Django moves the token out of the address first
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_the_answer_is_the_same_for_a_known_and_an_unknown_address(client, ivy):
    known = _ask(client, "ivy@oversight.example")
    unknown = _ask(client, "nobody@oversight.example")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == "/staff/password-reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ivy@oversight.example"]
    page = client.get(known["Location"]).content.decode()
    assert "If the address belongs to a staff account" in page
    events = AuditEvent.objects.filter(action="auth.password_reset_requested").order_by("pk")
    assert [e.data["accounts"] for e in events] == [1, 0]
    assert events[0].target_id == str(ivy.pk)


def test_the_emailed_link_sets_a_new_password_once_and_ends_every_session(client, ivy):
    elsewhere = Client()
    elsewhere.force_login(ivy)
    _ask(client, "ivy@oversight.example")
    link = _link()
    assert "works once, for 60 minutes" in mail.outbox[0].body
    assert _set(client, link)["Location"] == "/staff/password-reset/done/"
    assert elsewhere.get("/staff/")["Location"].startswith("/staff/login/")
    app_for(ivy)
    assert sign_in(Client(), "ivy", NEW).status_code == 302
    # Used once: the link no longer works.
    again = client.get(link)
    assert "This link does not work any more" in again.content.decode()
    assert AuditEvent.objects.filter(action="auth.password_reset", target_id=str(ivy.pk)).count() == 1


def test_the_link_expires_after_an_hour(client, ivy):
    _ask(client, "ivy@oversight.example")
    link = _link()
    later = datetime.now() + timedelta(minutes=61)
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        page = client.get(link, follow=True)
    assert "This link does not work any more" in page.content.decode()


def test_asking_is_limited_per_client_and_per_address(client, settings, ivy):
    settings.RATE_LIMIT_PASSWORD_RESET_ADDRESS = "1/3600"
    for _ in range(3):
        assert _ask(client, "ivy@oversight.example", REMOTE_ADDR="192.0.2.8").status_code == 302
    assert len(mail.outbox) == 1  # the same answer, but one email per address in the hour
    settings.RATE_LIMIT_PASSWORD_RESET = "3/3600"
    refused = _ask(client, "other@oversight.example", REMOTE_ADDR="192.0.2.8")
    assert refused.status_code == 429
    assert "Please wait a moment" in refused.content.decode()
    assert _ask(client, "other@oversight.example", REMOTE_ADDR="192.0.2.9").status_code == 302


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("short words", "too short"),
        ("password1234", "too common"),
        ("123456789012345", "entirely numeric"),
        ("ivy@oversight.example", "too similar"),
    ],
)
def test_weak_passwords_are_refused(client, ivy, password, refusal):
    _ask(client, "ivy@oversight.example")
    response = _set(client, _link(), password)
    assert response.status_code == 200
    assert refusal in response.content.decode()


def test_no_rule_asks_for_particular_kinds_of_character(client, ivy):
    _ask(client, "ivy@oversight.example")
    assert _set(client, _link(), "all lower case words here")["Location"] == "/staff/password-reset/done/"
