"""The search backends under test.

``search_backend`` runs a test once per backend: "database" (this database's full-text search,
PostgreSQL's or the SQLite fallback) and "elasticsearch", which talks HTTP to a real
OpenSearch-API server (osmem-server, started once per test process by its pytest plugin; each
test gets a fresh clone of it). Neither is ever skipped: osmem-server is a test dependency, so a
server that does not start fails the test.
"""

import pytest

from search import backends


@pytest.fixture(params=["database", "elasticsearch"])
def search_backend(request, settings, db):
    """The configured backend, its indexes empty, for each of the two backends in turn."""
    clone = None
    if request.param == "elasticsearch":
        clone = request.getfixturevalue("osmem_server").clone()
        settings.ELASTICSEARCH_URL = clone.url
    settings.SEARCH_BACKEND = request.param
    backends.reset()
    backend = backends.backend()
    backend.clear()
    yield backend
    backends.reset()
    if clone is not None:
        clone.close()


@pytest.fixture
def database_backend(settings):
    settings.SEARCH_BACKEND = "database"
    backends.reset()
    yield backends.backend()
    backends.reset()


@pytest.fixture
def elasticsearch_backend(request, settings, db):
    clone = request.getfixturevalue("osmem_server").clone()
    settings.ELASTICSEARCH_URL = clone.url
    settings.SEARCH_BACKEND = "elasticsearch"
    backends.reset()
    backend = backends.backend()
    backend.clear()
    yield backend
    backends.reset()
    clone.close()
