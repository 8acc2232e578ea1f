import re

import pytest
from django.core.cache import cache

from oversight.models import AuditEvent
from oversight.ratelimit import Rate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_staff_sign_in_is_limited_per_client(client, settings):
    settings.RATE_LIMIT_LOGIN = "3/300"
    for _ in range(3):
        assert client.post("/staff/login/", {"username": "x", "password": "y"}).status_code == 200
    refused = client.post("/staff/login/", {"username": "x", "password": "y"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Please wait a moment" in refused.content.decode()
    assert AuditEvent.objects.filter(action="ratelimit.refused", outcome="denied").count() == 1
    # Another client is not affected.
    assert client.post("/staff/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_reading_the_sign_in_page_is_not_counted(client, settings):
    settings.RATE_LIMIT_LOGIN = "1/300"
    for _ in range(5):
        assert client.get("/staff/login/").status_code == 200


def test_the_limit_page_is_translated(client, settings):
    settings.RATE_LIMIT_LOGIN = "1/300"
    client.post("/staff/login/", {"username": "x", "password": "y"})
    client.cookies["django_language"] = "es"
    refused = client.post("/staff/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 429
    assert "Espere un momento" in refused.content.decode()
    assert re.search(r"Vuelva a intentarlo en \d+ minutos?\.", refused.content.decode())


@pytest.mark.parametrize("text", ["0/60", "5/0", "abc", "-1/5"])
def test_bad_rates_are_refused(text):
    with pytest.raises(ValueError):
        Rate.parse(text)
