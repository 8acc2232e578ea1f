from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oversight import audit


class Command(BaseCommand):
    help = (
        "Verify the audit hash chain under AUDIT_KEY, oldest first, in one consistent snapshot, and against "
        "every checkpoint in AUDIT_CHECKPOINT_FILE. Reports the first break and exits with code 1 if there is one."
    )

    def handle(self, *args, **options):
        # The file is read before the snapshot is taken: every checkpoint in it then covers only
        # events the snapshot can see, however many writers are busy meanwhile.
        try:
            checkpoints = audit.read_checkpoints(settings.AUDIT_CHECKPOINT_FILE)
        except audit.CheckpointError as error:
            raise CommandError(f"Audit checkpoint file unusable: {error}.") from None
        checked, broken = audit.verify_chain(checkpoints=checkpoints)
        if broken is not None:
            where = f"event {broken.event_id}" if broken.event_id is not None else "the chain head"
            raise CommandError(
                f"Audit chain broken at {where}: {broken.reason}. {checked} event(s) before it verified."
            )
        if checkpoints:
            last = checkpoints[-1]
            against = f"; it matches the checkpoint of {last.taken_at} (event {last.event_id}, {last.count} event(s))"
        else:
            against = "; no checkpoint written yet (manage.py audit_checkpoint)"
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} event(s) verified{against}."))
