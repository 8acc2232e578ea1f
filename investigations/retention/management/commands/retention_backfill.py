from django.core.management.base import BaseCommand
from django.db import transaction

from oversight import audit
from oversight.context import acting_as

from ...closings import backfill_closings


class Command(BaseCommand):
    help = (
        "Store the closing date and retention schedule of every closed case that lacks them (cases closed "
        "outside the lifecycle: imports, bulk loads), and clear them on open cases. Safe to run again."
    )

    def handle(self, *args, **options):
        with acting_as(None), transaction.atomic():
            counts = backfill_closings()
            audit.record("retention.backfilled", data=counts)
        self.stdout.write(
            "Retention records: {created} created, {updated} given their closing date, {cleared} cleared.".format(
                **counts
            )
        )
