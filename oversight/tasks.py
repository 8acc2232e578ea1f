"""Queueing background work after the current transaction commits, and the platform's own tasks."""

import logging
from typing import Any

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send a Celery task once the surrounding transaction commits.

    With a broker configured it goes to the workers. Without one (the embedded default,
    ``CELERY_TASK_ALWAYS_EAGER``) it runs in this process right after commit; a failure there is
    logged, never raised into the request that already committed its work.
    """
    transaction.on_commit(lambda: task.delay(*args, **kwargs), robust=True)


# --- Stored files: virus scans and the orphan sweep --------------------------------------------------
# Imported when the task runs: oversight.scanning and oversight.storage look up models of every
# floor, which are not loaded yet when Celery imports this module.


@shared_task
def scan_stored_file(name: str) -> str | None:
    """Scan one file of private storage and record the verdict (``oversight.scanning.file_scan``)."""
    from .scanning import file_scan

    return file_scan(name)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def alert_infected_file(name: str) -> int:
    """Email the supervisors, once each, that a stored file holds a virus."""
    from .scanning import infected_file_alert

    return infected_file_alert(name)


@shared_task
def retry_file_scans() -> int:
    """Periodic: queue the virus scans that failed or were lost, and those of files stored while no
    scanner was configured."""
    from .scanning import file_scans_retry

    return file_scans_retry()


@shared_task
def sweep_orphan_files() -> int:
    """Periodic: delete stored files older than a day that no committed record holds."""
    from .storage import orphan_files_sweep

    return sum(orphan_files_sweep().values())
