"""Demo data: the starting rules (if a flushed database lost them), then the evaluation as of the
demo's day, over the complaints the earlier seeders wrote; so the demo supervisor finds flags in the
queue and on officers' pages. A few flags are then worked as a supervisor would: one taken into
review, one closed with monitoring, one with counseling and a follow-up note, so every state and a
history show."""

from datetime import datetime, time

from django.utils import timezone

from complaints.models import AllegationCategory
from oversight.demo import DemoContext, register

from .defaults import seed_default_rules
from .models import EvaluationRun, Flag, Threshold, ThresholdVersion
from .services import evaluation_run, flag_close, flag_note_add, flag_review_start

CLOSINGS = [
    (
        Flag.Action.MONITORING,
        "Reviewed the complaints with the unit commander. No pattern beyond the count; the officer's "
        "record will be watched for six months.",
        "",
    ),
    (
        Flag.Action.COUNSELING,
        "The complaints describe similar conduct within a few months. Counseling with the officer's "
        "sergeant was arranged through the department.",
        "Counseling session held; the department confirmed it in writing.",
    ),
]


@register("early_intervention")
def seed_early_intervention(ctx: DemoContext) -> None:
    made = seed_default_rules(Threshold, ThresholdVersion, AllegationCategory)
    if made:
        ctx.count("early-intervention rules", made)
    if not ctx.complaints:
        return
    as_of = timezone.make_aware(datetime.combine(ctx.as_of, time(23, 30)))
    run = evaluation_run(trigger=EvaluationRun.Trigger.DEMO, as_of=as_of)
    ctx.count("early-intervention flags", run.opened)
    supervisor = ctx.shared.get("users", {}).get("supervisor")
    if supervisor is None:
        return
    # Deterministic: the flags in the order the evaluation wrote them.
    flags = list(Flag.objects.filter(opened_by_run=run).select_related("officer").order_by("pk"))
    if len(flags) < 3:
        return
    reviewed, *closing = flags[: 1 + len(CLOSINGS)]
    flag_review_start(flag=reviewed, actor=supervisor)
    for flag, (action, note, follow_up) in zip(closing, CLOSINGS, strict=False):
        flag_close(flag=flag, actor=supervisor, action=action, note=note)
        if follow_up:
            flag_note_add(flag=flag, actor=supervisor, note=follow_up)
