"""Demo data: the search index, built once the demo's cases and publications are committed.

The seeders write in bulk, which sends no signals, so the index is rebuilt from the database in
one pass after commit, and the updates single saves queued meanwhile leave the outbox (the rebuild
covers them)."""

from django.db import transaction

from oversight.demo import DemoContext, register


@register("search index")
def seed_search_index(ctx: DemoContext) -> None:
    import time

    from . import indexing

    def rebuild() -> None:
        for kind in ("cases", "dispositions"):
            started = time.perf_counter()
            written = indexing.rebuild(kind)
            seconds = time.perf_counter() - started
            rate = written / seconds if seconds else 0
            ctx.log(f"  search index: {written:,} {kind} in {seconds:.1f}s ({rate:,.0f}/s)")

    transaction.on_commit(rebuild)
