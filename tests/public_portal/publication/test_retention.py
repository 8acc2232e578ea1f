"""Retention and publication: a version being prepared stands in the way of destruction; a published
one does not, and the public record reads the same after the case's records are destroyed."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse

from complaints.models import Complaint
from investigations.retention.models import RetentionRecord
from investigations.retention.services import case_destroy
from investigations.retention.workflow import DESTROY, RETENTION_LIFECYCLE
from public_portal.publication.models import Publication
from public_portal.publication.services import publication_correct, publication_draft, publication_move

from .cases import decided_case

pytestmark = pytest.mark.django_db
P = Publication.Status

SUMMARY = "The officer stopped a cyclist near the library. Video showed the stop lasted four minutes."


def _closed_long_ago(case: Complaint) -> RetentionRecord:
    closed_at = datetime(2001, 1, 1, 12, tzinfo=UTC)
    Complaint.objects.filter(pk=case.pk).update(status=Complaint.Status.CLOSED, status_changed_at=closed_at)
    record, _created = RetentionRecord.objects.update_or_create(
        complaint=case, defaults={"closed_on": date(2001, 1, 1), "schedule": "sustained"}
    )
    return record


def test_a_version_being_prepared_is_discarded_before_the_case_is_destroyed(publisher, supervisor):
    case = decided_case(status=Complaint.Status.CLOSED)
    record = _closed_long_ago(case)
    assert "publication.no_version_in_progress" in RETENTION_LIFECYCLE.guard_names("destroy")
    assert not [r for r in RETENTION_LIFECYCLE.blockers(record, supervisor, DESTROY) if "publication" in r]

    publication = publication_draft(complaint=case, actor=publisher)
    assert any("being prepared" in r for r in RETENTION_LIFECYCLE.blockers(record, supervisor, DESTROY))
    publication_move(publication=publication, actor=publisher, to_status=P.DISCARDED)
    assert not [r for r in RETENTION_LIFECYCLE.blockers(record, supervisor, DESTROY) if "publication" in r]


def test_the_published_record_survives_destruction_and_other_versions_lose_their_text(
    publisher, second_publisher, supervisor, client
):
    case = decided_case(status=Complaint.Status.CLOSED, summary=SUMMARY)
    first = publication_draft(complaint=case, actor=publisher)
    publication_move(publication=first, actor=second_publisher, to_status=P.APPROVED)
    publication_move(publication=first, actor=second_publisher, to_status=P.PUBLISHED)
    correction = publication_correct(publication=first, actor=publisher)
    publication_move(publication=correction, actor=second_publisher, to_status=P.APPROVED)
    publication_move(publication=correction, actor=second_publisher, to_status=P.PUBLISHED)
    _closed_long_ago(case)
    page = reverse("public_portal:disposition_detail", args=[first.public_id])
    before = Client().get(page).content.decode()
    assert "Video showed the stop lasted four minutes." in before

    case_destroy(complaint=case, actor=supervisor, reason="Retention period over.")

    first.refresh_from_db()
    correction.refresh_from_db()
    assert (first.status, first.summary) == (P.SUPERSEDED, "")
    assert correction.status == P.PUBLISHED
    assert correction.summary and "four minutes" in correction.summary
    after = Client().get(page)
    assert after.status_code == 200
    assert "Video showed the stop lasted four minutes." in after.content.decode()
    assert list(correction.allegations.values_list("disposition", flat=True)) == list(
        first.allegations.values_list("disposition", flat=True)
    )
