from django.core.management.base import BaseCommand

from oversight.permissions import setup_roles


class Command(BaseCommand):
    help = "Create or correct the role groups and their permissions. Safe to run any number of times."

    def handle(self, *args, **options):
        for role, changed in setup_roles().items():
            self.stdout.write(f"{role}: {'updated' if changed else 'unchanged'}")
