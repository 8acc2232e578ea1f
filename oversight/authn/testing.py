"""For the test suite and the benchmarks, never the site: a session marked as having passed its
second factor, as a person who typed their code would have it."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

TEST_DEVICE_NAME = "Test device"


def verified_device(user) -> TOTPDevice:
    """The user's confirmed test authenticator app (made once)."""
    device, _created = TOTPDevice.objects.get_or_create(user=user, name=TEST_DEVICE_NAME, defaults={"confirmed": True})
    return device


def verify_session(client, user) -> None:
    """Mark the session of a test ``Client`` signed in as ``user`` (``force_login``) as verified."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()
