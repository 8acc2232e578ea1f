"""Personas and shared fixtures.

The personas follow the roles: ``resident`` is a visitor with no account; the staff personas are
users in their role's group. Each is what its name says:

- ``assigned_investigator`` has an assignment row on ``complaint``'s investigation (opened for the
  purpose if there is none) and the object access that assignment grants;
- ``other_investigator`` holds the same role but nothing on it;
- ``board_member`` sits on the board now (a current membership), with no access to any case;
- ``board_chair`` is the board's current chair;
- ``recused_board_member`` is a current member who recused on ``complaint``.
"""

import os
import socket
from functools import cache
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client

from oversight import permissions
from oversight.permissions import Role

from .factories import ComplaintFactory, PartyFactory, SubjectOfficerFactory, UserFactory

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# The Redis server the ``redis`` tests use (CI exports it; a local server is the default).
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")

# --- Signing in, in tests ------------------------------------------------------------------------------
# Every staff and admin page needs a verified second factor (oversight.authn). So that a test can
# still sign someone in with one line, ``client.force_login(user)`` also gives ``user`` a confirmed
# authenticator app and marks the session verified, as after typing a code. A test of the second
# factor itself asks for a password-only session with ``client.force_login(user, otp=False)``.

_django_force_login = Client.force_login


def _force_login(self, user, backend=None, *, otp: bool = True):
    _django_force_login(self, user, backend)
    if otp:
        from oversight.authn.testing import verify_session

        verify_session(self, user)


Client.force_login = _force_login


@cache
def _redis_unreachable() -> str | None:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(16).startswith(b"+PONG"):
                return f"Redis at {REDIS_URL} did not answer PING"
    except OSError as error:
        return f"Redis at {REDIS_URL} is unreachable ({error})"
    return None


def pytest_runtest_setup(item):
    """Tests marked ``redis`` need the Redis server at REDIS_URL: without it they are skipped
    locally, and fail in CI, which starts one (.ci/run)."""
    if item.get_closest_marker("redis") and (problem := _redis_unreachable()):
        if CI:
            pytest.fail(f"Redis tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(problem)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL. On SQLite they are deselected (the PostgreSQL run
    covers them), never skipped; on PostgreSQL they run, and fail if the server is unreachable."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _test_settings(request, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run without a virus scanner, as the embedded default does, unless they ask for the
    # ``clamd`` fixture (tests/scanner.py). CI exports CLAMAV_ADDRESS for the scanning tests, and a
    # file stored inside a test's transaction would wait for a scan that only runs after a commit.
    if "clamd" not in request.fixturenames:
        settings.CLAMAV_ADDRESS = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
        "staging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "staging", "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    # Rate-limit counters live in the cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()
    return settings


@pytest.fixture
def private_storage():
    from django.core.files.storage import storages

    return storages["private"]


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def complaint(db):
    complaint = ComplaintFactory(narrative="Officer pushed me against the wall outside the laundromat.")
    PartyFactory(complaint=complaint, first_name="Rosa", last_name="Delgado", email="rosa.delgado@example.com")
    SubjectOfficerFactory(complaint=complaint)
    return complaint


@pytest.fixture
def other_complaint(db):
    return ComplaintFactory(narrative="Nobody came when I called about the break-in.")


@pytest.fixture
def resident(client):
    """A member of the public: no account."""
    return client


@pytest.fixture
def intake_coordinator(db):
    return UserFactory(username="ivy_intake", roles=[Role.INTAKE_COORDINATOR])


@pytest.fixture
def assigned_investigator(db, complaint):
    from investigations.models import Investigation, InvestigatorAssignment

    user = UserFactory(username="alice_investigator", roles=[Role.INVESTIGATOR], first_name="Alice", last_name="Ng")
    investigation, _created = Investigation.objects.get_or_create(
        complaint=complaint, defaults={"discovery_date": complaint.received_at.date()}
    )
    InvestigatorAssignment.objects.create(investigation=investigation, investigator=user, is_lead=True)
    permissions.grant(user, "complaints.view_complaint", complaint)
    permissions.grant(user, "complaints.change_complaint", complaint)
    return user


@pytest.fixture
def other_investigator(db):
    return UserFactory(username="bob_investigator", roles=[Role.INVESTIGATOR])


@pytest.fixture
def supervisor(db):
    return UserFactory(username="sofia_supervisor", roles=[Role.SUPERVISOR], is_staff=True)


def _seat(user, *, chair: bool = False):
    from datetime import timedelta

    from django.utils import timezone

    from investigations.board.models import BoardMembership

    BoardMembership.objects.create(member=user, is_chair=chair, term_start=timezone.localdate() - timedelta(days=365))
    return user


@pytest.fixture
def board_member(db):
    return _seat(UserFactory(username="marcus_board", roles=[Role.BOARD_MEMBER], first_name="Marcus", last_name="Bell"))


@pytest.fixture
def board_chair(db):
    return _seat(
        UserFactory(username="carmen_chair", roles=[Role.BOARD_MEMBER], first_name="Carmen", last_name="Ruiz"),
        chair=True,
    )


@pytest.fixture
def recused_board_member(db, complaint):
    from investigations.board.models import Recusal

    user = _seat(UserFactory(username="rita_recused", roles=[Role.BOARD_MEMBER], first_name="Rita", last_name="Okafor"))
    Recusal.objects.create(complaint=complaint, member=user, reason="Knows the complainant.", recorded_by=user)
    return user


@pytest.fixture
def publisher(db):
    return UserFactory(username="priya_publisher", roles=[Role.PUBLISHER])


@pytest.fixture
def sysadmin(db):
    return UserFactory(username="sam_sysadmin", roles=[Role.SYSADMIN], is_staff=True)
