"""Personas and shared fixtures.

The personas follow the roles: ``resident`` is a visitor with no account; the staff personas are
users in their role's group. ``assigned_investigator`` is assigned to ``complaint``;
``other_investigator`` holds the same role but no grant on it.
"""

import os

import pytest
from django.db import connection

from oversight import permissions
from oversight.permissions import Role

from .factories import ComplaintFactory, PartyFactory, SubjectOfficerFactory, UserFactory

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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
    user = UserFactory(username="alice_investigator", roles=[Role.INVESTIGATOR])
    permissions.grant(user, "complaints.view_complaint", complaint)
    permissions.grant(user, "complaints.change_complaint", complaint)
    return user


@pytest.fixture
def other_investigator(db):
    return UserFactory(username="bob_investigator", roles=[Role.INVESTIGATOR])


@pytest.fixture
def supervisor(db):
    return UserFactory(username="sofia_supervisor", roles=[Role.SUPERVISOR], is_staff=True)


@pytest.fixture
def board_member(db):
    return UserFactory(username="marcus_board", roles=[Role.BOARD_MEMBER])


@pytest.fixture
def recused_board_member(db):
    return UserFactory(username="rita_recused", roles=[Role.BOARD_MEMBER])


@pytest.fixture
def publisher(db):
    return UserFactory(username="priya_publisher", roles=[Role.PUBLISHER])


@pytest.fixture
def sysadmin(db):
    return UserFactory(username="sam_sysadmin", roles=[Role.SYSADMIN], is_staff=True)
