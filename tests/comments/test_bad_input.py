"""The comment form takes the same fuzz as the intake form and never answers with a server error:
arbitrary text, NUL bytes, control characters, invalid UTF-8 in raw bodies, file names and
cookies, huge values and unknown buttons, with the property-based machinery of
tests/oversight/test_bad_input.py. The staff's forms take it too, as the roles that use them."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given

from tests.oversight.test_bad_input import FUZZ, Exceptions, check, payloads, send, sendings

from .conftest import token_in, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def exceptions():
    from django.core.signals import got_request_exception

    recorder = Exceptions()
    got_request_exception.connect(recorder, weak=False)
    yield recorder
    got_request_exception.disconnect(recorder)


@pytest.fixture(autouse=True)
def _room_for_every_example(settings):
    settings.RATE_LIMIT_PUBLIC_COMMENT = "100000/60"


class _Form:
    def __init__(self, method: str = "POST") -> None:
        self.method = method


def _fuzz(target: str, passing: dict, exceptions: Exceptions, *, user=None, method: str = "POST") -> None:
    @FUZZ
    @given(data=payloads(passing), sent=sendings)
    def run(data, sent):
        with transaction.atomic():
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            if sent.cookie:
                client.cookies[sent.cookie_name] = sent.cookie
            response = send(client, _Form(method), target, data, sent)
            check(response, exceptions, (target, data, sent))
            transaction.set_rollback(True)

    run()


def test_no_input_to_the_comment_form_gives_a_server_error(client, proposed, exceptions):
    token = token_in(client.get(url(proposed, "comment")))
    passing = {"text": "I support this.", "name": "Rosa", "email": "rosa@example.org", "form_token": token}
    _fuzz(url(proposed, "comment"), passing, exceptions)


def test_no_input_to_the_moderation_form_gives_a_server_error(proposed, comment, publisher, exceptions):
    held = comment(proposed, "Held.")
    target = reverse("staff:comments:moderate", args=[held.pk])
    _fuzz(target, {"decision": "rejected", "reason": "Off topic."}, exceptions, user=publisher)


def test_no_input_to_the_period_form_gives_a_server_error(board_chair, exceptions):
    from public_portal.transparency.recommendations import recommendation_propose

    proposal = recommendation_propose(actor=board_chair, title="Cards", text="Cards.", proposed_on=timezone.localdate())
    target = reverse("staff:comments:recommendation", args=[proposal.number])
    closes = (timezone.localdate() + timedelta(days=9)).isoformat()
    _fuzz(target, {"action": "open", "closes_on": closes}, exceptions, user=board_chair)


def test_the_staff_lists_take_garbage_in_their_query_strings(proposed, supervisor, exceptions):
    for target in (
        reverse("staff:comments:home"),
        reverse("staff:comments:queue"),
        reverse("staff:comments:recommendation", args=[proposed.number]),
    ):
        _fuzz(target, {"page": "2", "state": "pending"}, exceptions, user=supervisor, method="GET")


@pytest.mark.parametrize("number", ["PR-2026-\x0101", "x" * 300, "%00"])
def test_odd_recommendation_numbers_are_404_not_500(client, number, exceptions):
    for path in (f"/recommendations/{number}/comment/", f"/recommendations/{number}/comment/sent/"):
        response = client.get(path)
        check(response, exceptions, path, explained=False)
