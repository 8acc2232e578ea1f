"""How the Elasticsearch backend reaches its server: the client, and the node class it talks through.

The 8.x Python client sends ``Accept`` and ``Content-Type`` as
``application/vnd.elasticsearch+json; compatible-with=8`` (``+x-ndjson`` for bulk), a media type
only Elasticsearch itself knows. Servers that speak the same REST API without being Elasticsearch
(OpenSearch, and the in-memory OpenSearch-API server the tests run against) refuse every request
with a body that carries it (406 Not Acceptable). Elasticsearch 8 accepts plain ``application/json`` and
``application/x-ndjson`` just as well (it answers them in its current API, which is the one the
client speaks), so ``PlainJsonNode`` sends those to every server.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from elastic_transport import HttpHeaders, Urllib3HttpNode
from elasticsearch import Elasticsearch

_COMPATIBLE = "compatible-with"
_NDJSON = "application/x-ndjson"
_JSON = "application/json"


def plain_media_type(value: str) -> str:
    """``value`` as a plain JSON media type when it is one of Elasticsearch's versioned ones
    (``application/vnd.elasticsearch+x-ndjson; compatible-with=8`` -> ``application/x-ndjson``,
    any other ``...+json; compatible-with=8`` -> ``application/json``); anything else unchanged."""
    if _COMPATIBLE not in value:
        return value
    return _NDJSON if "ndjson" in value else _JSON


def plain_headers(headers: Any) -> HttpHeaders:
    """A copy of ``headers`` with every versioned media type made plain (the client's own headers
    are frozen, so they are never changed in place)."""
    copied = HttpHeaders()
    for key, value in (headers or {}).items():
        copied[key] = plain_media_type(value) if isinstance(value, str) else value
    return copied


class PlainJsonNode(Urllib3HttpNode):
    """An HTTP node that sends plain JSON media types, so the 8.x client talks to Elasticsearch 8
    and to OpenSearch-API servers alike (see the module's docstring)."""

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        # The node's default headers (sent with every request) carry the versioned types too.
        self._headers = plain_headers(self._headers)

    def perform_request(self, method: str, target: str, body: bytes | None = None, headers: Any = None, **kw: Any):
        return super().perform_request(method, target, body=body, headers=plain_headers(headers), **kw)


def hosts() -> list[str]:
    """The configured server URLs (``ELASTICSEARCH_URL`` may list several, comma-separated)."""
    return [url.strip() for url in settings.ELASTICSEARCH_URL.split(",") if url.strip()]


def client() -> Elasticsearch:
    """A client for the configured servers. Timeouts are short (a search page waits on it) and a
    timed-out request is retried on another node, at most twice, before the page says search is
    unavailable."""
    options: dict[str, Any] = {
        "hosts": hosts(),
        "node_class": PlainJsonNode,
        "request_timeout": settings.ELASTICSEARCH_TIMEOUT,
        "retry_on_timeout": True,
        "max_retries": 2,
        "verify_certs": settings.ELASTICSEARCH_VERIFY_CERTS,
    }
    if settings.ELASTICSEARCH_CA_CERTS:
        options["ca_certs"] = settings.ELASTICSEARCH_CA_CERTS
    if settings.ELASTICSEARCH_API_KEY:
        options["api_key"] = settings.ELASTICSEARCH_API_KEY
    return Elasticsearch(**options)
