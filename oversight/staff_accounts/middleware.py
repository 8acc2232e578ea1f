"""The staff workspace in the person's preferred language.

Django's ``LocaleMiddleware`` picks the language of every page from the language cookie (the
public pages' language switch) or the browser's ``Accept-Language``. On staff and admin pages a
signed-in person who chose a preferred language (``StaffPreference``) gets that one instead. It is
read once per session, when the person signs in (or at the first staff page of a session that
began otherwise), and kept in the session: a change
the person makes on their own preferences page applies at once, a change a supervisor makes for
them at their next sign-in. Someone who chose nothing keeps the browser's language, as before.
Public pages are never affected: they keep the visitor's own choice."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from oversight.headers import is_staff_path

from .selectors import language_codes, stored_language

SESSION_KEY = "staff_accounts.language"


def remember_language(request: HttpRequest, language: str) -> None:
    """Use ``language`` for the rest of this session's staff pages, this request included."""
    request.session[SESSION_KEY] = language
    if is_staff_path(request.path_info):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _signed_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """At sign-in, where the session is written anyway, rather than on the first page after it."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = stored_language(user) or ""


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_signed_in, dispatch_uid="staff-accounts-preferred-language")


class PreferredLanguageMiddleware:
    """After ``LocaleMiddleware`` and the authentication middleware: on a staff or admin page, a
    signed-in person's preferred language replaces the one the browser asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_staff_path(request.path_info) and request.user.is_authenticated:
            language = request.session.get(SESSION_KEY)
            if language is None:
                # "" remembers that nothing was chosen, so the next pages ask the database nothing.
                language = stored_language(request.user) or ""
                request.session[SESSION_KEY] = language
            if language in language_codes():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
