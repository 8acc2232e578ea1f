"""The API's throttle (kept apart from the views: REST framework imports it while it loads)."""

from typing import Any

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from oversight.ratelimit import Rate, hit


class PublicApiThrottle(BaseThrottle):
    """``settings.RATE_LIMIT_API`` requests (COUNT/SECONDS) per client, counted like the public
    forms' limits: under a keyed hash of the address that cannot be tied back to it after the day."""

    def allow_request(self, request: Any, view: Any) -> bool:
        allowed, self.retry_after = hit("api", request._request, Rate.parse(settings.RATE_LIMIT_API))
        return allowed

    def wait(self) -> float | None:
        return getattr(self, "retry_after", None)
