"""The lock lives in the shared cache: with two server processes on one Redis, failures in either
count toward one lock, and a lock made in one holds in the other."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ..conftest import REDIS_URL
from .signing_in import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
DB = 15

# The other server process: the same settings with CACHE_URL on the same Redis, an in-memory
# database holding only the account tables (its sign-in page needs no more), and the same test
# client posting to the same sign-in page. Its audit events are not the subject here.
SECOND_PROCESS = """
import os, sys
import django
from django.conf import settings

django.setup()
settings.CACHES["default"]["KEY_PREFIX"] = os.environ["LOCK_TEST_PREFIX"]
settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
from unittest import mock

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client

with connection.schema_editor() as editor:
    for model in (ContentType, Permission, Group, User):
        editor.create_model(model)
with mock.patch("oversight.audit.record"):
    client = Client()
    data = {"username": sys.argv[1], "password": "not the password"}
    for _ in range(int(sys.argv[2])):
        print(client.post("/staff/login/", data, REMOTE_ADDR="203.0.113.5").status_code)
"""


@pytest.fixture
def shared_cache(settings):
    prefix = f"lock-test-{uuid.uuid4().hex}"
    location = f"{REDIS_URL.rstrip('/')}/{DB}"
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": prefix}}
    yield location, prefix
    import redis

    server = redis.Redis.from_url(location)
    for key in server.scan_iter(match=f"{prefix}*"):
        server.delete(key)


def _second_process(location: str, prefix: str, username: str, failures: int) -> list[int]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oversight.settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": "sqlite://:memory:",
        "CACHE_URL": location,
        "LOCK_TEST_PREFIX": prefix,
    }
    done = subprocess.run(  # noqa: S603 (the test's own interpreter and script)
        [sys.executable, "-c", SECOND_PROCESS, username, str(failures)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [int(status) for status in done.stdout.split()]


def test_a_lock_made_in_another_process_holds_here(client, shared_cache, ivy):
    assert _second_process(*shared_cache, "ivy", 5) == [200, 200, 200, 200, 429]
    refused = sign_in(client, "ivy", REMOTE_ADDR="192.0.2.44")
    assert refused.status_code == 429
    assert "Sign-in locked for now" in refused.content.decode()


def test_failures_in_two_processes_add_up_to_one_lock(client, shared_cache, ivy):
    for _ in range(3):
        assert sign_in(client, "ivy", "not the password").status_code == 200
    assert _second_process(*shared_cache, "ivy", 2) == [200, 429]
    assert sign_in(client, "ivy").status_code == 429
