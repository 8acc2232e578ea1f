"""``manage.py workflow_check``: list every complaint whose status contradicts its records.

Exits 1 when any exist (so a deployment or CI step can fail on it), 0 when none do.
"""

from collections import Counter
from itertools import chain

from django.core.management.base import BaseCommand, CommandError

from oversight import hooks

from ...checks import contradictions


class Command(BaseCommand):
    help = "List complaints whose status contradicts their records; exit non-zero if any."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="Print at most this many complaints (default 200).")

    def handle(self, *args, limit: int, **options):
        found = Counter()
        printed = 0
        for tracking_number, status, problem in chain(contradictions(), *hooks.run("workflow.checks")):
            found[problem] += 1
            if printed < limit:
                self.stdout.write(f"{tracking_number}\t{status}\t{problem}")
                printed += 1
        if not found:
            self.stdout.write(self.style.SUCCESS("Every complaint's status agrees with its records."))
            return
        for problem, count in found.most_common():
            self.stderr.write(f"{count:>8}  {problem}")
        raise CommandError(f"{sum(found.values())} contradictions found.", returncode=1)
