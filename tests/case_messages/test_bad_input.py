"""Bad input to the forms of messages never gives a server error, and the answer form is rate limited
like the intake form.

The fuzz posts the project-wide garbage (tests/oversight/test_bad_input.py: NUL bytes, control
characters, invalid UTF-8 in bodies and file names, huge values, unknown fields, broken cookies) to
the answer form on an open status page, to the same form after the page closed (tracking number
and code typed again), to the staff Messages tab, and to closing the page. No response may be a
500, no exception may escape a view, a 400 is always a page of the site, and nothing unstorable
is ever stored.
"""

from html import unescape

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given

from oversight.models import AuditEvent
from public_portal.messages.forms import new_token
from public_portal.messages.models import Message
from tests.oversight.test_bad_input import (
    FUZZ,
    HUGE,
    Exceptions,
    Form,
    check,
    payloads,
    send,
    sendings,
)

from .conftest import ANON_CODE, MESSAGES, REPLY, ask, open_status, token_in

pytestmark = pytest.mark.django_db

CONTROL_MESSAGE = "This answer contains invisible control characters, which we can't accept."


@pytest.fixture
def exceptions():
    from django.core.signals import got_request_exception

    recorder = Exceptions()
    got_request_exception.connect(recorder, weak=False)
    yield recorder
    got_request_exception.disconnect(recorder)


@pytest.fixture
def roomy(settings):
    # Room for every example; the limits have their own test below.
    settings.RATE_LIMIT_MESSAGE_REPLY = settings.RATE_LIMIT_STATUS_LOOKUP = "100000/60"
    return settings


@pytest.fixture
def asked(roomy, anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, "Which bus stop was it?")
    return anonymous_complaint


def _stored_text_is_storable() -> None:
    for body in Message.objects.values_list("body", flat=True):
        assert "\x00" not in body and len(body) <= 10_000


# (name, who, how the client is prepared, the values that would pass)
CASES = [
    ("reply on an open page", "visitor", "open", lambda c: {"body": "Elm and 9th.", "form_token": new_token()}),
    (
        "reply after the page closed",
        "visitor",
        "closed",
        lambda c: {"tracking_number": c.tracking_number, "code": ANON_CODE, "body": "Elm.", "form_token": new_token()},
    ),
    ("close the page", "visitor", "open", lambda c: {}),
    ("staff message", "investigator", "staff", lambda c: {"body": "When can we call?", "form_token": new_token()}),
]
URLS = {
    "reply on an open page": lambda c: REPLY,
    "reply after the page closed": lambda c: REPLY,
    "close the page": lambda c: "/status/close/",
    "staff message": lambda c: f"/staff/messages/cases/{c.tracking_number}/",
}


@pytest.mark.parametrize(("name", "who", "prepared", "fields"), CASES, ids=[case[0] for case in CASES])
def test_no_input_gives_a_server_error(asked, anonymous_investigator, exceptions, name, who, prepared, fields):
    url = URLS[name](asked)
    passing = fields(asked)
    form = Form(name, who, lambda w: [], lambda w: passing)

    @FUZZ
    @given(data=payloads(passing), sent=sendings)
    def run(data, sent):
        with transaction.atomic():
            client = Client(raise_request_exception=False)
            if prepared == "open":
                assert open_status(client, asked, ANON_CODE).status_code == 200
            elif prepared == "staff":
                client.force_login(anonymous_investigator)
            if sent.cookie:
                client.cookies[sent.cookie_name] = sent.cookie
            response = send(client, form, url, data, sent)
            check(response, exceptions, (url, data, sent), explained=name != "close the page")
            _stored_text_is_storable()
            transaction.set_rollback(True)

    run()


def test_the_pages_take_garbage_in_the_query_string(asked, exceptions):
    client = Client(raise_request_exception=False)
    open_status(client, asked, ANON_CODE)
    for url in (MESSAGES, REPLY, "/status/close/"):
        check(client.get(url, {"page": "\x00", "q": HUGE}), exceptions, url, explained=False)


