from django.core.management.base import BaseCommand

from oversight.storage import orphan_files_sweep


class Command(BaseCommand):
    help = (
        "Delete files in private and staging storage that are older than a day and that no record holds. "
        "Run it daily (also a periodic task); running it again is safe."
    )

    def handle(self, *args, **options):
        removed = orphan_files_sweep()
        counts = ", ".join(f"{alias}: {count}" for alias, count in removed.items())
        self.stdout.write(f"{sum(removed.values())} orphan file(s) deleted ({counts}).")
