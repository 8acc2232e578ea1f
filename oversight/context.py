"""Who is acting, from where, in which request: carried in context variables.

The request middleware sets them; audit events, history rows and log lines read them. Management
commands and tasks can set them with ``acting_as`` so their writes are attributed too.

A network address is only ever the address of a signed-in staff member (``recorded_ip``): a
public visitor's request carries no address, so nothing that reads the context can store one.
"""

import logging
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    # A signed-in staff member's address (set by the middleware for their requests, or by
    # ``acting_as``); never a public visitor's.
    ip: str | None = None
    user: Any = None
    # The request being served: a visitor who signs in during it becomes staff part-way through.
    request: Any = field(default=None, repr=False, compare=False)


_current: ContextVar[RequestContext] = ContextVar("oversight_request_context", default=RequestContext())  # noqa: B039 (frozen, immutable)


def current() -> RequestContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def _authenticated(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def recorded_ip(actor: Any) -> str | None:
    """The address to store with a write by ``actor``: a signed-in staff member's own, else none.

    A write with no actor (a public visitor, a resident filing by name or anonymously, a failed
    sign-in) gets no address at all. In a request where a visitor has just signed in (the sign-in
    event itself), the request's address is theirs once the request's user is the actor.
    """
    if not _authenticated(actor):
        return None
    ctx = current()
    if ctx.ip:
        return ctx.ip
    request = ctx.request
    if request is None or not _authenticated(getattr(request, "user", None)) or request.user.pk != actor.pk:
        return None
    from .middleware import client_ip  # the middleware imports this module

    return client_ip(request)


@contextmanager
def acting_as(user: Any = None, *, ip: str | None = None, request_id: str | None = None) -> Iterator[None]:
    """Attribute everything inside the block to ``user`` (a command, a task, a test)."""
    token = _current.set(RequestContext(request_id=request_id or new_request_id(), ip=ip, user=user))
    try:
        yield
    finally:
        _current.reset(token)


def set_context(context: RequestContext) -> Any:
    return _current.set(context)


def reset_context(token: Any) -> None:
    _current.reset(token)


# --- Answers remembered for one request -----------------------------------------------------------

# A page asks the same questions many times (may this user change this case? is she seated on the
# board? recused on this case?): the moves' rules, the frame, the tabs and the template each ask.
# Inside ``request_memo`` the first answer is kept and reused; every audited write (``audit.record``,
# which every write makes) forgets them all, so nothing read after a change is stale. Outside a
# request (commands, tasks, services called from tests) nothing is kept.
_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("oversight_request_memo", default=None)


@contextmanager
def request_memo() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its earlier answer for ``key`` within this request."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget_remembered() -> None:
    """Drop every remembered answer (after a write that may change them)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


class RequestContextLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current().request_id or "-"
        return True


class PublicVisitorLogFilter(logging.Filter):
    """Takes a public visitor's request off a log record before a handler formats it.

    Django attaches the request to ``django.request`` and ``django.security`` records, and the
    error email lists every header of it (the client address, the user agent). A signed-in staff
    member's request stays, so errors on staff pages keep their detail.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "META") and not _authenticated(getattr(request, "user", None)):
            record.request = None
        return True
