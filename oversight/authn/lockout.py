"""Lockout after failed sign-ins: django-axes, counting in the shared cache with a handler of ours.

Every failure (a wrong password on /staff/login/ or, through it, /admin/login/; a wrong second-factor
code) adds one to two counters: the account's (the username tried, whether or not such an account
exists, so an unknown name is treated exactly like a known one) and the client's. The account is
refused once its counter reaches ``LOGIN_FAILURE_LIMIT``, the client once its own reaches
``LOGIN_CLIENT_FAILURE_LIMIT`` (higher: several people may share an office's address), for
``LOGIN_LOCKOUT_MINUTES`` after the failure that reached it. Successes never count; an attempt
refused while locked is not counted either, so the lock ends when the page said it would. The
account's counter starts again once both factors have passed (``reset_account``).

The counters live in ``CACHES["default"]``: with several server processes that must be a shared
cache (``CACHE_URL=redis://…``), or each process counts on its own. The client is named by the rate
limits' keyed hash of its address (``oversight.ratelimit.client_key``), which reads X-Forwarded-For
only as ``TRUSTED_PROXY_COUNT`` allows; the cache never holds an address.
"""

import time
from datetime import timedelta

from axes.handlers.cache import AxesCacheHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cache, get_cache_timeout, get_client_username, make_cache_key_list
from axes.signals import user_locked_out
from django.conf import settings
from django.http import HttpRequest

from oversight.ratelimit import client_key


def failure_limit(request: HttpRequest | None = None, credentials: dict | None = None) -> int:
    """``AXES_FAILURE_LIMIT``: the account's limit (the client's is scaled to it, see ``get_failures``)."""
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """``AXES_COOLOFF_TIME``."""
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def client_name(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the client as the rate limits name it (a keyed hash, never the address)."""
    name = getattr(request, "_authn_client_name", None)
    if name is None:
        name = request._authn_client_name = client_key(request)
    return name


def _credentials(username: str) -> dict:
    return {"username": username}


class LockoutHandler(AxesCacheHandler):
    """``AxesCacheHandler`` with a limit for each counter: the account's and the client's."""

    def __init__(self) -> None:
        pass  # the cache is looked up at each use (below), so a change of CACHES applies at once

    @property
    def cache(self):
        return get_cache()

    def _keys(self, request: HttpRequest, credentials: dict | None) -> tuple[str, str]:
        username = get_client_username(request, credentials) or ""
        account, client = make_cache_key_list([{"username": username}, {"ip_address": client_name(request)}])
        return account, client

    def counts(self, request: HttpRequest, credentials: dict | None = None) -> tuple[int, int]:
        """(the account's failures, the client's failures)."""
        account, client = self._keys(request, credentials)
        return self.cache.get(account, 0), self.cache.get(client, 0)

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # The client's count in the account's units: either counter at its limit reads as the limit.
        account, client = self.counts(request, credentials)
        return max(account, client * settings.LOGIN_FAILURE_LIMIT // max(settings.LOGIN_CLIENT_FAILURE_LIMIT, 1))

    def locked_by(self, request: HttpRequest, credentials: dict | None = None) -> str | None:
        """ "account", "client" or None."""
        account, client = self.counts(request, credentials)
        if account >= settings.LOGIN_FAILURE_LIMIT:
            return "account"
        if client >= settings.LOGIN_CLIENT_FAILURE_LIMIT:
            return "client"
        return None

    def retry_after(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """Seconds until the lock on this account and client ends (the whole cool-off if unknown)."""
        ends = [self.cache.get(f"{key}:until") for key in self._keys(request, credentials)]
        left = [int(end - time.time()) for end in ends if end]
        return max([*left, 0]) or int(cool_off(request).total_seconds())

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is None:
            return
        username = get_client_username(request, credentials)
        if request.axes_locked_out:
            # Refused by the lock (AxesStandaloneBackend): not counted.
            self._locked_out(request, credentials, username)
            return
        timeout = get_cache_timeout(request)
        until = time.time() + timeout
        for key in self._keys(request, credentials):
            if not self.cache.add(key, 1, timeout=timeout):
                try:
                    self.cache.incr(key)
                except ValueError:  # expired between add and incr
                    self.cache.add(key, 1, timeout=timeout)
                self.cache.touch(key, timeout=timeout)
            self.cache.set(f"{key}:until", until, timeout=timeout)
        request.axes_failures_since_start = self.get_failures(request, credentials)
        if self.locked_by(request, credentials):
            self._locked_out(request, credentials, username)

    def _locked_out(self, request: HttpRequest, credentials: dict, username: str | None) -> None:
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)

    def reset_account(self, username: str) -> None:
        account = make_cache_key_list([{"username": username}])[0]
        self.cache.delete_many([account, f"{account}:until"])


def _handler() -> LockoutHandler:
    return AxesProxyHandler.get_implementation()


def is_locked(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, _credentials(username))


def locked_by(request: HttpRequest, credentials: dict | None) -> str | None:
    AxesProxyHandler.update_request(request)
    return _handler().locked_by(request, credentials)


def retry_after(request: HttpRequest, credentials: dict | None) -> int:
    AxesProxyHandler.update_request(request)
    return _handler().retry_after(request, credentials)


def failure(request: HttpRequest, username: str) -> bool:
    """Count a failure that is not a password's (a wrong second-factor code); whether it locked."""
    AxesProxyHandler.user_login_failed(sender=__name__, credentials=_credentials(username), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def reset_account(username: str) -> None:
    """Forget the account's failures (both factors passed). The client's counter stays."""
    _handler().reset_account(username)
