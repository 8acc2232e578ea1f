"""Sessions: an idle limit and an absolute one, a new key at sign-in, and the person's other
sessions ended at sign-out and when the password changes."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from oversight.authn.models import SignedInSession
from oversight.authn.sessions import end_sessions
from oversight.models import AuditEvent

from .signing_in import PASSWORD, app_for, backup_codes_for, sign_in

pytestmark = pytest.mark.django_db

LOGIN = "/staff/login/?next=/staff/"
NEW = "lantern orchard violet"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/staff/").status_code == 200
    return client


def test_after_31_idle_minutes_sign_in_again(clock, ivy):
    client = _signed_in(ivy)
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=29)  # activity keeps it going
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/staff/")
    assert response["Location"] == LOGIN
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity. Please sign in again." in page.content.decode()
    assert client.get("/staff/")["Location"] == LOGIN
    event = AuditEvent.objects.get(action="auth.session_expired")
    assert (event.actor, event.data) == (ivy, {"limit": "idle"})


def test_after_12_hours_in_all_sign_in_again_however_busy(clock, ivy):
    client = _signed_in(ivy)
    for _ in range(28):  # a request every 25 minutes: 11 hours 40 minutes
        clock.advance(minutes=25)
        assert client.get("/staff/").status_code == 200
    clock.advance(minutes=21)
    response = client.get("/staff/")
    assert response["Location"] == LOGIN
    page = client.get(response["Location"]).content.decode()
    assert "a session lasts at most 12 hours" in page
    assert AuditEvent.objects.get(action="auth.session_expired").data == {"limit": "absolute"}


def test_the_limits_are_settings(clock, settings, ivy):
    settings.SESSION_IDLE_MINUTES = 5
    client = _signed_in(ivy)
    clock.advance(minutes=6)
    assert client.get("/staff/")["Location"] == LOGIN
    settings.SESSION_IDLE_MINUTES, settings.SESSION_MAX_HOURS = 600, 1
    client = _signed_in(ivy)
    clock.advance(minutes=61)
    assert client.get("/staff/")["Location"] == LOGIN


def test_the_cookie_lasts_as_long_as_the_absolute_limit(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_an_expired_session_on_a_public_page_just_signs_out(clock, ivy):
    client = _signed_in(ivy)
    clock.advance(minutes=31)
    assert client.get("/").status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_session_key_changes_at_sign_in_and_again_after_the_code(client, ivy):
    backup_codes_for(ivy)
    app_for(ivy)
    before = client.session
    before["visited"] = True
    before.save()
    anonymous_key = client.cookies["sessionid"].value
    sign_in(client, "ivy")
    password_key = client.cookies["sessionid"].value
    assert password_key != anonymous_key
    assert not Session.objects.filter(session_key=anonymous_key).exists()
    client.post("/staff/second-factor/verify/", {"code": "alpha2345"})
    verified_key = client.cookies["sessionid"].value
    assert verified_key not in {anonymous_key, password_key}
    assert client.get("/staff/").status_code == 200
    assert list(SignedInSession.objects.filter(user=ivy).values_list("session_key", flat=True)) == [verified_key]


def test_a_session_ends_when_the_password_changes_elsewhere(ivy):
    client = _signed_in(ivy)
    ivy.set_password("a new passphrase for ivy")
    ivy.save()
    assert client.get("/staff/")["Location"] == LOGIN


def test_changing_your_password_ends_your_other_sessions(ivy):
    here, elsewhere = _signed_in(ivy), _signed_in(ivy)
    elsewhere_key = elsewhere.cookies["sessionid"].value
    response = here.post(
        "/staff/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response["Location"] == "/staff/password/changed/"
    assert here.get("/staff/").status_code == 200
    assert elsewhere.get("/staff/")["Location"] == LOGIN
    assert not Session.objects.filter(session_key=elsewhere_key).exists()
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=ivy).count() == 1
    assert AuditEvent.objects.get(action="auth.sessions_ended").data == {"sessions": 1}
    # The session that stayed is still known, under its new key, so a later sign-out ends it too.
    assert list(SignedInSession.objects.filter(user=ivy).values_list("session_key", flat=True)) == [
        here.cookies["sessionid"].value
    ]


def test_a_wrong_current_password_changes_nothing(ivy):
    here, elsewhere = _signed_in(ivy), _signed_in(ivy)
    response = here.post(
        "/staff/password/",
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert elsewhere.get("/staff/").status_code == 200


def test_signing_out_ends_the_other_sessions(ivy, other_investigator):
    here, elsewhere = _signed_in(ivy), _signed_in(ivy)
    someone_else = _signed_in(other_investigator)
    here.post("/staff/logout/")
    assert here.get("/staff/")["Location"] == LOGIN
    assert elsewhere.get("/staff/")["Location"] == LOGIN
    assert someone_else.get("/staff/").status_code == 200
    assert not SignedInSession.objects.filter(user=ivy).exists()
    assert {e.action for e in AuditEvent.objects.filter(actor=ivy)} >= {"auth.logout", "auth.sessions_ended"}


def test_end_sessions_keeps_only_the_session_named(ivy):
    kept, first, second = _signed_in(ivy), _signed_in(ivy), _signed_in(ivy)
    assert end_sessions(ivy, keep_session_key=kept.cookies["sessionid"].value) == 2
    assert kept.get("/staff/").status_code == 200
    assert first.get("/staff/")["Location"] == LOGIN
    assert second.get("/staff/")["Location"] == LOGIN
    assert end_sessions(ivy) == 1
    assert kept.get("/staff/")["Location"] == LOGIN
    assert end_sessions(ivy) == 0
