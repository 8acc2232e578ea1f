"""The second factor: enrolling an authenticator app, backup codes, and verifying a code.

A person signs in with their password first (a "password-only" session); ``SecondFactorMiddleware``
then lets them reach nothing under /staff/ or /admin/ until a code from their app, or one of their
single-use backup codes, has passed here. A wrong code counts as a failed sign-in
(``lockout.failure``), on top of django-otp's own per-device throttle.
"""

import re
from base64 import b32encode
from dataclasses import dataclass
from enum import Enum
from urllib.parse import quote, urlencode

import django_otp
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from oversight import audit, ratelimit
from oversight.tasks import enqueue

from . import lockout, sessions, tasks

APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
_TOTP_CODE = re.compile(r"\d{6}")


class Outcome(Enum):
    VERIFIED = "verified"
    FAILED = "failed"
    LOCKED = "locked"


@dataclass(frozen=True)
class SecondFactor:
    """What a person has enrolled, for their "Second factor" page."""

    app: TOTPDevice | None
    backup_codes_left: int


def normalise_code(text: str) -> str:
    """A code as typed: spaces and dashes dropped, backup codes in lower case."""
    return re.sub(r"[\s-]", "", text or "").lower()


def has_second_factor(user: AbstractBaseUser) -> bool:
    return django_otp.user_has_device(user, confirmed=True)


def second_factor_of(user: AbstractBaseUser) -> SecondFactor:
    app = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    backup = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return SecondFactor(app=app, backup_codes_left=backup)


def pending_app(*, user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator app being enrolled: one unconfirmed device, kept until it is confirmed, so
    reloading the page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_url(device: TOTPDevice) -> str:
    """The otpauth:// address the QR code holds (the format authenticator apps read)."""
    issuer = settings.OVERSIGHT_BODY_SHORT_NAME.replace(":", "")
    label = quote(f"{issuer}:{device.user.get_username()}")
    params = urlencode(
        {
            "secret": b32encode(device.bin_key).decode(),
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        }
    )
    return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


def backup_codes_issue(*, user: AbstractBaseUser) -> list[str]:
    """Replace the person's backup codes with ``BACKUP_CODE_COUNT`` new ones; return them, to be
    shown once. The old codes stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit.record("auth.backup_codes_issued", actor=user, target=user, data={"count": len(codes)})
    return codes


def _signed_in_with(request: HttpRequest, device) -> None:
    """The second factor passed: mark the session verified, give it a new key, and forget the
    account's failures."""
    django_otp.login(request, device)
    sessions.session_key_rotated(request, request.user)
    lockout.reset_account(request.user.get_username())


def app_enrol(*, request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app being enrolled with a code it shows; on success the session is verified and
    the person's first backup codes are returned (to be shown once). ``None``: the code was wrong."""
    user = request.user
    code = normalise_code(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not (_TOTP_CODE.fullmatch(code) and device.verify_token(code)):
            audit.record("auth.otp_failed", outcome=audit.Outcome.FAILED, actor=user, data={"step": "enrol"})
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit.record("auth.otp_enrolled", actor=user, target=user)
        codes = backup_codes_issue(user=user)
    _signed_in_with(request, device)
    return codes


def second_factor_verify(*, request: HttpRequest, code: str) -> Outcome:
    """Check a code from the person's app (six digits) or one of their backup codes (used up by
    it). A wrong code is audited and counted toward the lockout; a locked account or client is
    refused before any code is checked."""
    user = request.user
    username = user.get_username()
    if lockout.is_locked(request, username):
        return Outcome.LOCKED
    code = normalise_code(code)
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    matched = None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                matched = device
                break
    if matched is None:
        audit.record("auth.otp_failed", outcome=audit.Outcome.FAILED, actor=user, data={"step": "verify"})
        return Outcome.LOCKED if lockout.failure(request, username) else Outcome.FAILED
    if isinstance(matched, StaticDevice):
        audit.record("auth.backup_code_used", actor=user, target=user, data={"left": matched.token_set.count()})
    else:
        audit.record("auth.otp_verified", actor=user, target=user)
    _signed_in_with(request, matched)
    return Outcome.VERIFIED


# --- Passwords -----------------------------------------------------------------------------------------


def password_reset_request(*, request: HttpRequest, email: str, form: auth_forms.PasswordResetForm) -> None:
    """Queue a reset link to every active account with ``email``, at most
    ``RATE_LIMIT_PASSWORD_RESET_ADDRESS`` times per address; the person asking is told the same
    whatever happened. The link works once, for ``PASSWORD_RESET_TIMEOUT`` seconds."""
    rate = ratelimit.Rate.parse(settings.RATE_LIMIT_PASSWORD_RESET_ADDRESS)
    allowed, _retry = ratelimit.hit_named("password_reset_address", email.strip().lower(), rate)
    users = list(form.get_users(email)) if allowed else []
    base_url = f"{request.scheme}://{request.get_host()}"
    for user in users:
        enqueue(tasks.send_password_reset, user.pk, base_url, translation.get_language())
    audit.record(
        "auth.password_reset_requested",
        target=users[0] if len(users) == 1 else None,
        data={"accounts": len(users), "limited": not allowed},
    )


def password_reset_done(*, user: AbstractBaseUser) -> None:
    """After a reset by emailed link: every session of the person ends."""
    audit.record("auth.password_reset", actor=user, target=user)
    sessions.end_sessions(user)


def password_changed(*, request: HttpRequest, old_session_key: str | None) -> None:
    """After a signed-in person changed their password: their other sessions end, this one stays
    (Django gave it a new key)."""
    user = request.user
    audit.record("auth.password_changed", actor=user, target=user)
    sessions.session_key_changed(user, old_session_key, request.session.session_key)
    sessions.end_sessions(user, keep_session_key=request.session.session_key)
