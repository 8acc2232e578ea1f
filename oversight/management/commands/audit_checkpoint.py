from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oversight import audit


class Command(BaseCommand):
    help = (
        "Verify the audit chain, then append a signed checkpoint (head hash, event count, time) to "
        "AUDIT_CHECKPOINT_FILE and print it, for publishing elsewhere (minutes, a public report)."
    )

    def handle(self, *args, **options):
        path = settings.AUDIT_CHECKPOINT_FILE
        try:
            checkpoint = audit.take_checkpoint(path)
        except audit.CheckpointError as error:
            raise CommandError(f"Audit checkpoint file unusable: {error}.") from None
        except audit.ChainBrokenError as error:
            where = f"event {error.broken.event_id}" if error.broken.event_id is not None else "the chain head"
            raise CommandError(
                f"No checkpoint written: the audit chain is broken at {where}: {error.broken.reason}."
            ) from None
        self.stdout.write(checkpoint.line())
        self.stderr.write(
            f"Checkpoint of {checkpoint.count} event(s) appended to {path}. Publish the line above where the "
            "database's operators cannot change it."
        )
