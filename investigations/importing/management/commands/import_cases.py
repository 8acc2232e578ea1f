"""``manage.py import_cases MAPPING.toml``: bring an office's historical cases in from its CSV
exports (docs/import.md)."""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from investigations.importing import report
from investigations.importing.mapping import MappingError, load
from investigations.importing.models import ImportedCase, ImportRun
from investigations.importing.reading import read
from investigations.importing.signals import import_finished
from investigations.importing.writer import plan_changes, tracking_conflicts, write
from oversight import audit, hooks
from oversight.lifecycle import EntryRefused
from oversight.progress import ProgressBar

IMPORT_PERM = "importing.import_cases"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Import historical cases from CSV exports described by a mapping file (docs/import.md). "
        "Every row is checked first; with any problem nothing is written. --dry-run prints the "
        "report and writes nothing. A re-run updates changed cases and never duplicates one."
    )

    def add_arguments(self, parser):
        parser.add_argument("mapping", type=Path, help="The mapping file (TOML).")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument("--user", help="The importing staff member (needs importing.import_cases).")
        parser.add_argument("--data-dir", type=Path, help="Where the source files are (default: the mapping's folder).")
        parser.add_argument("--batch-size", type=int, default=1000, help="Cases per transaction (default 1000).")
        parser.add_argument("--max-errors", type=int, default=50, help="Errors listed per file (default 50).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, cron).")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Then publish the imported decided and closed cases through the publication pipeline.",
        )
        parser.add_argument("--publisher", help="The publication officer who approves the bulk publication.")
        parser.add_argument(
            "--reason", default="", help="Why the imported cases are published without a second review."
        )

    def handle(self, *args, mapping: Path, dry_run: bool, user: str | None, data_dir: Path | None, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        actor = None if dry_run else self._staff(user, IMPORT_PERM, "--user")
        publisher = None
        if options["publish"] and not dry_run:
            if not options["reason"].strip():
                raise CommandError("--publish needs --reason: why these cases are published in bulk.")
            publisher = self._staff(options["publisher"], "publication.approve_publication", "--publisher")
        try:
            loaded = load(mapping, data_dir=data_dir)
        except MappingError as error:
            raise CommandError(
                "The mapping file has problems:\n" + "\n".join(f"  {p}" for p in error.problems)
            ) from None

        started = time.perf_counter()
        reading = read(loaded)
        todo, keep, left = plan_changes(loaded, reading)
        conflicts = tracking_conflicts(loaded, todo, keep)
        self.stdout.write(
            report.render(
                loaded,
                reading,
                todo=todo,
                keep=keep,
                left=left,
                conflicts=conflicts,
                dry_run=dry_run,
                max_errors=options["max_errors"],
            )  # fmt: skip
        )
        if dry_run:
            return
        if not reading.ok or conflicts:
            raise CommandError("Nothing was imported: fix the problems above (or extend the mapping) and run again.")

        run = ImportRun.objects.create(
            system=loaded.system, mapping_name=mapping.name, mapping_sha256=loaded.sha256, started_by=actor
        )
        audit.record(
            "import.started", target=run, actor=actor, data={"system": loaded.system, "cases": len(reading.cases)}
        )
        bar = None if options["no_progress"] else ProgressBar(self.stdout, "cases")
        done = 0

        def progress(count: int) -> None:
            nonlocal done
            done += count
            if bar is not None:
                bar(done, len(todo))

        try:
            outcome = write(loaded, reading, actor=actor, run=run, batch_size=options["batch_size"], progress=progress)
        except EntryRefused as refused:
            self._failed(run, actor, done)
            raise CommandError(
                f"A batch was refused by the lifecycle's checks ({len(refused.problems)} case(s)); the batches "
                f"before it ({done:,} cases) are imported and a re-run resumes after them."
            ) from None
        except Exception:
            self._failed(run, actor, done)
            raise
        finally:
            if bar is not None:
                bar.close()
        run.outcome, run.finished_at = ImportRun.Outcome.COMPLETED, timezone.now()
        run.counts = dict(outcome.counts)
        run.save(update_fields=["outcome", "finished_at", "counts"])
        seconds = time.perf_counter() - started
        audit.record(
            "import.completed", target=run, actor=actor, data={**dict(outcome.counts), "seconds": round(seconds, 1)}
        )
        c = outcome.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported in {seconds:.1f} s: {c['created']:,} cases created, {c['updated']:,} updated, "
                f"{c['unchanged']:,} unchanged, {c['worked_on_here']:,} left as staff worked on them here; "
                f"{_count(c['allegations'], 'allegation')}, {_count(c['parties'], 'complainant')}."
            )
        )
        for _receiver, line in import_finished.send(sender=Command, complaint_ids=outcome.complaint_ids):
            if line:
                self.stdout.write(str(line))
        if publisher is not None:
            self._publish(loaded.system, publisher, options["reason"], bar is not None)

    def _staff(self, username: str | None, perm: str, option: str):
        if not username:
            raise CommandError(f"Name the staff member who does this with {option}.")
        person = get_user_model().objects.filter(username=username, is_active=True).first()
        if person is None:
            raise CommandError(f"No active account {username!r}.")
        if not person.has_perm(perm):
            raise CommandError(f"{username!r} may not do this (needs the permission {perm}).")
        return person

    def _failed(self, run: ImportRun, actor, done: int) -> None:
        run.outcome, run.finished_at = ImportRun.Outcome.FAILED, timezone.now()
        run.save(update_fields=["outcome", "finished_at"])
        audit.record("import.failed", target=run, actor=actor, data={"cases_written": done})

    def _publish(self, system: str, publisher, reason: str, show_progress: bool) -> None:
        """Every decided or closed case imported from ``system`` not yet published (this run's and
        earlier runs'), through the publication pipeline."""
        ids = list(
            ImportedCase.objects.filter(system=system).order_by("complaint_id").values_list("complaint_id", flat=True)
        )
        bar = ProgressBar(self.stdout, "publications") if show_progress else None

        def progress(done: int) -> None:
            if bar is not None:
                bar(done, len(ids))

        results = hooks.run("import.publish", complaint_ids=ids, actor=publisher, reason=reason, progress=progress)
        if bar is not None:
            bar.close()
        if not results:
            raise CommandError("Publication is not installed here; nothing was published.")
        self.stdout.write(str(results[0]))
