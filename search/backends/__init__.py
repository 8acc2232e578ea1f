"""The search backends (``base`` says what each does) and the one that settings choose."""

from __future__ import annotations

import functools

from django.conf import settings

from .base import SearchBackend, SearchUnavailable

__all__ = ["SearchBackend", "SearchUnavailable", "backend", "reset"]


@functools.cache
def _backend(name: str) -> SearchBackend:
    if name == "elasticsearch":
        from .elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend()
    from .database import DatabaseBackend

    return DatabaseBackend()


def backend() -> SearchBackend:
    """The backend ``SEARCH_BACKEND`` names ("database" by default, "elasticsearch")."""
    return _backend(settings.SEARCH_BACKEND)


def reset() -> None:
    """Forget the backends made so far (tests that change the settings)."""
    _backend.cache_clear()
