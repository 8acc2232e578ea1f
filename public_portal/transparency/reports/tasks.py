"""Background work of the public reports: building a report's PDF, and drafting the periodic ones."""

from celery import shared_task


@shared_task
def generate_report(report_id: int) -> bool:
    """Build the PDF of a report being generated and move it to draft (``services.report_generation_run``)."""
    from .services import report_generation_run

    return report_generation_run(report_id)


@shared_task
def draft_due_reports() -> int:
    """Periodic (daily): draft the last quarter's and the last year's report once each has ended, if
    it has none yet. Idempotent: one report per period."""
    from django.conf import settings

    from .services import report_draft_due

    if not getattr(settings, "PUBLIC_REPORTS_AUTO_DRAFT", True):
        return 0
    return len(report_draft_due())