def test_a_control_character_in_the_answer_is_an_error_on_the_answer(asked):
    visitor = Client()
    page = open_status(visitor, asked, ANON_CODE)
    response = visitor.post(REPLY, {"body": "Elm\x1band 9th", "form_token": token_in(page)})
    assert response.status_code == 400
    assert CONTROL_MESSAGE in unescape(response.content.decode())
    assert not Message.objects.filter(direction="from_complainant").exists()


def test_an_answer_over_the_limit_is_an_error_not_cut(asked):
    visitor = Client()
    page = open_status(visitor, asked, ANON_CODE)
    response = visitor.post(REPLY, {"body": "a" * 10_001, "form_token": token_in(page)})
    assert response.status_code == 400
    assert "Ensure this value has at most 10000 characters" in response.content.decode()
    assert not Message.objects.filter(direction="from_complainant").exists()


def test_an_empty_answer_says_what_is_missing(asked):
    visitor = Client()
    page = open_status(visitor, asked, ANON_CODE)
    response = visitor.post(REPLY, {"body": "   ", "form_token": token_in(page)})
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()


def test_a_made_up_token_is_refused_as_out_of_date(asked):
    visitor = Client()
    open_status(visitor, asked, ANON_CODE)
    response = visitor.post(REPLY, {"body": "Elm and 9th.", "form_token": "not a token!"})
    assert response.status_code == 400
    assert "This form is out of date." in response.content.decode()
    assert not Message.objects.filter(direction="from_complainant").exists()


def test_markup_in_messages_is_shown_as_text_on_both_sides(client, asked, anonymous_investigator):
    ask(asked, anonymous_investigator, "<b>bold</b> <script>alert('staff')</script>")
    visitor = Client()
    page = open_status(visitor, asked, ANON_CODE)
    text = page.content.decode()
    assert "<script>alert(" not in text and "&lt;script&gt;alert(" in text
    visitor.post(REPLY, {"body": "<img src=x onerror=alert(1)>", "form_token": token_in(page)})
    client.force_login(anonymous_investigator)
    tab = client.get(f"/staff/messages/cases/{asked.tracking_number}/").content.decode()
    assert "<img src=x" not in tab and "&lt;img src=x onerror=alert(1)&gt;" in tab


def test_answers_are_limited_per_client_with_429(settings, anonymous_complaint, anonymous_investigator):
    settings.RATE_LIMIT_MESSAGE_REPLY = "2/60"
    ask(anonymous_complaint, anonymous_investigator, "Which bus stop was it?")
    visitor = Client()
    page = open_status(visitor, anonymous_complaint, ANON_CODE)
    for n in range(2):
        assert visitor.post(REPLY, {"body": f"Answer {n}", "form_token": new_token()}).status_code == 302
    refused = visitor.post(REPLY, {"body": "Answer 3", "form_token": token_in(page)})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "Please wait a moment" in refused.content.decode()
    assert Message.objects.filter(direction="from_complainant").count() == 2
    assert AuditEvent.objects.filter(action="ratelimit.refused", data__scope="message_reply").count() == 1


def test_typing_the_code_again_counts_as_a_status_lookup(settings, anonymous_complaint, anonymous_investigator):
    settings.RATE_LIMIT_STATUS_LOOKUP = "2/60"
    ask(anonymous_complaint, anonymous_investigator, "Which bus stop was it?")
    visitor = Client()
    guess = {"tracking_number": anonymous_complaint.tracking_number, "body": "Elm.", "form_token": new_token()}
    assert visitor.post(REPLY, {**guess, "code": "AAAA-AAAA-AAAA"}).status_code == 400
    assert visitor.post(REPLY, {**guess, "code": "BBBB-BBBB-BBBB"}).status_code == 400
    assert visitor.post(REPLY, {**guess, "code": ANON_CODE}).status_code == 429
    assert not Message.objects.filter(direction="from_complainant").exists()
