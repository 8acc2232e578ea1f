from celery import shared_task

from .statistics import refresh_snapshot


@shared_task
def refresh_statistics() -> dict:
    """Periodic (hourly): recompute the public statistics and replace the snapshot the public reads."""
    refreshed = refresh_snapshot()
    return {"periods": refreshed.periods, "years": list(refreshed.years), "seconds": refreshed.seconds}
