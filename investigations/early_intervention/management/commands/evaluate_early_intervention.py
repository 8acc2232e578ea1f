"""``manage.py evaluate_early_intervention``: evaluate every officer against the rules in force now.

The nightly task and the end of every import do the same. Safe to run again: an officer who
already has an open flag for a rule gets no second one.
"""

import time
from datetime import datetime
from datetime import time as day_time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from oversight.context import acting_as

from ...models import EvaluationRun, Threshold
from ...services import evaluation_run


def _moment(value: str) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--as-of must be a date like 2026-03-14 or a date and time, not {value!r}")
        parsed = datetime.combine(day, day_time(23, 59, 59))
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class Command(BaseCommand):
    help = "Evaluate every active officer against the early-intervention rules in force, and record the flags."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            metavar="DATE",
            help="Evaluate as of this date (end of the day) or date and time, instead of now.",
        )

    def handle(self, *args, as_of: str | None = None, **options):
        moment = _moment(as_of) if as_of else None
        started = time.perf_counter()
        with acting_as(None):
            run = evaluation_run(trigger=EvaluationRun.Trigger.COMMAND, as_of=moment)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Evaluated {run.rules} rule(s) in {seconds:.1f} s: {run.tripped:,} officer(s) over a threshold, "
            f"{run.opened:,} flag(s) opened, {run.refreshed:,} open flag(s) brought up to date."
        )
        if options.get("verbosity", 1) > 1:
            names = dict(Threshold.objects.values_list("pk", "name"))
            for rule_id, tally in run.counts.items():
                self.stdout.write(
                    f"  {names.get(int(rule_id), rule_id)} (version {tally['version']}): {tally['tripped']:,} over, "
                    f"{tally['opened']:,} opened, {tally['refreshed']:,} brought up to date, {tally['seconds']:.2f} s"
                )
