import re

import pytest
from django.core.cache import cache

from oversight.models import AuditEvent
from oversight.ratelimit import Rate

pytestmark = pytest.mark.django_db
# A lookup that fails (no such complaint, answered 400): every form the limiter guards counts the same.
LOOKUP = {"tracking_number": "CPC-2026-99999", "code": "AAAA-BBBB-CCCC"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_status_lookup_is_limited_per_client(client, settings):
    settings.RATE_LIMIT_STATUS_LOOKUP = "3/300"
    for _ in range(3):
        assert client.post("/status/", LOOKUP).status_code == 400
    refused = client.post("/status/", LOOKUP)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Please wait a moment" in refused.content.decode()
    assert AuditEvent.objects.filter(action="ratelimit.refused", outcome="denied").count() == 1
    # Another client is not affected.
    assert client.post("/status/", LOOKUP, REMOTE_ADDR="10.1.2.3").status_code == 400


def test_reading_the_lookup_page_is_not_counted(client, settings):
    settings.RATE_LIMIT_STATUS_LOOKUP = "1/300"
    for _ in range(5):
        assert client.get("/status/").status_code == 200


def test_the_limit_page_is_translated(client, settings):
    settings.RATE_LIMIT_STATUS_LOOKUP = "1/300"
    client.post("/status/", LOOKUP)
    client.cookies["django_language"] = "es"
    refused = client.post("/status/", LOOKUP, HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 429
    assert "Espere un momento" in refused.content.decode()
    assert re.search(r"Vuelva a intentarlo en \d+ minutos?\.", refused.content.decode())


@pytest.mark.parametrize("text", ["0/60", "5/0", "abc", "-1/5"])
def test_bad_rates_are_refused(text):
    with pytest.raises(ValueError):
        Rate.parse(text)
