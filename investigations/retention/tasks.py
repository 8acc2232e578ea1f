from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def retention_review(today: str | None = None) -> int:
    """The daily retention review (``services.retention_review_run``): records what is due and
    tells supervisors what became due. A failed email raises so the task is retried; a retry sends
    only what failed. Returns the number of cases that became due."""
    from datetime import date

    from .services import retention_review_run

    outcome = retention_review_run(today=date.fromisoformat(today) if today else None)
    outcome.raise_for_failures()
    return outcome.review.newly_due
