from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from oversight.context import acting_as
from oversight.models import Agency
from oversight.roster import roster_import


class Command(BaseCommand):
    help = (
        "Import an officer roster CSV for one agency. Columns: badge_number, first_name, last_name "
        "(required); rank, unit, status, race_ethnicity, gender, hire_date (optional). Nothing is "
        "imported when any row is invalid, unless --skip-invalid. Re-importing updates officers "
        "matched on badge number."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--agency", required=True, help="The agency's short name or full name.")
        parser.add_argument("--skip-invalid", action="store_true", help="Import the valid rows and report the rest.")

    def handle(self, *args, file: Path, agency: str, skip_invalid: bool, **options):
        found = Agency.objects.filter(Q(short_name__iexact=agency) | Q(name__iexact=agency)).first()
        if found is None:
            names = ", ".join(Agency.objects.values_list("short_name", flat=True)) or "none yet"
            raise CommandError(f"No agency {agency!r}. Known agencies: {names}. Add it in the admin first.")
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        with file.open(newline="", encoding="utf-8-sig") as stream, acting_as(None):
            result = roster_import(agency=found, stream=stream, skip_invalid=skip_invalid)
        for error in result.errors:
            self.stderr.write(f"{file.name} {error}")
        if result.errors and not skip_invalid:
            raise CommandError(
                f"{len(result.errors)} invalid row(s); nothing was imported. Fix them or use --skip-invalid."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{found.short_name}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.skipped} skipped."
            )
        )
