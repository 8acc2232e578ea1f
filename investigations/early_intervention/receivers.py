"""After an import, the officers are evaluated again: the import's bulk writes send no model
signals, and it says once, at its end, that it is done (``investigations.importing.signals``)."""

from typing import Any


def import_finished(sender: Any, complaint_ids: Any = (), **kwargs: Any) -> str | None:
    """Queue the evaluation (or, with no task broker, run it now) and say so in the command's output.
    An import that created or replaced no case changes no officer's history: nothing to evaluate."""
    from django.conf import settings

    if not complaint_ids:
        return None

    from . import tasks
    from .models import EvaluationRun
    from .services import evaluation_run

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        tasks.evaluate_early_intervention.delay(trigger=EvaluationRun.Trigger.IMPORT)
        return "Early intervention: the evaluation is queued for the workers."
    run = evaluation_run(trigger=EvaluationRun.Trigger.IMPORT)
    return (
        f"Early intervention: {run.tripped:,} officer(s) over a threshold, {run.opened:,} flag(s) opened, "
        f"{run.refreshed:,} open flag(s) brought up to date."
    )


def connect() -> None:
    from investigations.importing.signals import import_finished as finished

    finished.connect(import_finished, weak=False, dispatch_uid="early-intervention-import-finished")
