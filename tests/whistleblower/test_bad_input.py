"""The police employee's form takes the same fuzz as the resident's and never answers with a server
error: every step (the "Your work and your safety" step too) is posted arbitrary text, NUL bytes,
control characters, invalid UTF-8 in raw bodies, file names and cookies, huge values, numbers that
are not numbers and unknown buttons, with the property-based machinery of
tests/oversight/test_bad_input.py. A NUL in any answer of the work step is an error on that answer,
and the draft keeps what it held before."""

import json
from html import unescape

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given

from public_portal.models import IntakeDraft
from tests.oversight.test_bad_input import FUZZ, STEP_FIELDS, Exceptions, check, payloads, send, sendings

from .flow import EMPLOYEE, about, employment, start

pytestmark = pytest.mark.django_db

CONTROL_MESSAGE = "This answer contains invisible control characters, which we can't accept."
EMPLOYEE_STEP_FIELDS = {
    **STEP_FIELDS,
    "about": {**about(), "action": "next"},
    "employment": {**employment(), "action": "next"},
}


@pytest.fixture
def exceptions():
    from django.core.signals import got_request_exception

    recorder = Exceptions()
    got_request_exception.connect(recorder, weak=False)
    yield recorder
    got_request_exception.disconnect(recorder)


@pytest.fixture(autouse=True)
def _room_for_every_example(settings):
    settings.RATE_LIMIT_STATUS_LOOKUP = settings.RATE_LIMIT_INTAKE_SUBMIT = "100000/60"


def _fuzz(url: str, passing: dict, exceptions: Exceptions, *, draft: bool = True) -> None:
    @FUZZ
    @given(data=payloads(passing), sent=sendings)
    def run(data, sent):
        with transaction.atomic():
            client = Client(raise_request_exception=False)
            if draft:
                assert client.post(f"{EMPLOYEE}/", {"action": "start"}).status_code == 302
            if sent.cookie:
                client.cookies[sent.cookie_name] = sent.cookie
            response = send(client, _Form(), url, data, sent)
            check(response, exceptions, (url, data, sent))
            transaction.set_rollback(True)

    run()


class _Form:
    method = "POST"


# The steps the employee's mode changes (the person, the work step). The others are the resident's
# own forms and views, fuzzed in tests/oversight/test_bad_input.py; here each takes one garbage
# request in test_every_step_takes_garbage_in_the_employees_mode.
CHANGED_STEPS = ["about", "employment"]


@pytest.mark.parametrize("step", CHANGED_STEPS)
def test_no_input_to_a_step_gives_a_server_error(step, exceptions):
    _fuzz(reverse("public_portal:employee_intake_step", args=[step]), dict(EMPLOYEE_STEP_FIELDS[step]), exceptions)


@pytest.mark.parametrize("step", sorted(set(EMPLOYEE_STEP_FIELDS) - set(CHANGED_STEPS)))
def test_every_step_takes_garbage_in_the_employees_mode(step, exceptions):
    client = Client(raise_request_exception=False)
    assert client.post(f"{EMPLOYEE}/", {"action": "start"}).status_code == 302
    url = reverse("public_portal:employee_intake_step", args=[step])
    garbage = dict.fromkeys(EMPLOYEE_STEP_FIELDS[step], "\x00\x1b" + "x" * 70000)
    for data in (garbage, {**garbage, "action": "remove-\x00"}, {"action": "next"}):
        check(client.post(url, data), exceptions, (url, data))


def test_no_input_to_the_start_page_gives_a_server_error(exceptions):
    _fuzz(reverse("public_portal:employee_intake_start"), {"action": "start"}, exceptions, draft=False)


@pytest.mark.parametrize("name", ["done", "receipt", "receipt_html"])
def test_the_pages_without_a_form_take_garbage(name, exceptions):
    client = Client(raise_request_exception=False)
    url = reverse(f"public_portal:employee_intake_{name}", args=[] if name == "done" else ["CPC-2026-\x0100001"])
    for data in ({}, {"lang": "\x00", "action": "remove-abc"}):
        check(client.get(url, data), exceptions, (url, data), explained=False)
        check(client.post(url, data), exceptions, (url, data), explained=False)


@pytest.mark.parametrize("name", sorted(employment()))
def test_a_nul_in_a_work_answer_is_an_error_on_it_and_nothing_is_stored(client, name):
    start(client)
    draft = IntakeDraft.objects.get(token=client.session["intake_draft:employee"])
    data = {**employment(), name: f"{employment()[name]}\x00x", "action": "next"}
    response = client.post(f"{EMPLOYEE}/employment/", data)
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert CONTROL_MESSAGE in body and 'id="error-summary"' in body
    draft.refresh_from_db()
    assert "employment" not in draft.data and "\\u0000" not in json.dumps(draft.data)
    fixed = client.post(f"{EMPLOYEE}/employment/", {**employment(), "action": "next"})
    assert fixed.status_code == 302
    draft.refresh_from_db()
    assert draft.data["employment"]["relationship"] == ["civilian"]


def test_a_huge_retaliation_detail_is_an_error_not_cut_short(client):
    start(client)
    response = client.post(f"{EMPLOYEE}/employment/", {**employment(retaliation_detail="x" * 5001), "action": "next"})
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in unescape(response.content.decode())


def test_a_relationship_the_form_never_offered_is_an_error(client):
    start(client)
    response = client.post(f"{EMPLOYEE}/employment/", {**employment(relationship="chief"), "action": "next"})
    assert response.status_code == 400
    assert "Select a valid choice." in unescape(response.content.decode())
