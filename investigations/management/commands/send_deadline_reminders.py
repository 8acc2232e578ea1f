from datetime import date

from django.core.management.base import BaseCommand, CommandError

from investigations.reminders import deadline_reminders_send


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today must be a date like 2026-03-14, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Send the deadline reminders due today (90, 30 and 7 days before the due date, and overdue). "
        "Nothing is sent twice, so running it again is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=_date, default=None, help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, today: date | None = None, **options):
        run = deadline_reminders_send(today=today)
        self.stdout.write(
            f"{run.today.isoformat()}: {run.reminders} reminder(s) due, {run.emails} email(s) sent, "
            f"{run.failures} failed."
        )
        if run.failures:
            raise CommandError(f"{run.failures} reminder email(s) could not be sent; run the command again to retry.")
