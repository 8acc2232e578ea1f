"""The complaint form and bad input: the probe's findings, one test each.

A NUL in any answer (PostgreSQL refuses it in the draft's jsonb), a row count that is not a number,
a "remove" button that names no row, a button the page never had, a huge answer: each gets an
error the visitor can read, the draft keeps what it held before, and nothing stored holds a NUL.
Run on SQLite and on PostgreSQL.
"""

import json
from html import unescape

import pytest
from django.urls import reverse

from public_portal.models import IntakeDraft

from .intake_flow import PUBLIC, STAFF, about, incident, officers, start, witnesses

pytestmark = pytest.mark.django_db

CONTROL_MESSAGE = "This answer contains invisible control characters, which we can't accept."
ROWS_MESSAGE = "The rows on this page could not be read, so nothing on it was saved."
BUTTON_MESSAGE = "That button could not be read, so nothing on this page was saved."
BAD_REQUEST_TEXT = "We couldn't process that request"


def _draft(client, mode: str = "public") -> IntakeDraft:
    return IntakeDraft.objects.get(token=client.session[f"intake_draft:{mode}"])


def _stored(draft: IntakeDraft) -> str:
    draft.refresh_from_db()
    return json.dumps(draft.data)


STEP_DATA = {
    "incident": incident(),
    "officers": officers(),
    "kinds": {"kinds": ["force"]},
    "witnesses": witnesses({"first_name": "Ana", "description": "At the bus stop"}),
    "about": {**about(), "address": "12 Elm St", "confidential": "on"},
    "consent": {"agree": "on"},
}
# Every field of every step, each posted with a NUL in it.
# (The honeypot is left out: anything in it is spam, answered with the plain 400 page.)
CASES = [
    (step, name)
    for step, data in STEP_DATA.items()
    for name in data
    if not name.endswith("_FORMS") and name != "website"
]


@pytest.mark.parametrize(("step", "name"), CASES, ids=[f"{s}-{n}" for s, n in CASES])
def test_a_nul_in_any_answer_is_an_error_on_that_answer_and_nothing_is_stored(client, step, name):
    start(client)
    draft = _draft(client)
    before = _stored(draft)
    data = dict(STEP_DATA[step])
    value = data[name]
    data[name] = [f"{v}\x00" for v in value] if isinstance(value, list) else f"{value}\x00x"
    response = client.post(f"{PUBLIC}/{step}/", {**data, "action": "next"})
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert CONTROL_MESSAGE in body
    assert 'id="error-summary"' in body
    after = _stored(draft)
    assert after == before
    assert "\\u0000" not in after
    # The page still works: the step can be sent again, corrected, and is then kept.
    fixed = client.post(f"{PUBLIC}/{step}/", {**STEP_DATA[step], "action": "next"})
    assert fixed.status_code == 302
    assert step in json.loads(_stored(draft))


def test_a_nul_in_a_staff_entry_answer_is_an_error_too(client, intake_coordinator):
    client.force_login(intake_coordinator)
    start(client, STAFF)
    data = {**incident(), "channel": "phone\x00", "received_date": "", "action": "next"}
    response = client.post(f"{STAFF}/incident/", data)
    assert response.status_code == 400
    assert CONTROL_MESSAGE in unescape(response.content.decode())
    assert _draft(client, "staff").data == {}


def test_a_nul_in_the_review_token_is_refused_and_nothing_is_filed(client):
    from complaints.models import Complaint

    start(client)
    response = client.post(f"{PUBLIC}/review/", {"form_token": "\x00", "website": "", "action": "submit"})
    assert response.status_code == 400
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    "total",
    ["abc", "", "-1", "1.5", "99999999999999999999", "١", " 1", None],
    ids=["letters", "empty", "negative", "decimal", "huge", "arabic-digit", "space", "missing"],
)
@pytest.mark.parametrize("action", ["next", "add", "remove-0", "back"])
def test_an_unreadable_row_count_is_a_clear_error_and_the_rows_kept_stay(client, total, action):
    start(client)
    assert client.post(f"{PUBLIC}/officers/", {**officers(), "action": "next"}).status_code == 302
    draft = _draft(client)
    before = _stored(draft)
    data = officers({"known": "described", "appearance": "Tall, grey beard"}, {"known": "unknown"})
    if total is None:
        del data["officers-TOTAL_FORMS"]
    else:
        data["officers-TOTAL_FORMS"] = total
    response = client.post(f"{PUBLIC}/officers/", {**data, "action": action})
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert ROWS_MESSAGE in body
    assert "ManagementForm" not in body
    assert _stored(draft) == before
    # The step shows the officer kept before, ready to be changed or sent again.
    page = client.get(f"{PUBLIC}/officers/").content.decode()
    assert 'value="Officer Reyes"' in page


def test_an_unreadable_initial_count_is_refused_like_the_total(client):
    start(client)
    data = {**witnesses(), "witnesses-INITIAL_FORMS": "abc", "action": "next"}
    response = client.post(f"{PUBLIC}/witnesses/", data)
    assert response.status_code == 400
    assert ROWS_MESSAGE in unescape(response.content.decode())
    assert "witnesses" not in _draft(client).data


def test_a_row_count_over_the_limit_is_refused_and_the_limit_itself_is_fine(client):
    start(client)
    over = client.post(f"{PUBLIC}/officers/", {**officers(), "officers-TOTAL_FORMS": "11", "action": "next"})
    assert over.status_code == 400
    assert ROWS_MESSAGE in unescape(over.content.decode())
    # Ten rows (the most the page offers), nine left blank: blank extra rows are simply not used.
    limit = client.post(f"{PUBLIC}/officers/", {**officers(), "officers-TOTAL_FORMS": "10", "action": "next"})
    assert limit.status_code == 302


