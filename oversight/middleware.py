import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For is read only behind TRUSTED_PROXY_COUNT proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives every request an id (kept from a well-formed X-Request-ID).

    The id is returned in the X-Request-ID response header so a resident reporting a problem can
    quote it, and it ties together the request's audit events, history rows and log lines. The
    client's address is not put in the context here: only a signed-in staff member's requests
    carry it (``RequestUserMiddleware``), so no public visitor's address reaches a table or a log.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else context.new_request_id()
        request.request_id = request_id
        token = context.set_context(context.RequestContext(request_id=request_id, request=request))
        try:
            response = self.get_response(request)
        finally:
            context.reset_context(token)
        response["X-Request-ID"] = request_id
        return response


class RequestUserMiddleware:
    """After authentication, adds the user and, for a signed-in staff member only, the client
    address to the request context; and remembers the answers to the request's repeated access
    questions for its length (``context.request_memo``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = context.current()
        user = request.user if request.user.is_authenticated else None
        token = context.set_context(
            context.RequestContext(
                request_id=ctx.request_id,
                ip=client_ip(request) if user is not None else None,
                user=user,
                request=request,
            )
        )
        try:
            with context.request_memo():
                return self.get_response(request)
        finally:
            context.reset_context(token)


class RequestSizeLimitMiddleware:
    """Refuses a request body larger than the intake allows, before Django reads it.

    Django streams uploads to temporary files without a total limit; this stops a giant body at
    the door with a plain 413 page instead of filling the disk.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # The public form's files, or a staff evidence upload, plus the form fields.
        largest = settings.EVIDENCE_MAX_BYTES if request.path.startswith("/staff/") else settings.INTAKE_MAX_TOTAL_BYTES
        limit = largest + 1024 * 1024
        if length > limit:
            from django.shortcuts import render

            return render(request, "413.html", {"limit_mb": largest // (1024 * 1024)}, status=413)
        return self.get_response(request)
