"""Templated, translated emails, each sent at most once."""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import SentNotification


def notify_once(*, key: str, to: str, template: str, context: dict[str, Any], language: str) -> bool:
    """Send ``template`` (``<template>_subject.txt`` and ``<template>_body.txt``) to ``to`` in
    ``language`` unless a notice with ``key`` already went out. Returns whether it was sent now.

    The key is recorded in the same transaction as the send: if sending fails the key is not kept,
    so a retry sends it; if two workers race, one insert fails and only one email goes out.
    """
    if not to:
        return False
    try:
        with transaction.atomic():
            SentNotification.objects.create(key=key[:200], template=template, recipient=to, language=language)
            with translation.override(language):
                full = {
                    "body_name": settings.OVERSIGHT_BODY_NAME,
                    "phone": settings.OVERSIGHT_CONTACT_PHONE,
                    "email": settings.OVERSIGHT_CONTACT_EMAIL,
                    **context,
                }
                subject = " ".join(render_to_string(f"{template}_subject.txt", full).split())
                body = render_to_string(f"{template}_body.txt", full)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except IntegrityError:
        return False
    return True
