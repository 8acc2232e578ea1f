"""Who is acting, from where, in which request: carried in context variables.

The request middleware sets them; audit events, history rows and log lines read them. Management
commands and tasks can set them with ``acting_as`` so their writes are attributed too.
"""

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user: Any = None


_current: ContextVar[RequestContext] = ContextVar("oversight_request_context", default=RequestContext())  # noqa: B039 (frozen, immutable)


def current() -> RequestContext:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


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


class RequestContextLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current().request_id or "-"
        return True
