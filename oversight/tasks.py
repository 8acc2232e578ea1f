"""Queueing background work after the current transaction commits."""

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send a Celery task once the surrounding transaction commits.

    With a broker configured it goes to the workers. Without one (the embedded default,
    ``CELERY_TASK_ALWAYS_EAGER``) it runs in this process right after commit; a failure there is
    logged, never raised into the request that already committed its work.
    """
    transaction.on_commit(lambda: task.delay(*args, **kwargs), robust=True)
