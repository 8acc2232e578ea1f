import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from .models import Complaint, Party

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_receipt_email(complaint_id: int) -> bool:
    """Email the complainant (or the person filing for them) a receipt in their language.

    Nothing is sent for an anonymous complaint or when nobody left an email address. The email
    carries the tracking number and how to check status, never the status code or the narrative.
    """
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None or complaint.is_anonymous:
        return False
    recipient = (
        complaint.parties.filter(role__in=[Party.Role.COMPLAINANT, Party.Role.THIRD_PARTY])
        .exclude(email="")
        .order_by("id")
        .first()
    )
    if recipient is None:
        return False
    language = recipient.preferred_language or complaint.language
    with translation.override(language):
        context = {
            "complaint": complaint,
            "name": recipient.first_name,
            "body_name": settings.OVERSIGHT_BODY_NAME,
            "phone": settings.OVERSIGHT_CONTACT_PHONE,
            "email": settings.OVERSIGHT_CONTACT_EMAIL,
        }
        subject = render_to_string("complaints/email/receipt_subject.txt", context).strip()
        body = render_to_string("complaints/email/receipt_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    logger.info("Receipt email sent for complaint %s", complaint.pk)
    return True
