from django.core.management.base import BaseCommand

from public_portal.intake import drafts_purge_expired


class Command(BaseCommand):
    help = "Delete intake drafts past their expiry, with their staged files. Run it daily (also a periodic task)."

    def handle(self, *args, **options):
        self.stdout.write(f"{drafts_purge_expired()} expired draft(s) deleted.")
