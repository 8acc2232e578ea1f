"""Per-client rate limits for public forms, kept in the cache.

A fixed window per (scope, client): simple, and enough to slow guessing and flooding. With more
than one server process the cache must be shared (``CACHE_URL=redis://…``); the local-memory
default counts per process.
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import audit
from .context import current


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


def _client_key(request: HttpRequest) -> str:
    ip = current().ip or request.META.get("REMOTE_ADDR", "") or "unknown"
    # Hashed: the cache never holds raw addresses.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:32]


def hit(scope: str, request: HttpRequest, rate: Rate) -> tuple[bool, int]:
    """Count one attempt; return whether it is allowed and the seconds until the window resets."""
    now = int(time.time())
    window = now // rate.period
    key = f"ratelimit:{scope}:{_client_key(request)}:{window}"
    if cache.add(key, 1, timeout=rate.period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=rate.period + 1)
            count = 1
    retry_after = (window + 1) * rate.period - now
    return count <= rate.limit, max(retry_after, 1)


def rate_limited(scope: str, setting: str, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Limit a view's ``methods`` per client to the rate in ``settings.<setting>`` ("COUNT/SECONDS").

    Over the limit the client gets a translated "try again later" page, status 429, with a
    Retry-After header, and the refusal is audited.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                allowed, retry_after = hit(scope, request, Rate.parse(getattr(settings, setting)))
                if not allowed:
                    audit.record("ratelimit.refused", outcome=audit.Outcome.DENIED, data={"scope": scope})
                    response = render(
                        request, "ratelimited.html", {"retry_minutes": max(1, round(retry_after / 60))}, status=429
                    )
                    response["Retry-After"] = str(retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
