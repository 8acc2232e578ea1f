"""The API's errors: every one JSON, with a plain message (kept apart from the views: REST framework
reads the handler from its settings)."""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

invalid_cursor_message = _("That page link could not be read. Start again from the first page.")

MESSAGES = {
    exceptions.NotFound: _("Nothing is published at this address."),
    exceptions.MethodNotAllowed: _("This API only reads: use GET."),
    exceptions.NotAcceptable: _("This API answers in JSON only."),
    exceptions.UnsupportedMediaType: _("This API only reads: use GET."),
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    """Every error as ``{"detail": "..."}`` in plain words (and, for parameters that cannot be read,
    ``"errors": {"parameter": ["message", ...]}``)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"parameters": exc.detail}
        response.data = {
            "detail": gettext("Some of the parameters could not be read."),
            "errors": {
                str(name): [str(message) for message in _as_list(messages)] for name, messages in errors.items()
            },
        }
    elif isinstance(exc, exceptions.Throttled):
        response.data = {
            "detail": gettext("Too many requests. Wait %(seconds)s seconds, then try again.")
            % {"seconds": int(exc.wait or 1)}
        }
    elif isinstance(exc, exceptions.NotFound) and str(exc.detail) == str(invalid_cursor_message):
        response.data = {"detail": str(exc.detail)}
    else:
        message = next((m for kind, m in MESSAGES.items() if isinstance(exc, kind)), None)
        response.data = {"detail": str(message) if message is not None else str(response.data.get("detail", ""))}
    return response


def _as_list(messages: Any) -> list[Any]:
    return list(messages) if isinstance(messages, list | tuple) else [messages]
