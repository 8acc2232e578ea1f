"""Nonsense in addresses, page numbers and staff forms gets a 404 or a form error, never a 500."""

import pytest

from .conftest import make_meeting

pytestmark = pytest.mark.django_db

BAD_IDS = ["abc", "0", "-1", "99999999999999999999999999", "1e3", "%C2%B2", "12abc", "%00"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_meeting_ids_are_404(client, supervisor, bad):
    for url in (f"/meetings/{bad}/", f"/meetings/{bad}.ics", f"/meetings/{bad}/agenda.pdf"):
        assert client.get(url).status_code in (400, 404), url
    client.force_login(supervisor)
    for url in (f"/staff/meetings/{bad}/", f"/staff/meetings/{bad}/edit/", f"/staff/meetings/{bad}/held/"):
        assert client.get(url).status_code in (400, 404), url


@pytest.mark.parametrize("page", ["abc", "0", "-3", "99999", "1" * 40, "%00"])
def test_bad_page_numbers_fall_back(client, db, page):
    assert client.get(f"/meetings/?page={page}").status_code in (200, 400)


def test_unknown_step_is_404(client, supervisor):
    meeting = make_meeting(supervisor)
    client.force_login(supervisor)
    assert client.get(f"/staff/meetings/{meeting.pk}/step/record_held/").status_code == 404
    assert client.post(f"/staff/meetings/{meeting.pk}/step/explode/").status_code == 404


BAD_FORMS = [
    ({}, ["This field is required."]),
    ({"title": "x", "day": "2026-13-45", "starts": "25:00", "ends": "noon"}, ["Enter a valid date."]),
    (
        {"title": "x", "day": "2026-03-01", "starts": "18:00", "ends": "17:00"},
        ["The meeting must end after it starts."],
    ),
    (
        {"title": "x", "day": "2026-03-01", "starts": "18:00", "ends": "19:00", "remote_url": "javascript:alert(1)"},
        ["Enter a valid URL."],
    ),
    (
        {
            "title": "x",
            "day": "2026-03-01",
            "starts": "18:00",
            "ends": "19:00",
            "agenda": "One\nTwo",
            "agenda_es": "Uno",
        },
        ["the same number of items"],
    ),
    ({"title": "bad\x00title", "day": "2026-03-01", "starts": "18:00", "ends": "19:00"}, []),
    ({"title": "x" * 5000, "day": "99999-01-01", "starts": "18:00", "ends": "19:00"}, []),
]


@pytest.mark.parametrize(("data", "messages"), BAD_FORMS)
def test_bad_meeting_forms_get_errors(client, supervisor, data, messages):
    client.force_login(supervisor)
    response = client.post("/staff/meetings/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    for message in messages:
        assert message in html


def test_bad_held_and_minutes_posts(client, supervisor):
    meeting = make_meeting(supervisor)
    client.force_login(supervisor)
    # Held while still a draft: sent back with a message.
    assert client.post(f"/staff/meetings/{meeting.pk}/held/", {"decisions": ["x"]}).status_code == 302
    from .conftest import step

    step(meeting, supervisor, "publish_agenda")
    response = client.post(f"/staff/meetings/{meeting.pk}/held/", {"decisions": ["abc", "99999999999999999999"]})
    assert response.status_code == 400
    response = client.post(f"/staff/meetings/{meeting.pk}/minutes/", {"minutes": ""})
    assert response.status_code == 400
    assert client.get(f"/staff/meetings/{meeting.pk}/minutes/").status_code == 405
