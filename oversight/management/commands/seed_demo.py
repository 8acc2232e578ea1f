import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from oversight import audit, bulk
from oversight.context import acting_as
from oversight.demo import DEMO_PASSWORD, DEMO_USERS, DemoContext, seeders
from oversight.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Load realistic, deterministic demo data (roster, demo logins, complaints and everything later "
        "apps add). Does nothing if demo data was already loaded. Never run it on a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, default=500, help="How many complaints (default 500).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="The demo's 'today' (YYYY-MM-DD).",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, complaints: int, seed: int, as_of: date | None, quiet_logins: bool, **options):
        if settings.HTTPS and not settings.DEBUG:
            raise CommandError(
                "This looks like a production configuration (HTTPS on, DEBUG off): refusing to load demo data."
            )
        if isinstance(as_of, str):  # call_command() passes options through unconverted
            as_of = date.fromisoformat(as_of)
        if complaints < 0:
            raise CommandError("--complaints must be 0 or more.")
        if AuditEvent.objects.filter(action="demo.seeded").exists():
            self.stdout.write("Demo data is already loaded; nothing to do.")
        else:
            self._seed(complaints=complaints, seed=seed, as_of=as_of or timezone.localdate())
        if not quiet_logins:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}) at /staff/login/:")
            for username, role, *_rest in DEMO_USERS:
                self.stdout.write(f"  {role:<20} {username}")

    def _seed(self, *, complaints: int, seed: int, as_of: date) -> None:
        autodiscover_modules("demo")
        ctx = DemoContext(seed=seed, complaints=complaints, as_of=as_of, log=self.stdout.write)
        started = time.perf_counter()
        with acting_as(None), transaction.atomic():
            # On PostgreSQL the seeders' bulk writes skip triggers and foreign-key checks where the
            # role may (the rows are generated consistent); the finishers then recompute what the
            # triggers maintain, before anything commits.
            with bulk.fast_load():
                for name, seeder in seeders():
                    step = time.perf_counter()
                    seeder(ctx)
                    self.stdout.write(f"  {name}: {time.perf_counter() - step:.1f}s")
            step = time.perf_counter()
            for finisher in ctx.finishers:
                finisher()
            if ctx.finishers:
                self.stdout.write(f"  finishing: {time.perf_counter() - step:.1f}s")
            audit.record("demo.seeded", data={"seed": seed, "as_of": as_of, "counts": ctx.counts})
        summary = ", ".join(f"{n} {what}" for what, n in ctx.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.perf_counter() - started:.1f}s: {summary}."))
