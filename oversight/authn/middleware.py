"""Session limits and the second factor, enforced on every request."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from oversight import audit
from oversight.headers import is_staff_path

from . import services, sessions
from .views import with_next

# Pages a password-only session may open: the steps of signing in, out, and resetting a password.
OPEN_TO_PASSWORD_ONLY = frozenset(
    {
        "staff:login",
        "staff:logout",
        "staff:second_factor_verify",
        "staff:second_factor_enrol",
        "staff:password_reset",
        "staff:password_reset_done",
        "staff:password_reset_confirm",
        "staff:password_reset_complete",
        "admin:logout",
    }
)
# A session's last activity is written at most this often (a write per request would be wasteful).
_TOUCH_SECONDS = 60


def in_staff_area(request: HttpRequest) -> bool:
    return is_staff_path(request.path_info)


def _login_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(with_next(reverse("staff:login"), request.get_full_path()))


class SessionLimitsMiddleware:
    """Ends a signed-in session idle for ``SESSION_IDLE_MINUTES``, or ``SESSION_MAX_HOURS`` after
    its sign-in, whatever the page: the person is signed out (``auth.session_expired``) and, on a
    staff page, sent to sign in again with a plain message. A session with no sign-in time (made
    before these limits) counts as expired."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = sessions.now()
            signed_in = request.session.get(sessions.SIGNED_IN_AT)
            last_seen = request.session.get(sessions.LAST_SEEN, signed_in)
            if signed_in is None or now - signed_in > settings.SESSION_MAX_HOURS * 3600:
                return self._expire(request, "absolute")
            if last_seen is None or now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                return self._expire(request, "idle")
            if now - last_seen >= _TOUCH_SECONDS:
                request.session[sessions.LAST_SEEN] = now
        return self.get_response(request)

    def _expire(self, request: HttpRequest, limit: str) -> HttpResponse:
        user = request.user
        audit.record("auth.session_expired", actor=user, target=user, data={"limit": limit})
        logout(request)
        if not in_staff_area(request):
            return self.get_response(request)
        if limit == "idle":
            text = _("You were signed out after %(minutes)s minutes without activity. Please sign in again.") % {
                "minutes": settings.SESSION_IDLE_MINUTES
            }
        else:
            text = _("You were signed out: a session lasts at most %(hours)s hours. Please sign in again.") % {
                "hours": settings.SESSION_MAX_HOURS
            }
        messages.info(request, text)
        return _login_redirect(request)


class SecondFactorMiddleware:
    """On every /staff/ and /admin/ page, a signed-in session without a verified second factor is
    sent to verify one (or, with none enrolled yet, to enrol one), keeping where it was going.
    Only the sign-in, sign-out and password reset pages are open to it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified() or not in_staff_area(request):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_TO_PASSWORD_ONLY:
            return None
        name = "staff:second_factor_verify" if services.has_second_factor(user) else "staff:second_factor_enrol"
        return redirect(with_next(reverse(name), request.get_full_path()))
