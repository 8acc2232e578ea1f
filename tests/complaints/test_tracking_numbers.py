import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections, transaction

from complaints import services
from complaints.models import Complaint, TrackingSequence


@pytest.mark.django_db
def test_numbers_are_sequential_per_year_with_the_configured_prefix(settings):
    settings.TRACKING_NUMBER_PREFIX = "OPA"
    first = services.complaint_create(narrative="First", received_at=datetime(2026, 2, 1, 12, tzinfo=UTC))
    second = services.complaint_create(narrative="Second", received_at=datetime(2026, 2, 2, 12, tzinfo=UTC))
    next_year = services.complaint_create(narrative="Third", received_at=datetime(2027, 1, 2, 12, tzinfo=UTC))
    assert [first.tracking_number, second.tracking_number, next_year.tracking_number] == [
        "OPA-2026-00001",
        "OPA-2026-00002",
        "OPA-2027-00001",
    ]


@pytest.mark.django_db
def test_the_year_is_the_local_year_of_receipt(settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    # 03:00 UTC on 1 January is still New Year's Eve in Los Angeles.
    complaint = services.complaint_create(narrative="Late night", received_at=datetime(2027, 1, 1, 3, tzinfo=UTC))
    assert complaint.tracking_number.startswith("CPC-2026-")


@pytest.mark.django_db
def test_a_rolled_back_creation_gives_its_number_back():
    services.complaint_create(narrative="Kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.complaint_create(narrative="Rolled back")
        raise RuntimeError("the request failed after creating the complaint")
    third = services.complaint_create(narrative="Next")
    year = third.received_at.year
    assert third.tracking_number == f"CPC-{year}-00002"


@pytest.mark.django_db(transaction=True)
def test_issuing_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        services.tracking_number_issue(received_at=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_creating_complaints_at_once_get_distinct_gap_free_numbers():
    assert connection.vendor == "postgresql"
    received = datetime(2026, 6, 1, 12, tzinfo=UTC)
    barrier = threading.Barrier(20)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def create(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            complaint = services.complaint_create(narrative=f"Concurrent complaint {i}", received_at=received)
            with lock:
                numbers.append(complaint.tracking_number)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(numbers) == [f"CPC-2026-{n:05d}" for n in range(1, 21)]
    assert Complaint.objects.count() == 20
    assert TrackingSequence.objects.get(prefix="CPC", year=2026).last_number == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_threads_submitting_the_same_form_token_file_exactly_one_complaint():
    import io

    from tests.factories import PNG_BYTES

    assert connection.vendor == "postgresql"
    form_data = {
        "incident": {"narrative": "Same form, fifty requests at once.", "location": "Main St"},
        "officers": [{"known": "unknown"}],
        "kinds": ["rude"],
        "witnesses": [],
        "about": {"filing_as": "self", "first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.com"},
    }
    barrier = threading.Barrier(50)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            barrier.wait(timeout=60)
            complaint = services.complaint_submit(
                form_data=form_data,
                files=[(io.BytesIO(PNG_BYTES), "photo.png")],
                language="en",
                idempotency_key="f" * 32,
                status_code="ABCD-EFGH-JKLM",
            )
            with lock:
                numbers.append(complaint.tracking_number)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(numbers) == 50 and len(set(numbers)) == 1
    complaint = Complaint.objects.get()
    assert complaint.attachments.count() == 1
    assert complaint.parties.count() == 1
    from pathlib import Path

    from django.core.files.storage import storages

    stored = [p for p in Path(storages["private"].location).rglob("*") if p.is_file()]
    assert len(stored) == 1  # the losing requests left no orphan file
