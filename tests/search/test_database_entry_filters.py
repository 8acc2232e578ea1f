"""The database backend's entries keep copies of each case's status, district and year received
(on PostgreSQL they share a GIN index with the words). The copies follow the case when it is
re-indexed, the migration fills them in for entries written before they existed, and a search never
trusts a copy over the case: a stale copy can only hide a case until it is re-indexed, never show
one that does not match."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from complaints.models import Complaint
from search.backends.base import Scope, StaffQuery
from search.models import CaseEntry

from ..factories import ComplaintFactory, DistrictFactory

pytestmark = pytest.mark.django_db

fill = importlib.import_module("search.migrations.0003_case_entry_filter_columns").fill


def _received(year: int, month: int = 6, day: int = 15, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def _search(backend, user, **filters):
    query = StaffQuery(text="bicycle", **filters)
    scope = Scope(user_id=user.pk, everything=True, personal_data=True)
    return sorted(hit.key for hit in backend.staff_search(scope=scope, query=query).hits)


def test_an_entry_holds_its_cases_status_district_and_local_year(database_backend):
    district = DistrictFactory()
    # 04:30 UTC on 1 January 2024 is 23:30 on 31 December 2023 in the office's time zone (New York).
    complaint = ComplaintFactory(
        narrative="A bicycle was taken.",
        district=district,
        received_at=dt.datetime(2024, 1, 1, 4, 30, tzinfo=dt.UTC),
    )
    database_backend.index("cases", [complaint.pk])

    entry = CaseEntry.objects.get(complaint=complaint)
    assert (entry.status, entry.district_id, entry.received_year) == ("received", district.pk, 2023)


def test_a_re_indexed_case_moves_to_its_new_status_and_district(database_backend, supervisor):
    old, new = DistrictFactory(), DistrictFactory()
    complaint = ComplaintFactory(narrative="A bicycle was taken.", district=old, received_at=_received(2025))
    database_backend.index("cases", [complaint.pk])
    number = complaint.tracking_number
    assert _search(database_backend, supervisor, status="received", district_id=old.pk) == [number]

    Complaint.objects.filter(pk=complaint.pk).update(status="closed", district=new)  # no signal: stale
    assert _search(database_backend, supervisor, status="received", district_id=old.pk) == []
    assert _search(database_backend, supervisor, status="closed", district_id=new.pk) == []

    database_backend.index("cases", [complaint.pk])
    assert _search(database_backend, supervisor, status="closed", district_id=new.pk) == [number]
    assert _search(database_backend, supervisor, status="received") == []
    assert _search(database_backend, supervisor, district_id=old.pk) == []


def test_year_filter_reads_the_copy_and_the_case(database_backend, supervisor):
    this, other = (
        ComplaintFactory(narrative="A bicycle was taken.", received_at=_received(2022)),
        ComplaintFactory(narrative="A bicycle was found.", received_at=_received(2021)),
    )
    database_backend.index("cases", [this.pk, other.pk])

    assert _search(database_backend, supervisor, year=2022) == [this.tracking_number]
    assert _search(database_backend, supervisor, year=2021) == [other.tracking_number]
    assert _search(database_backend, supervisor, year=2020) == []


def test_the_migration_fills_in_entries_written_before_the_copies(database_backend):
    district = DistrictFactory()
    complaint = ComplaintFactory(narrative="A bicycle was taken.", district=district, received_at=_received(2019))
    database_backend.index("cases", [complaint.pk])
    CaseEntry.objects.update(status="", district_id=None, received_year=None)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the test's own inserts would hold up CREATE INDEX
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    fill(django_apps, SimpleNamespace(connection=connection))  # all it asks of a schema editor

    entry = CaseEntry.objects.get(complaint=complaint)
    assert (entry.status, entry.district_id, entry.received_year) == ("received", district.pk, 2019)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN indexes exist on PostgreSQL only")
def test_on_postgresql_each_vector_shares_one_gin_index_with_the_filters(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_caseentry'")
        indexes = dict(cursor.fetchall())

    assert "USING gin (open_vector, status, district_id, received_year)" in indexes["search_caseentry_open_filters_gin"]
    assert "USING gin (full_vector, status, district_id, received_year)" in indexes["search_caseentry_full_filters_gin"]
    assert "search_caseentry_open_gin" not in indexes and "search_caseentry_full_gin" not in indexes
