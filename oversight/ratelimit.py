"""Per-client rate limits for public forms, kept in the cache.

A fixed window per (scope, client): simple, and enough to slow guessing and flooding. With more
than one server process the cache must be shared (``CACHE_URL=redis://…``); the local-memory
default counts per process.

The client is named by a keyed hash of its address, never the address. The key is derived from
a random salt made for each UTC day and held only in the cache, expiring at the end of that day:
once it is gone, a counter's name cannot be tied back to an address, even by someone holding the
database and SECRET_KEY. Counters therefore start afresh at midnight UTC.
"""

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import audit
from .middleware import client_ip

_DAY = 86400


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """``"10/60"``: ten per sixty seconds."""
        limit, _, period = text.partition("/")
        rate = cls(int(limit), int(period or 60))
        if rate.limit < 1 or rate.period < 1:
            raise ValueError(f"Bad rate {text!r}: use COUNT/SECONDS with both above zero")
        return rate


def _daily_key(now: float) -> bytes:
    """Today's hashing key: SECRET_KEY and a salt that lives in the cache until the day ends."""
    day = int(now // _DAY)
    name = f"ratelimit:salt:{day}"
    salt = cache.get(name)
    if salt is None:
        # Several processes may race to make it: the first one stored wins, the others read it.
        cache.add(name, secrets.token_hex(32), timeout=(day + 1) * _DAY - int(now))
        salt = cache.get(name)
        if salt is None:  # evicted already (a tiny cache): count under a key of this call only
            salt = secrets.token_hex(32)
    return hmac.new(settings.SECRET_KEY.encode(), f"ratelimit:{day}:{salt}".encode(), hashlib.sha256).digest()


def _name_key(name: str, now: float) -> str:
    # A keyed hash: the cache never holds the name, and the key expires with the day.
    return hmac.new(_daily_key(now), name.encode(), hashlib.sha256).hexdigest()[:32]


def _client_key(request: HttpRequest, now: float) -> str:
    return _name_key(client_ip(request) or "unknown", now)


def client_key(request: HttpRequest) -> str:
    """Today's keyed hash of the request's client address: how counters in the cache name a client."""
    return _client_key(request, time.time())


def hit(scope: str, request: HttpRequest, rate: Rate) -> tuple[bool, int]:
    """Count one attempt; return whether it is allowed and the seconds until the window resets."""
    return hit_named(scope, client_ip(request) or "unknown", rate)


def hit_named(scope: str, name: str, rate: Rate) -> tuple[bool, int]:
    """``hit`` for something other than the client (an email address asked about): ``name`` is
    kept in the cache only as the same keyed hash."""
    now = int(time.time())
    window = now // rate.period
    key = f"ratelimit:{scope}:{_name_key(name, now)}:{window}"
    # No counter outlives the day whose key named it.
    timeout = min(rate.period + 1, _DAY - now % _DAY)
    if cache.add(key, 1, timeout=timeout):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=timeout)
            count = 1
    retry_after = (window + 1) * rate.period - now
    return count <= rate.limit, max(retry_after, 1)


def rate_limited(
    scope: str, setting: str, methods: tuple[str, ...] = ("POST",), template: str = "ratelimited.html"
) -> Callable:
    """Limit a view's ``methods`` per client to the rate in ``settings.<setting>`` ("COUNT/SECONDS").

    Over the limit the client gets a translated "try again later" page (``template``, given
    ``retry_minutes``), status 429, with a Retry-After header, and the refusal is audited.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                allowed, retry_after = hit(scope, request, Rate.parse(getattr(settings, setting)))
                if not allowed:
                    audit.record("ratelimit.refused", outcome=audit.Outcome.DENIED, data={"scope": scope})
                    response = render(request, template, {"retry_minutes": max(1, round(retry_after / 60))}, status=429)
                    response["Retry-After"] = str(retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
