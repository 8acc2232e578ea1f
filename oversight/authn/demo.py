"""Demo second factors: every demo login gets an authenticator app with one documented key and the
same ten backup codes, so a newcomer signs in to any role within a minute (docs/sign-in.md).

The key and codes are public: ``seed_demo`` refuses a production configuration, and ``demo_code``
prints codes only for a device holding this key."""

from base64 import b32decode

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from oversight.demo import DemoContext, register

from .services import APP_DEVICE_NAME, BACKUP_DEVICE_NAME

# Base32, as an authenticator app takes it by hand; public (see the docstring).
DEMO_TOTP_SECRET = "DEMO DEMO DEMO DEMO DEMO DEMO DEMO DEMO"  # noqa: S105  # nosec B105
DEMO_TOTP_KEY = b32decode(DEMO_TOTP_SECRET.replace(" ", "")).hex()
DEMO_BACKUP_CODES = [f"demo-code-{n:02d}" for n in range(1, 11)]


def demo_backup_token(code: str) -> str:
    """A demo backup code as stored (as typed, less dashes: ``services.normalise_code``)."""
    return code.replace("-", "")


@register("second_factor")
def seed_second_factor(ctx: DemoContext) -> None:
    # Once every seeder has run: the demo logins are the users holding the demo password's hash,
    # whichever part made them (board members, report officers).
    ctx.after_load(lambda: _give_second_factors(ctx))


def _give_second_factors(ctx: DemoContext) -> None:
    password_hash = ctx.shared.get("password_hash")
    if not password_hash:
        return
    users = list(get_user_model().objects.filter(password=password_hash))
    have = set(TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True))
    new = [user for user in users if user.pk not in have]
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name=APP_DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True) for user in new
    )
    for user in new:
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=demo_backup_token(c)) for c in DEMO_BACKUP_CODES
        )
    ctx.count("second factors", len(new))
