"""``manage.py retention_review``: list the closed cases whose retention period has run out.

One line per case: tracking number, closing date, schedule applied (and its years), the date it
became due, and any legal hold in force (a held case is listed but cannot be destroyed). A plain
table by default, CSV with ``--format csv``. Lists only; the daily job (``tasks.retention_review``)
tells supervisors, and destruction is a supervisor's action on the case's Retention page.
"""

import csv
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...selectors import DueRow, due_rows, due_with_holds

COLUMNS = ("tracking_number", "closed_on", "schedule", "years", "due_on", "hold")
WIDTHS = (20, 10, 24, 10)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--as-of must be a date like 2026-03-14, not {value!r}") from error


def _hold(row: DueRow) -> str:
    return "; ".join(f"{hold.kind} since {timezone.localtime(hold.placed_at).date().isoformat()}" for hold in row.holds)


class Command(BaseCommand):
    help = "List the closed cases due for destruction under the retention schedule, with any legal hold."

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            dest="output_format",
            choices=("table", "csv"),
            default="table",
            help="Output format (default table).",
        )
        parser.add_argument("--as-of", type=_date, default=None, help="List what is due on this date (YYYY-MM-DD).")

    def handle(self, *args, output_format: str, as_of: date | None = None, **options):
        today = as_of or timezone.localdate()
        complaints = due_with_holds(today=today).iterator(chunk_size=2000)
        if output_format == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in due_rows(complaints):
                writer.writerow(
                    [
                        row.tracking_number,
                        row.closed_on.isoformat(),
                        row.schedule,
                        row.years,
                        row.due_on.isoformat(),
                        _hold(row),
                    ]
                )
            return
        header = ("Tracking number", "Closed", "Schedule", "Due", "Hold")
        self.stdout.write(self._line(header))
        self.stdout.write(self._line(tuple("-" * width for width in WIDTHS) + ("----",)))
        count = held = 0
        for row in due_rows(complaints):
            schedule = f"{row.schedule} ({row.years} years)"
            hold = _hold(row)
            self.stdout.write(
                self._line(
                    (row.tracking_number, row.closed_on.isoformat(), schedule, row.due_on.isoformat(), hold or "-")
                )
            )
            count += 1
            held += bool(hold)
        self.stdout.write(f"{count} case(s) due on {today.isoformat()}, {held} of them under a legal hold.")

    def _line(self, cells: tuple[str, ...]) -> str:
        fixed = [cell.ljust(width) for cell, width in zip(cells, WIDTHS, strict=False)]
        return "  ".join([*fixed, *cells[len(WIDTHS) :]]).rstrip()