@pytest.mark.parametrize(
    "action", ["remove-abc", "remove-", "remove--1", "remove-99999999999999999999", "remove-10", "remove-1\x00"]
)
@pytest.mark.parametrize("step", ["officers", "witnesses"])
def test_a_remove_button_that_names_no_row_is_a_clear_error(client, step, action):
    start(client)
    data = officers() if step == "officers" else witnesses()
    response = client.post(f"{PUBLIC}/{step}/", {**data, "action": action})
    assert response.status_code == 400
    assert BUTTON_MESSAGE in unescape(response.content.decode())
    assert step not in _draft(client).data


def test_removing_a_row_that_is_not_there_changes_nothing(client):
    start(client)
    data = officers({"known": "unknown"}, {"known": "identified", "badge": "4471"})
    response = client.post(f"{PUBLIC}/officers/", {**data, "action": "remove-5"})
    assert response.status_code == 302
    assert _draft(client).data["officers"]["officers-TOTAL_FORMS"] == ["2"]


@pytest.mark.parametrize(
    "action", ["remove-file-abc", "remove-file-", "remove-file-99999999999999999999999", "explode"]
)
def test_an_evidence_button_that_names_no_file_is_a_clear_error(client, action):
    start(client)
    response = client.post(f"{PUBLIC}/evidence/", {"action": action})
    assert response.status_code == 400
    assert BUTTON_MESSAGE in unescape(response.content.decode())


@pytest.mark.parametrize("step", ["incident", "kinds", "about", "consent"])
def test_a_button_the_page_never_had_is_a_clear_error(client, step):
    start(client)
    response = client.post(f"{PUBLIC}/{step}/", {**STEP_DATA[step], "action": "explode"})
    assert response.status_code == 400
    assert BUTTON_MESSAGE in unescape(response.content.decode())
    assert step not in _draft(client).data


def test_an_unknown_button_on_the_review_page_sends_nothing(client):
    from complaints.models import Complaint

    start(client)
    response = client.post(f"{PUBLIC}/review/", {"form_token": _draft(client).token, "action": "explode"})
    assert response.status_code == 400
    assert BUTTON_MESSAGE in unescape(response.content.decode())
    assert Complaint.objects.count() == 0


def test_an_unknown_button_on_the_start_page_gets_the_400_page(client):
    response = client.post(f"{PUBLIC}/", {"action": "explode"})
    assert response.status_code == 400
    assert BAD_REQUEST_TEXT in unescape(response.content.decode())
    assert IntakeDraft.objects.count() == 0


def test_a_huge_narrative_is_an_error_not_cut_short(client):
    start(client)
    narrative = "Shouted. " * 2333 + "Shouted."  # 21,005 characters: over the 20,000 the form takes
    response = client.post(f"{PUBLIC}/incident/", {**incident(narrative=narrative), "action": "next"})
    assert response.status_code == 400
    assert "Ensure this value has at most 20000 characters (it has 21005)." in unescape(response.content.decode())
    # Kept as typed (the draft holds what was typed), and not filed: the review asks for a fix.
    assert _draft(client).data["incident"]["narrative"] == [narrative]
    review = client.get(f"{PUBLIC}/review/").content.decode()
    assert reverse("public_portal:intake_step", args=["incident"]) in review


def test_a_date_out_of_range_is_an_error(client):
    start(client)
    response = client.post(f"{PUBLIC}/incident/", {**incident(date="0001-01-01"), "action": "next"})
    assert response.status_code == 400
    assert "Enter a date between 1900-01-01 and 2100-12-31." in unescape(response.content.decode())


def test_inputs_the_step_does_not_have_are_not_kept(client):
    start(client)
    data = {**incident(), "somebody-elses": "x" * 5000, "officers-0-name": "Smuggled", "action": "next"}
    assert client.post(f"{PUBLIC}/incident/", data).status_code == 302
    assert set(_draft(client).data["incident"]) == set(incident())


def test_invalid_utf8_in_a_step_gets_the_400_page_and_nothing_is_stored(client):
    start(client)
    body = b"location=Market+St%FF&narrative=" + b"x" * 30 + b"&action=next"
    response = client.post(f"{PUBLIC}/incident/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert BAD_REQUEST_TEXT in unescape(response.content.decode())
    assert _draft(client).data == {}


def test_the_control_character_message_is_shown_for_a_pasted_escape_sequence(client):
    start(client)
    data = {**about(), "first_name": "Rosa\x1b[0m", "action": "next"}
    response = client.post(f"{PUBLIC}/about/", data)
    assert response.status_code == 400
    assert CONTROL_MESSAGE in unescape(response.content.decode())


def test_tabs_and_line_breaks_are_ordinary_text(client):
    start(client)
    narrative = "First line.\r\nSecond line,\twith a tab, and enough words to pass."
    response = client.post(f"{PUBLIC}/incident/", {**incident(narrative=narrative), "action": "next"})
    assert response.status_code == 302


def test_status_lookup_with_a_nul_is_an_error_on_the_field(client):
    response = client.post(reverse("public_portal:status_lookup"), {"tracking_number": "CPC\x00", "code": "x"})
    assert response.status_code == 400
    assert CONTROL_MESSAGE in unescape(response.content.decode())
