"""The public selectors read the publication tables only."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from public_portal.publication.models import Publication
from public_portal.publication.selectors import published_get, published_publications
from public_portal.publication.services import publication_draft, publication_move

pytestmark = pytest.mark.django_db
P = Publication.Status
CASE_TABLES = ("complaints_", "investigations_", "guardian", "auth_user")


@pytest.fixture
def published(named_case, publisher, second_publisher):
    publication = publication_draft(complaint=named_case, actor=publisher)
    publication_move(publication=publication, actor=second_publisher, to_status=P.APPROVED)
    return publication_move(publication=publication, actor=publisher, to_status=P.PUBLISHED)


def test_the_public_selectors_touch_no_case_table(published):
    with CaptureQueriesContext(connection) as captured:
        assert list(published_publications()) == [published]
        assert published_get(published.public_id) == published
        assert published_get(published.public_id.lower()) == published
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "publication_publication" in sql
    for table in CASE_TABLES:
        assert table not in sql, table


def test_an_unpublished_or_unknown_public_id_is_not_found(named_case, publisher):
    draft = publication_draft(complaint=named_case, actor=publisher)
    for public_id in (draft.public_id, "D-NOTTHERE", "", None):
        with pytest.raises(Http404):
            published_get(public_id)
