"""The notices messages send: to the complainant that a message is waiting, to the case's
investigators that an answer came in. Neither ever carries what the message says."""

from celery import shared_task
from django.contrib.auth import get_user_model

from investigations.tasks import _contactable_filer
from oversight.notifications import notify_once
from oversight.staff_accounts.selectors import preferred_language

from .models import Message


def _oldest_unread(message: Message) -> Message | None:
    """The oldest message of the same side, on the same case, that its reader has not read yet."""
    return (
        Message.objects.filter(complaint_id=message.complaint_id, direction=message.direction, read_at__isnull=True)
        .order_by("created_at", "id")
        .first()
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_message_notice(message_id: int) -> bool:
    """Tell a named complainant who left an email, in their language, that a message is waiting on
    their status page. Never the message itself, never the status code. Nothing for an anonymous
    complaint (there is nobody to write to) or a complainant who asked not to be contacted.

    One notice per wait: while an earlier message is still unread, a new one sends nothing more
    (the key names the oldest unread message, so ``notify_once`` keeps it to one email)."""
    message = Message.objects.select_related("complaint").filter(pk=message_id).first()
    if message is None or message.from_complainant or message.read_at is not None:
        return False
    complaint = message.complaint
    filer = _contactable_filer(complaint)
    waiting = _oldest_unread(message)
    if filer is None or waiting is None:
        return False
    return notify_once(
        key=f"message:{waiting.pk}:{filer.email}",
        to=filer.email,
        template="case_messages/email/message_waiting",
        context={"name": filer.first_name, "tracking_number": complaint.tracking_number},
        language=filer.preferred_language or complaint.language,
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_reply_notice(message_id: int) -> int:
    """Tell each investigator assigned to the case now that the complainant answered: the case's
    number only. One email per investigator until they, or anyone working the case, read it."""
    message = Message.objects.select_related("complaint").filter(pk=message_id).first()
    if message is None or not message.from_complainant or message.read_at is not None:
        return 0
    waiting = _oldest_unread(message)
    if waiting is None:
        return 0
    investigators = (
        get_user_model()
        .objects.filter(
            is_active=True,
            assignments__investigation__complaint_id=message.complaint_id,
            assignments__ended_at__isnull=True,
        )
        .exclude(email="")
        .select_related("staff_preference")
        .order_by("pk")
        .distinct()
    )
    sent = 0
    for user in investigators:
        sent += notify_once(
            key=f"message_reply:{waiting.pk}:{user.pk}",
            to=user.email,
            template="case_messages/email/reply_received",
            context={
                "name": user.first_name or user.get_username(),
                "tracking_number": message.complaint.tracking_number,
            },
            language=preferred_language(user),
        )
    return sent
