"""The summary of a publication's allegations stored on it (publication/summaries.py): how many,
and each kind and finding once, in order. The cases download reads it instead of the allegations."""

import pytest

from complaints.models import AllegationCategory
from public_portal.publication.models import Publication
from tests.factories import PublicationFactory, PublishedAllegationFactory

pytestmark = pytest.mark.django_db


def _stored(publication):
    publication = Publication.objects.get(pk=publication.pk)
    return publication.allegation_count, publication.category_classes, publication.findings


def test_rows_written_one_at_a_time_keep_the_summary_true():
    publication = PublicationFactory()
    assert _stored(publication) == (None, "", "")  # nothing summarized yet

    discourtesy = AllegationCategory.objects.get(code="discourtesy")
    first = PublishedAllegationFactory(publication=publication, position=0, disposition="sustained")
    PublishedAllegationFactory(publication=publication, position=1, disposition="not_sustained")
    PublishedAllegationFactory(
        publication=publication,
        position=2,
        category=discourtesy,
        category_class=discourtesy,
        disposition="sustained",
    )
    assert _stored(publication) == (3, "force;discourtesy", "sustained;not_sustained")

    first.delete()
    assert _stored(publication) == (2, "force;discourtesy", "not_sustained;sustained")


def test_a_drafted_publication_is_summarized_with_its_allegations(named_case, publisher):
    from public_portal.publication.services import publication_draft

    publication = publication_draft(complaint=named_case, actor=publisher)

    # Rude words (a discourtesy), then an unlawful search (an abuse of authority); both sustained.
    assert _stored(publication) == (2, "discourtesy;abuse-of-authority", "sustained")


@pytest.mark.postgres
def test_the_migrations_one_statement_stores_what_the_python_stores():
    from django.db import connection

    from public_portal.publication.summaries import SUMMARIZE_ALL_SQL

    discourtesy = AllegationCategory.objects.get(code="discourtesy")
    for dispositions in (["sustained"], ["not_sustained", "sustained", "not_sustained"], ["", "exonerated"]):
        publication = PublicationFactory()
        for position, disposition in enumerate(dispositions):
            kind = {"category": discourtesy, "category_class": discourtesy} if position == 1 else {}
            PublishedAllegationFactory(publication=publication, position=position, disposition=disposition, **kind)
    PublicationFactory()  # no allegations: never summarized
    by_python = sorted(Publication.objects.values_list("pk", "allegation_count", "category_classes", "findings"))
    Publication.objects.update(allegation_count=None, category_classes="", findings="")

    with connection.cursor() as cursor:
        cursor.execute(SUMMARIZE_ALL_SQL)

    assert (
        sorted(Publication.objects.values_list("pk", "allegation_count", "category_classes", "findings")) == by_python
    )
    assert [row[1:] for row in by_python] == [
        (1, "force", "sustained"),
        (3, "force;discourtesy", "not_sustained;sustained"),
        (2, "force;discourtesy", "exonerated"),
        (None, "", ""),
    ]
