"""Index updates as tasks: sent after commit by ``search.indexing.queue``; the drain is periodic."""

from celery import shared_task
from django.conf import settings

from .backends import SearchUnavailable

RETRY_DELAYS = (10, 60, 300, 900, 3600)


@shared_task(bind=True, max_retries=len(RETRY_DELAYS))
def apply_updates(self, kind: str, ids: list[int]) -> int:
    """Bring the documents of ``ids`` in line with the database. If the search service is down the
    updates stay in the outbox; with workers the task tries again later (10 s, 1 min, 5 min...),
    in-process (no broker) it leaves them to the next drain rather than hold up the request."""
    from . import indexing

    try:
        return indexing.apply(kind, ids)
    except SearchUnavailable as error:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return 0
        delay = RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)]
        raise self.retry(exc=error, countdown=delay) from error


@shared_task
def drain_search_backlog() -> int:
    """Periodic: send again every update the outbox still holds (the search service was down)."""
    from . import indexing

    return sum(indexing.drain().values())
