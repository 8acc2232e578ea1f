"""Demo data: the demo's cases are closed by bulk loads, not by the lifecycle, so once every seeder
is done their retention records get their closing dates the way an import's would."""

from oversight.demo import DemoContext, register

from .closings import backfill_closings


@register("retention")
def seed_retention(ctx: DemoContext) -> None:
    def finish() -> None:
        counts = backfill_closings()
        ctx.count("retention records", counts["created"])

    ctx.after_load(finish)
