from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "OVERSIGHT_BODY_NAME": settings.OVERSIGHT_BODY_NAME,
        "OVERSIGHT_BODY_SHORT_NAME": settings.OVERSIGHT_BODY_SHORT_NAME,
        "OVERSIGHT_CONTACT_EMAIL": settings.OVERSIGHT_CONTACT_EMAIL,
        "OVERSIGHT_CONTACT_PHONE": settings.OVERSIGHT_CONTACT_PHONE,
        "OVERSIGHT_ADDRESS": settings.OVERSIGHT_ADDRESS,
        "REQUEST_ID": getattr(request, "request_id", ""),
    }
