"""Response headers Django's SecurityMiddleware and django-csp do not send (docs/headers.md).

* ``Permissions-Policy`` on every response: no page uses the camera, the microphone, the location,
  payments, USB, serial or HID devices, sensors, screen capture or ad-interest topics, so a script that
  somehow ran on one could not ask for them either.
* ``Cache-Control: no-store`` (with Django's never-cache headers) on every page of the staff area
  and the admin, whatever its status, and on any other response that showed personal data: a
  browser's back button, its disk cache or a shared proxy must never keep a narrative, a party's
  details or evidence. "Showed personal data" is the mark ``oversight.personal_data.shown`` leaves on
  the request (the same one ``PersonalDataReadMiddleware`` records its audit event from), so a new
  page that shows such data gets the header without being listed anywhere. The resident's own pages
  (the intake steps, the review, the receipt, the status result) are ``never_cache`` views as well.

Public pages without personal data keep whatever caching their views chose.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from . import personal_data

# The staff workspace and Django's admin (oversight/urls.py); RequestSizeLimitMiddleware reads the same.
STAFF_PATH_PREFIXES = ("/staff/", "/admin/")

# Every powerful feature a browser gates, refused to this site and to anything it could embed.
# Only names Chromium recognises are listed (it reports an unknown one on every page's console);
# "interest-cohort" (FLoC) is gone, "browsing-topics" replaced it. Security keys
# (publickey-credentials-get) stay allowed for a second factor.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PATH_PREFIXES)


def showed_personal_data(request: HttpRequest) -> bool:
    """Whether anything marked the request as showing personal data (``personal_data.shown``)."""
    return bool(getattr(request, personal_data.REQUEST_ATTRIBUTE, None))


def never_stored(response: HttpResponse) -> bool:
    """Whether the response already forbids storing it (a ``never_cache`` view, a stored file's download)."""
    directives = response.get("Cache-Control", "").split(",")
    return "no-store" in {directive.split("=", 1)[0].strip().lower() for directive in directives}


class SecurityHeadersMiddleware:
    """Adds ``Permissions-Policy`` to every response and ``Cache-Control: no-store`` to the staff
    area's and to every response that showed personal data.

    Placed first after the request id, so redirects and the pages other middleware answer with
    (the HTTPS redirect, the 413 and 400 pages) get the headers too; being outside
    ``PersonalDataReadMiddleware``, it sees the marks the view and its template left."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if (is_staff_path(request.path_info) or showed_personal_data(request)) and not never_stored(response):
            add_never_cache_headers(response)
        return response
