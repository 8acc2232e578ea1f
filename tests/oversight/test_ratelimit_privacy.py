"""The rate limiter's cache names clients by a keyed hash whose key expires with the day."""

import hashlib
import hmac
import time

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.61"
# A status lookup that fails (no such complaint, answered 400), counted like any guarded form.
LOOKUP = {"tracking_number": "CPC-2026-99999", "code": "AAAA-BBBB-CCCC"}


@pytest.fixture(autouse=True)
def _local_memory_cache(settings):
    # These tests read what the cache holds, so they need the local-memory backend whatever CACHE_URL says.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}}
    cache.clear()


def _cached() -> dict[str, float]:
    """The local-memory cache's keys (as stored) and when each expires."""
    return dict(cache._expire_info)


def _counter_names() -> set[str]:
    return {key.split(":")[4] for key in _cached() if ":ratelimit:status_lookup:" in key}


def test_the_counter_is_named_by_an_hmac_under_a_daily_salt_and_never_by_the_address(client, settings):
    client.post("/status/", LOOKUP, REMOTE_ADDR=ADDRESS)
    day = int(time.time()) // 86400
    salt = cache.get(f"ratelimit:salt:{day}")
    assert salt and len(salt) == 64

    key = hmac.new(settings.SECRET_KEY.encode(), f"ratelimit:{day}:{salt}".encode(), hashlib.sha256).digest()
    expected = hmac.new(key, ADDRESS.encode(), hashlib.sha256).hexdigest()[:32]
    assert _counter_names() == {expected}
    stored = " ".join(_cached())
    assert ADDRESS not in stored
    assert hashlib.sha256(f"{settings.SECRET_KEY}:{ADDRESS}".encode()).hexdigest()[:32] not in stored


def test_the_salt_expires_by_the_end_of_its_day_and_no_counter_outlives_it(client):
    client.post("/status/", LOOKUP, REMOTE_ADDR=ADDRESS)
    midnight = (int(time.time()) // 86400 + 1) * 86400
    expiries = _cached()
    salt_expiry = next(when for key, when in expiries.items() if ":ratelimit:salt:" in key)
    assert salt_expiry <= midnight + 1
    assert all(when <= midnight + 1 for key, when in expiries.items() if ":ratelimit:status_lookup:" in key)


def test_once_the_salt_is_gone_the_same_address_gets_an_unrelated_counter(client, settings):
    settings.RATE_LIMIT_STATUS_LOOKUP = "2/300"
    for _ in range(2):
        client.post("/status/", LOOKUP, REMOTE_ADDR=ADDRESS)
    before = _counter_names()
    assert client.post("/status/", LOOKUP, REMOTE_ADDR=ADDRESS).status_code == 429

    cache.delete(f"ratelimit:salt:{int(time.time()) // 86400}")
    assert client.post("/status/", LOOKUP, REMOTE_ADDR=ADDRESS).status_code == 400
    after = _counter_names() - before
    assert len(after) == 1 and not after & before
