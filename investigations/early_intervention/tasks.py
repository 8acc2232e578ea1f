from celery import shared_task


@shared_task
def evaluate_early_intervention(trigger: str = "schedule", actor_id: int | None = None) -> int:
    """Evaluate every officer against the early-intervention rules (nightly, after an import, or
    when a supervisor asks). Returns the number of flags opened."""
    from django.contrib.auth import get_user_model

    from oversight.context import acting_as

    from .services import evaluation_run

    actor = get_user_model().objects.filter(pk=actor_id, is_active=True).first() if actor_id else None
    with acting_as(actor):
        return evaluation_run(trigger=trigger, actor=actor).opened
