"""The second factor: every staff and admin page needs it, enrolment on first sign-in, backup codes."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from oversight.models import AuditEvent

from ..factories import UserFactory
from .signing_in import BACKUP_CODES, KEY, PASSWORD, app_for, backup_codes_for, code_now, sign_in

pytestmark = pytest.mark.django_db

VERIFY = "/staff/second-factor/verify/"
ENROL = "/staff/second-factor/enrol/"
# The pages a password-only session may open, written out by hand: signing in and out, the second
# factor's own steps, and the password reset by email (for someone who is not signed in at all).
OPEN = {
    "staff:login",
    "staff:logout",
    "staff:second_factor_verify",
    "staff:second_factor_enrol",
    "staff:password_reset",
    "staff:password_reset_done",
    "staff:password_reset_confirm",
    "staff:password_reset_complete",
    "admin:logout",
}
SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}


def _sample(converter) -> str:
    name = type(converter).__name__.lower().replace("converter", "")
    if name in SAMPLES:
        return SAMPLES[name]
    regex = converter.regex
    return next(candidate for candidate in ("1", "x", "CPC-2026-00001", "received") if re.fullmatch(regex, candidate))


def _urls(patterns=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(route name, a URL with sample values) for every route of the URLconf."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = entry.pattern
        route = str(pattern)
        for name, converter in getattr(pattern, "converters", {}).items():
            route = re.sub(rf"<(?:\w+:)?{name}>", _sample(converter), route)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            found += _urls(entry.url_patterns, prefix + route, inner)
        elif isinstance(entry, URLPattern):
            if "(?P<" in route or route.startswith("^"):
                route = _regex_sample(route)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or route
            found.append((name, "/" + prefix + route))
    return found


def _regex_sample(route: str) -> str:
    # The admin's few regex routes (its app index, the catch-all): a plain sample that matches.
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"\(\?P<app_label>[^)]*\)", "auth", route)
    route = re.sub(r"\((?:\?P<\w+>)?[^)]*\)", "1", route)
    return route.replace("\\", "")


STAFF_URLS = [(name, url) for name, url in _urls() if url.startswith(("/staff/", "/admin/")) and name not in OPEN]


def test_the_walk_finds_the_staff_and_admin_pages():
    names = {name for name, _url in STAFF_URLS}
    assert {"staff:home", "staff:audit_log", "staff:second_factor", "cases:dashboard", "admin:index"} <= names
    assert "admin:auth_user_changelist" in names
    assert len(STAFF_URLS) > 60


@pytest.mark.parametrize(("name", "url"), STAFF_URLS, ids=[name for name, _url in STAFF_URLS])
def test_every_staff_and_admin_page_sends_a_password_only_session_to_verify(client, supervisor, name, url):
    app_for(supervisor)
    client.force_login(supervisor, otp=False)
    response = client.get(url)
    assert response.status_code == 302, (name, url)
    assert response["Location"].startswith(VERIFY + "?next=")


@pytest.mark.parametrize(("name", "url"), STAFF_URLS[::7], ids=[name for name, _url in STAFF_URLS[::7]])
def test_without_a_second_factor_yet_the_page_sends_to_enrolment(client, supervisor, name, url):
    client.force_login(supervisor, otp=False)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (name, url)
        assert response["Location"].startswith(ENROL + "?next=")


def test_the_redirect_keeps_where_the_person_was_going(client, ivy):
    app_for(ivy)
    client.force_login(ivy, otp=False)
    response = client.get("/staff/complaints/?status=received")
    assert response["Location"] == VERIFY + "?next=/staff/complaints/%3Fstatus%3Dreceived"


def test_a_password_then_a_code_signs_in_and_goes_on_to_the_page_asked_for(client, ivy):
    app_for(ivy)
    response = client.post("/staff/login/", {"username": "ivy", "password": PASSWORD, "next": "/staff/complaints/"})
    assert response["Location"] == VERIFY + "?next=/staff/complaints/"
    assert client.get("/staff/complaints/")["Location"].startswith(VERIFY)

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Enter your code" in page.content.decode()
    verified = client.post(VERIFY, {"code": code_now(), "next": "/staff/complaints/"})
    assert verified["Location"] == "/staff/complaints/"
    assert client.get("/staff/complaints/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_verified", actor=ivy).count() == 1


def test_a_code_is_accepted_once(client, ivy):
    app_for(ivy)
    code = code_now()
    client.force_login(ivy, otp=False)
    assert client.post(VERIFY, {"code": code})["Location"] == "/staff/"
    other = type(client)()
    other.force_login(ivy, otp=False)
    refused = other.post(VERIFY, {"code": code})
    assert refused.status_code == 200
    assert "That code did not work" in refused.content.decode()


def test_a_wrong_code_is_refused_and_audited(client, ivy):
    app_for(ivy)
    client.force_login(ivy, otp=False)
    wrong = f"{(int(code_now()) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert client.get("/staff/")["Location"].startswith(VERIFY)
    event = AuditEvent.objects.get(action="auth.otp_failed")
    assert (event.actor, event.outcome, event.data) == (ivy, "failed", {"step": "verify"})


def test_a_backup_code_works_once(client, ivy):
    app_for(ivy)
    backup_codes_for(ivy)
    client.force_login(ivy, otp=False)
    assert client.post(VERIFY, {"code": "ALPHA 2345"})["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    event = AuditEvent.objects.get(action="auth.backup_code_used")
    assert (event.actor, event.data) == (ivy, {"left": 2})

    again = type(client)()
    again.force_login(ivy, otp=False)
    refused = again.post(VERIFY, {"code": "alpha2345"})
    assert refused.status_code == 200
    assert again.get("/staff/")["Location"].startswith(VERIFY)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == ["bravo2345", "charlie23"]


def test_first_sign_in_enrols_an_app_from_a_qr_code_drawn_on_the_server(client, ivy):
    response = sign_in(client, "ivy")
    assert response["Location"] == ENROL + "?next=/staff/"
    page = client.get(response["Location"])
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=ivy, confirmed=False)
    svg = re.search(r"<svg .*?</svg>", body, re.S).group(0)
    assert 'role="img"' in svg and "<title>" in svg and "<path" in svg
    assert "style=" not in svg and "<script" not in body and "<img" not in svg
    from base64 import b32encode

    secret = b32encode(bytes.fromhex(device.key)).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in body
    # Reloading shows the same key.
    assert TOTPDevice.objects.get(user=ivy, confirmed=False).key in {device.key}
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=ivy).count() == 1

    done = client.post(ENROL, {"code": code_now(device.key), "next": "/staff/"})
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/staff/").status_code == 200
    assert TOTPDevice.objects.get(user=ivy).confirmed
    assert {e.action for e in AuditEvent.objects.filter(actor=ivy)} >= {
        "auth.login",
        "auth.otp_enrolled",
        "auth.backup_codes_issued",
    }
    # The enrolment page is closed once an app is enrolled: a lost phone is reset by a supervisor.
    assert client.get(ENROL)["Location"] == "/staff/second-factor/"
    # The codes work, once each.
    other = type(client)()
    other.force_login(ivy, otp=False)
    assert other.post(VERIFY, {"code": codes[0]})["Location"] == "/staff/"


def test_a_wrong_enrolment_code_leaves_the_app_unconfirmed(client, ivy):
    client.force_login(ivy, otp=False)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=ivy, confirmed=True).exists()
    assert client.get("/staff/")["Location"].startswith(ENROL)


def test_someone_with_an_app_cannot_enrol_another_from_a_password_only_session(client, ivy):
    app_for(ivy)
    client.force_login(ivy, otp=False)
    response = client.get(ENROL)
    assert response["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=ivy).count() == 1


def test_new_backup_codes_replace_the_old_ones(client, ivy):
    app_for(ivy)
    backup_codes_for(ivy)
    client.force_login(ivy)
    page = client.get("/staff/second-factor/")
    assert page.status_code == 200
    assert "Backup codes left" in page.content.decode()
    issued = client.post("/staff/second-factor/")
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", issued.content.decode())
    assert len(codes) == 10
    assert not StaticToken.objects.filter(token__in=BACKUP_CODES).exists()
    assert AuditEvent.objects.filter(action="auth.backup_codes_issued", actor=ivy).count() == 1
    # Shown once: the page itself never lists them.
    assert codes[0] not in client.get("/staff/second-factor/").content.decode()


def test_the_admin_needs_a_verified_session_too(client, sysadmin):
    app_for(sysadmin)
    client.force_login(sysadmin, otp=False)
    assert client.get("/admin/")["Location"] == VERIFY + "?next=/admin/"
    assert client.post(VERIFY, {"code": code_now(), "next": "/admin/"})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_is_the_staff_sign_in(client, sysadmin):
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 200
    assert "Staff sign in" in page.content.decode()
    app_for(sysadmin)
    response = client.post("/admin/login/?next=/admin/", {"username": sysadmin.username, "password": PASSWORD})
    assert response["Location"] == VERIFY + "?next=/admin/"


def test_a_verified_person_without_admin_access_is_refused_not_looped(client, ivy):
    client.force_login(ivy)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_second_factor_devices_are_not_in_the_admin(client, sysadmin):
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    client.force_login(sysadmin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


# --- The demo ------------------------------------------------------------------------------------


def test_demo_code_prints_a_code_the_demo_login_signs_in_with(client, settings, capsys):
    from oversight.authn.demo import DEMO_TOTP_KEY

    user = UserFactory(username="demo_sup", roles=["supervisor"])
    TOTPDevice.objects.create(user=user, name="Authenticator app", key=DEMO_TOTP_KEY, confirmed=True)
    call_command("demo_code", "demo_sup")
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    client.force_login(user, otp=False)
    TOTPDevice.objects.filter(user=user, name="Test device").delete()
    assert client.post(VERIFY, {"code": code})["Location"] == "/staff/"
    # Right after, it gives the next code, which is accepted too.
    call_command("demo_code", "demo_sup")
    second = capsys.readouterr().out.strip()
    assert second != code
    other = type(client)()
    other.force_login(user, otp=False)
    assert other.post(VERIFY, {"code": second})["Location"] == "/staff/"


def test_demo_code_refuses_other_devices_and_production(settings, ivy):
    app_for(ivy, KEY)
    with pytest.raises(CommandError, match="not a demo login"):
        call_command("demo_code", "ivy")
    settings.HTTPS, settings.DEBUG = True, False
    with pytest.raises(CommandError, match="production"):
        call_command("demo_code", "ivy")
