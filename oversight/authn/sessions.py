"""A person's sessions, known server-side so that they can be ended together, and the session's
own clock: when it signed in and when it was last used (``SessionLimitsMiddleware``)."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone

from oversight import audit

from .models import SignedInSession

SIGNED_IN_AT = "authn_signed_in_at"
LAST_SEEN = "authn_last_seen"


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def now() -> float:
    """The time the session limits are measured in (seconds since the epoch)."""
    return timezone.now().timestamp()


def session_started(request: HttpRequest, user: AbstractBaseUser) -> None:
    """At sign-in: start the session's clock and remember the session as one of ``user``'s.

    Django's ``login`` has already given the session a new key, so the key is the new one."""
    session = request.session
    session[SIGNED_IN_AT] = session[LAST_SEEN] = now()
    if session.session_key is None:
        session.save()
    SignedInSession.objects.update_or_create(session_key=session.session_key, defaults={"user_id": user.pk})


def session_key_rotated(request: HttpRequest, user: AbstractBaseUser) -> None:
    """Give the session a new key (after a second factor passed: the session gained rights) and
    keep the record of it."""
    old = request.session.session_key
    request.session.cycle_key()
    session_key_changed(user, old, request.session.session_key)


def session_key_changed(user: AbstractBaseUser, old_key: str | None, new_key: str | None) -> None:
    """Django gave the session a new key (``update_session_auth_hash``): keep the record of it."""
    session_forgotten(old_key)
    if new_key:
        SignedInSession.objects.update_or_create(session_key=new_key, defaults={"user_id": user.pk})


def session_forgotten(session_key: str | None) -> None:
    if session_key:
        SignedInSession.objects.filter(session_key=session_key).delete()


def end_sessions(user: AbstractBaseUser, keep_session_key: str | None = None) -> int:
    """End every session of ``user`` except ``keep_session_key``, in the session store itself, so
    that a browser holding one is signed out at its next request; return how many were ended.

    Records ``auth.sessions_ended`` when there were any."""
    rows = SignedInSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    store = _store()
    ended = 0
    for key in keys:
        session = store(session_key=key)
        if session.exists(key):
            ended += 1
        session.delete(key)
    SignedInSession.objects.filter(session_key__in=keys).delete()
    if ended:
        audit.record("auth.sessions_ended", target=user, data={"sessions": ended})
    return ended
