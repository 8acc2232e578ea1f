"""Demo statistics: the dashboard's snapshot, computed once the demo data is complete.

The seeder only asks for a finisher: finishers run after every seeder (those of later apps too,
the publications and reports among them), so the snapshot counts everything the demo holds.
"""

from oversight.demo import DemoContext, register

from .statistics import refresh_snapshot


def _refresh(ctx: DemoContext) -> None:
    refreshed = refresh_snapshot()
    ctx.count("statistics periods", refreshed.periods)


@register("statistics")
def seed_statistics(ctx: DemoContext) -> None:
    ctx.after_load(lambda: _refresh(ctx))
