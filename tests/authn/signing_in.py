"""Helpers for the sign-in tests: an authenticator app with a known key, its codes, a clock that
can be moved forward, and signing in through the real pages."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.utils import timezone
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, "12345678901234567890"
BACKUP_CODES = ["alpha2345", "bravo2345", "charlie23"]


def app_for(user, key: str = KEY) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", key=key, confirmed=True)


def backup_codes_for(user, codes=BACKUP_CODES) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def code_now(key: str = KEY, *, offset_steps: int = 0) -> str:
    """The six digits an authenticator app with ``key`` shows now (or ``offset_steps`` later)."""
    return f"{hotp(bytes.fromhex(key), int(time.time()) // 30 + offset_steps):06d}"


class Clock:
    """Moves the time every clock reads (``time.time`` and ``django.utils.timezone.now``) forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def advance(self, **delta) -> None:
        self.offset += timedelta(**delta).total_seconds()


@contextmanager
def movable_clock() -> Iterator[Clock]:
    clock = Clock()
    real_time, real_now = time.time, timezone.now
    with (
        mock.patch("time.time", lambda: real_time() + clock.offset),
        mock.patch("django.utils.timezone.now", lambda: real_now() + timedelta(seconds=clock.offset)),
    ):
        yield clock


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/staff/login/", {"username": username, "password": password}, **extra)


def fresh_code(user, key: str = KEY) -> str:
    """A code that ``user``'s authenticator app (made with ``key`` if it has none) would show now,
    accepted even if the same user signed in moments ago: a code is taken once, so the app's
    memory of the last one used is cleared first. For the browser tests' sign-in."""
    device = TOTPDevice.objects.filter(user=user, name="Phone").first() or app_for(user, key)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return code_now(device.key)
