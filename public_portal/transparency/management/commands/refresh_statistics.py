from django.core.management.base import BaseCommand

from oversight.context import acting_as

from ...statistics import refresh_snapshot


class Command(BaseCommand):
    help = (
        "Recompute the public statistics (dashboard, downloads, API) from the case tables and replace the "
        "snapshot the public reads. The hourly task does the same."
    )

    def handle(self, *args, **options):
        with acting_as(None):
            refreshed = refresh_snapshot()
        years = f"{refreshed.years[0]}–{refreshed.years[-1]}" if refreshed.years else "none"
        self.stdout.write(
            self.style.SUCCESS(
                f"Statistics recomputed in {refreshed.seconds:.1f}s: all years and {len(refreshed.years)} "
                f"years ({years})."
            )
        )
