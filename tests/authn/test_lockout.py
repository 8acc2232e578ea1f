"""Lockout: failures lock the account (and, at a higher count, the client) for a while, on every
way in; successes never count; an unknown account name is treated exactly like a known one."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from oversight.models import AuditEvent

from ..factories import UserFactory
from . import hashers
from .signing_in import PASSWORD, app_for, backup_codes_for, code_now, sign_in

pytestmark = pytest.mark.django_db

VERIFY = "/staff/second-factor/verify/"
LOCKED = "Sign-in locked for now"


def _fail(client, username, times, path="/staff/login/", **extra):
    return [client.post(path, {"username": username, "password": "not the password"}, **extra) for _ in range(times)]


@pytest.mark.parametrize("path", ["/staff/login/", "/admin/login/"])
def test_five_bad_passwords_lock_the_account_for_ten_minutes(client, clock, ivy, path):
    app_for(ivy)
    responses = _fail(client, "ivy", 5, path)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert "Please enter a correct username and password" in responses[0].content.decode()
    assert LOCKED in responses[4].content.decode()

    # The right password is refused now, and still a moment before the ten minutes end.
    refused = sign_in(client, "ivy")
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    clock.advance(minutes=9, seconds=58)
    assert client.post(path, {"username": "ivy", "password": PASSWORD}).status_code == 429
    assert "_auth_user_id" not in client.session

    clock.advance(seconds=3)
    response = client.post(path, {"username": "ivy", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_the_locked_page_says_when_to_try_again(client, clock, ivy):
    response = _fail(client, "ivy", 5)[-1]
    body = response.content.decode()
    assert "Please try again in 10 minutes" in body
    assert int(response["Retry-After"]) in range(590, 601)
    clock.advance(minutes=4)
    later = sign_in(client, "ivy")
    assert "Please try again in 6 minutes" in later.content.decode()
    assert int(later["Retry-After"]) in range(350, 361)


def test_the_settings_set_the_limit_and_the_time(client, clock, settings, ivy):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_MINUTES = 2
    assert [r.status_code for r in _fail(client, "ivy", 3)] == [200, 200, 429]
    clock.advance(minutes=2, seconds=1)
    assert sign_in(client, "ivy").status_code == 302


def test_attempts_while_locked_do_not_lengthen_the_lock(client, clock, ivy):
    _fail(client, "ivy", 5)
    for _ in range(4):
        clock.advance(minutes=2)
        assert _fail(client, "ivy", 1)[0].status_code == 429
    clock.advance(minutes=2, seconds=2)
    assert sign_in(client, "ivy").status_code == 302


def test_every_attempt_is_audited_without_the_address(client, ivy):
    _fail(client, "ivy", 5, REMOTE_ADDR="198.51.100.7")
    sign_in(client, "ivy", REMOTE_ADDR="198.51.100.7")
    events = list(AuditEvent.objects.filter(action__startswith="auth.").order_by("pk"))
    # The fifth failure locks the account (recorded as it happens, then the failure itself); the
    # right password while locked is refused and recorded the same way.
    assert [e.action for e in events] == ["auth.login_failed"] * 4 + ["auth.locked_out", "auth.login_failed"] * 2
    assert {e.data["username"] for e in events} == {"ivy"}
    assert [e.data["by"] for e in events if e.action == "auth.locked_out"] == ["account", "account"]
    assert {e.ip for e in events} == {None}
    assert {e.outcome for e in events} == {"failed", "denied"}


def test_an_unknown_account_gets_the_same_responses(client, clock, ivy):
    def attempts(username, address):
        bodies = []
        for response in _fail(client, username, 6, REMOTE_ADDR=address):
            body = response.content.decode().replace(username, "NAME")
            body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
            body = re.sub(r"X-Request-ID[^<]*|[0-9a-f]{32}", "", body)
            headers = {h: response.get(h) for h in ("Content-Type", "Retry-After", "Cache-Control", "Location")}
            bodies.append((response.status_code, headers, body))
        return bodies

    known = attempts("ivy", "192.0.2.1")
    unknown = attempts("nobody-here", "192.0.2.2")
    assert [status for status, _h, _b in known] == [200, 200, 200, 200, 429, 429]
    assert known == unknown


def test_an_unknown_account_costs_one_password_hash_like_a_known_one(client, settings, ivy):
    settings.PASSWORD_HASHERS = ["tests.authn.hashers.CountingHasher"]
    ivy.set_password(PASSWORD)
    ivy.save()
    hashers.calls.clear()
    sign_in(client, "ivy", "not the password")
    known = len(hashers.calls)
    hashers.calls.clear()
    sign_in(client, "nobody-here", "not the password")
    assert len(hashers.calls) == known == 1


def test_twenty_sign_ins_in_a_row_are_never_refused(ivy):
    backup_codes_for(ivy, [f"code{n:04d}" for n in range(20)])
    app_for(ivy)
    for n in range(20):
        client = Client()
        response = sign_in(client, "ivy")
        assert response.status_code == 302, n
        assert client.post(VERIFY, {"code": f"code{n:04d}"})["Location"] == "/staff/", n
        assert client.get("/staff/").status_code == 200


def test_an_accounts_failures_start_again_once_both_factors_pass(client, ivy):
    backup_codes_for(ivy)
    app_for(ivy)
    _fail(client, "ivy", 4)
    sign_in(client, "ivy")
    assert client.post(VERIFY, {"code": "alpha2345"})["Location"] == "/staff/"
    other = Client()
    assert [r.status_code for r in _fail(other, "ivy", 4)] == [200] * 4
    # A password alone does not: the fifth failure since the code still locks.
    sign_in(other, "ivy")
    assert _fail(Client(), "ivy", 1)[0].status_code == 429


def test_wrong_second_factor_codes_count_toward_the_lockout(client, ivy):
    app_for(ivy)
    sign_in(client, "ivy")
    wrong = f"{(int(code_now()) + 500_000) % 1_000_000:06d}"
    statuses = [client.post(VERIFY, {"code": wrong}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # The half-signed-in session is ended, and the password is refused for the lock's length.
    assert "_auth_user_id" not in client.session
    assert sign_in(Client(), "ivy").status_code == 429
    assert AuditEvent.objects.filter(action="auth.otp_failed").count() == 5
    assert AuditEvent.objects.filter(action="auth.locked_out", data__username="ivy").exists()


def test_a_password_failure_and_code_failures_add_up(client, ivy):
    app_for(ivy)
    _fail(client, "ivy", 2)
    sign_in(client, "ivy")
    wrong = f"{(int(code_now()) + 500_000) % 1_000_000:06d}"
    assert [client.post(VERIFY, {"code": wrong}).status_code for _ in range(3)] == [200, 200, 429]


def test_one_client_failing_many_accounts_is_locked_beside_them(client, settings):
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 8
    UserFactory(username="zoe")
    for n in range(8):
        response = _fail(client, f"guess{n}", 1, REMOTE_ADDR="203.0.113.9")[0]
    assert response.status_code == 429
    # Every account, known or not, is refused from that client; another client is not.
    assert sign_in(client, "zoe", REMOTE_ADDR="203.0.113.9").status_code == 429
    assert sign_in(client, "zoe", REMOTE_ADDR="203.0.113.10").status_code == 302
    locked = AuditEvent.objects.filter(action="auth.locked_out").first()
    assert locked.data["by"] == "client"


def test_a_forwarded_address_names_the_client_only_behind_a_trusted_proxy(client, settings):
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 3
    # No trusted proxy: X-Forwarded-For is ignored, so changing it does not escape the limit.
    for n in range(3):
        _fail(client, f"guess{n}", 1, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert _fail(client, "guess9", 1, HTTP_X_FORWARDED_FOR="10.0.0.99")[0].status_code == 429

    cache.clear()
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        _fail(client, f"guess{n}", 1, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert _fail(client, "other", 1, HTTP_X_FORWARDED_FOR="10.9.9.9")[0].status_code == 429
    assert _fail(client, "other2", 1, HTTP_X_FORWARDED_FOR="10.9.9.10")[0].status_code == 200


def test_the_cache_holds_neither_the_account_name_nor_the_address(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lock"}}
    cache.clear()
    _fail(client, "ivy-secret-name", 2, REMOTE_ADDR="198.51.100.77")
    stored = " ".join(str(k) + str(v) for k, v in cache._cache.items())
    assert cache._cache
    assert "ivy-secret-name" not in stored and "198.51.100.77" not in stored
