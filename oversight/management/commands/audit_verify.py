from django.core.management.base import BaseCommand, CommandError

from oversight.audit import verify_chain


class Command(BaseCommand):
    help = "Walk the audit hash chain oldest first and report the first broken link (exit code 1 if any)."

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken is not None:
            where = f"event {broken.event_id}" if broken.event_id is not None else "the chain head"
            raise CommandError(
                f"Audit chain broken at {where}: {broken.reason}. {checked} event(s) before it verified."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} event(s) verified."))
