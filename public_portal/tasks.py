from celery import shared_task

from .intake import drafts_purge_expired


@shared_task
def purge_expired_drafts() -> int:
    """Periodic: unfinished drafts hold personal data; they do not outlive INTAKE_DRAFT_HOURS."""
    return drafts_purge_expired()
