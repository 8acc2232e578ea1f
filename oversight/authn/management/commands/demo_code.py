import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from oversight.authn.demo import DEMO_BACKUP_CODES, DEMO_TOTP_KEY, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = (
        "Print the current second-factor code of a demo login (one whose authenticator app holds the "
        "documented demo key). Refuses a production configuration and any other device."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="A demo login, e.g. supervisor.")
        parser.add_argument(
            "--instructions", action="store_true", help="Print how to get a code for the demo logins, and stop."
        )

    def handle(self, *args, username: str | None, instructions: bool, **options):
        if settings.HTTPS and not settings.DEBUG:
            raise CommandError("This looks like a production configuration (HTTPS on, DEBUG off): refusing.")
        if instructions:
            self.stdout.write(
                "Second factor for the demo logins, after the password: the code printed by\n"
                "  .venv/bin/python manage.py demo_code USERNAME\n"
                f"or from an authenticator app given the key {DEMO_TOTP_SECRET} (time-based, 6 digits),\n"
                f"or a backup code, each once per login: {', '.join(DEMO_BACKUP_CODES)}."
            )
            return
        if not username:
            raise CommandError("Name a demo login, e.g. `manage.py demo_code supervisor`.")
        user = get_user_model().objects.filter(username=username).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=True, key=DEMO_TOTP_KEY).first() if user else None
        if device is None:
            raise CommandError(f"{username!r} is not a demo login with the demo key (run `make demo` first).")
        now_step = int(time.time() - device.t0) // device.step + device.drift
        # A code is accepted once: if this step's code was used already, give the next step's, which
        # is accepted too (one step of tolerance).
        step = max(now_step, device.last_t + 1)
        self.stdout.write(f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}")
