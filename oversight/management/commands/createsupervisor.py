"""``manage.py createsupervisor``: the first supervisor, made on the server.

Only a supervisor grants the roles that read cases (docs/accounts.md), so the first one cannot be
granted by anyone in the application: whoever runs the server makes it here. Recorded as
``user.supervisor_created`` with no actor.
"""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse

from oversight.context import acting_as
from oversight.staff_accounts.services import supervisor_create

PASSWORD_VARIABLE = "SUPERVISOR_PASSWORD"  # noqa: S105 (a variable's name, not a password)  # nosec B105


class Command(BaseCommand):
    help = (
        "Create a supervisor account (the first one: later ones are granted by a supervisor in the staff "
        "workspace). Prompts for what is missing; with --noinput give --username and --email, and either "
        f"--no-password or the password in the {PASSWORD_VARIABLE} environment variable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--first-name", default=None)
        parser.add_argument("--last-name", default=None)
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="Set no password: the supervisor sets their own with the emailed reset link.",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Ask nothing (for scripts)."
        )

    def handle(self, *args, username, email, first_name, last_name, no_password, interactive, **options):
        username = self._value(username, "Username", interactive, required=True)
        email = self._value(email, "Email address", interactive, required=True)
        first_name = self._value(first_name, "First name", interactive)
        last_name = self._value(last_name, "Last name", interactive)
        password = None
        if not no_password:
            password = os.environ.get(PASSWORD_VARIABLE) or None
            if password is None and not interactive:
                raise CommandError(f"With --noinput, give --no-password or set {PASSWORD_VARIABLE}.")
            if password is None:
                password = self._prompt_password()
            else:
                self._validate(password, username, email)
        try:
            with acting_as(None):
                user = supervisor_create(
                    username=username, email=email, first_name=first_name, last_name=last_name, password=password
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Supervisor {user.get_username()} created."))
        if password is None:
            self.stdout.write(
                "No password was set: they choose their own with the link emailed from "
                f"{self._reset_url()} (“Forgot your password?” on the sign-in page)."
            )
        self.stdout.write("They enrol their second factor at their first sign-in.")

    def _value(self, given, label: str, interactive: bool, *, required: bool = False) -> str:
        value = (given or "").strip()
        while not value and interactive and (required or given is None):
            value = input(f"{label}: ").strip()
            if not required:
                break
        if required and not value:
            raise CommandError(f"{label} is required (--{label.lower().split()[0]}).")
        return value

    def _prompt_password(self) -> str:
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ. Try again.")
                continue
            try:
                validate_password(password)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password

    def _validate(self, password: str, username: str, email: str) -> None:
        from django.contrib.auth import get_user_model

        try:
            validate_password(password, user=get_user_model()(username=username, email=email))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    @staticmethod
    def _reset_url() -> str:
        try:
            return reverse("staff:password_reset")
        except NoReverseMatch:
            return "the sign-in page"
