"""``manage.py search_index rebuild|status|drain``: build the search indexes, compare them with the
database, and send the updates the search service missed."""

import time

from django.core.management.base import BaseCommand, CommandError

from oversight.progress import ProgressBar
from search import indexing
from search.backends import SearchUnavailable, backend
from search.backends.base import KINDS


def _in_database(kind: str) -> int:
    if kind == "cases":
        from complaints.models import Complaint

        return Complaint.objects.count()
    from public_portal.publication.models import Publication

    return Publication.objects.filter(status=Publication.Status.PUBLISHED, ended_at__isnull=True).count()


class Command(BaseCommand):
    help = (
        "rebuild: build each index afresh from the database and switch searches to it when it is whole. "
        "status: documents in the database and in each index, and the updates waiting. "
        "drain: send the waiting updates now."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status", "drain"])
        parser.add_argument(
            "--kind", choices=KINDS, action="append", help="Only this index (cases or dispositions); repeatable."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, cron).")

    def handle(self, *args, action: str, kind: list[str] | None, no_progress: bool, **options):
        kinds = kind or list(KINDS)
        try:
            if action == "rebuild":
                self._rebuild(kinds, progress=not no_progress)
            elif action == "status":
                self._status(kinds)
            else:
                done = indexing.drain()
                self.stdout.write(", ".join(f"{k}: {done[k]} sent" for k in kinds))
        except SearchUnavailable as error:
            raise CommandError(f"The search service ({backend().name}) is not available: {error}") from None

    def _rebuild(self, kinds: list[str], *, progress: bool) -> None:
        for kind in kinds:
            started = time.perf_counter()
            bar = ProgressBar(self.stdout, kind) if progress else None
            written = indexing.rebuild(kind, progress=bar)
            if bar:
                bar.close()
            seconds = time.perf_counter() - started
            rate = written / seconds if seconds else 0
            self.stdout.write(
                self.style.SUCCESS(f"{kind}: {written:,} documents indexed in {seconds:.1f} s ({rate:,.0f}/s)")
            )

    def _status(self, kinds: list[str]) -> None:
        engine = backend()
        waiting = indexing.backlog()
        self.stdout.write(f"Backend: {engine.name}")
        behind = False
        for kind in kinds:
            try:
                indexed = f"{engine.count(kind):,}"
                in_index = engine.count(kind)
            except SearchUnavailable as error:
                indexed, in_index = f"unavailable ({error})", None
            database = _in_database(kind)
            line = waiting[kind]
            backlog = f"{line['count']:,} waiting"
            if line["count"]:
                backlog += f" since {line['oldest']:%Y-%m-%d %H:%M:%S %Z}"
                if line["attempts"]:
                    backlog += f", {line['attempts']} failed attempt(s), last error: {line['last_error']}"
            self.stdout.write(f"{kind}: {database:,} in the database, {indexed} in the index, {backlog}")
            behind = behind or in_index != database or bool(line["count"])
        if behind:
            self.stdout.write(
                self.style.WARNING(
                    "The index is behind the database: `search_index drain` sends the waiting updates; "
                    "`search_index rebuild` rebuilds it whole."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("The index is in step with the database."))
