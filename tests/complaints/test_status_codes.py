import hashlib
import hmac
import io
import re
import threading
import time
from datetime import UTC, datetime

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, connections, transaction
from django.test import Client

from complaints import services, status_codes
from complaints.models import Complaint, TrackingSequence
from tests.factories import PNG_BYTES, ComplaintFactory

CODE = "K7QM-2XPD-9TRA"
FORM = {
    "incident": {"narrative": "The officer would not give a badge number.", "location": "Main St"},
    "officers": [{"known": "unknown"}],
    "kinds": ["rude"],
    "witnesses": [],
    "about": {"filing_as": "self", "first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.com"},
}


def _submit(key: str, code: str = CODE, **kwargs) -> Complaint:
    return services.complaint_submit(
        form_data=FORM,
        files=[(io.BytesIO(PNG_BYTES), "photo.png")],
        language="en",
        idempotency_key=key,
        status_code=code,
        **kwargs,
    )


def _look_up(tracking_number: str, code: str, client: Client | None = None):
    return (client or Client()).post("/status/", {"tracking_number": tracking_number, "code": code})


def _normalised(response, *typed: str) -> str:
    """The page minus the CSRF token and the visitor's own input echoed back in the form."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    for text in typed:
        body = body.replace(f'value="{text}"', 'value=""')
    return body


def _legacy_hash(code: str) -> str:
    # What a code filed before the HMAC form holds: a Django PBKDF2 password hash (few
    # iterations here only to keep the test quick; the iteration count is part of the hash).
    return PBKDF2PasswordHasher().encode(status_codes.normalise_status_code(code), "legacysalt", iterations=1000)


@pytest.fixture
def legacy_hashers(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]


# --- The stored form --------------------------------------------------------------------------------


def test_the_code_is_stored_as_a_keyed_hmac_of_the_normalised_code(settings, db):
    settings.STATUS_CODE_KEY = "test-key"
    complaint = _submit("a" * 32)
    expected = hmac.new(b"test-key", b"K7QM2XPD9TRA", hashlib.sha256).hexdigest()
    assert complaint.status_code_hash == f"hmac-sha256${expected}"
    assert Complaint.objects.get(pk=complaint.pk).status_code_hash == f"hmac-sha256${expected}"
    assert status_codes.status_code_digest("k7qm 2xpd-9tra") == f"hmac-sha256${expected}"


# --- Lookup ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_code_opens_the_status_page():
    complaint = _submit("b" * 32)
    response = _look_up(complaint.tracking_number, CODE.lower())
    assert response.status_code == 200
    assert "<strong>Received</strong>" in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_code_is_refused():
    complaint = _submit("c" * 32)
    response = _look_up(complaint.tracking_number, "AAAA-BBBB-CCCC")
    assert response.status_code == 400
    assert "We could not find a complaint with that tracking number and code" in response.content.decode()


@pytest.mark.django_db
def test_an_old_pbkdf2_code_still_works_and_is_upgraded_to_hmac(legacy_hashers):
    complaint = ComplaintFactory()
    Complaint.objects.filter(pk=complaint.pk).update(status_code_hash=_legacy_hash(CODE))

    assert _look_up(complaint.tracking_number, CODE).status_code == 200

    upgraded = Complaint.objects.get(pk=complaint.pk).status_code_hash
    assert upgraded.startswith("hmac-sha256$") and "pbkdf2" not in upgraded
    assert upgraded == status_codes.status_code_digest(CODE)
    assert _look_up(complaint.tracking_number, CODE).status_code == 200  # and keeps working


@pytest.mark.django_db
def test_a_wrong_code_against_an_old_hash_is_refused_and_changes_nothing(legacy_hashers):
    complaint = ComplaintFactory()
    old = _legacy_hash(CODE)
    Complaint.objects.filter(pk=complaint.pk).update(status_code_hash=old)

    assert _look_up(complaint.tracking_number, "AAAA-BBBB-CCCC").status_code == 400
    assert Complaint.objects.get(pk=complaint.pk).status_code_hash == old


@pytest.mark.django_db
def test_a_wrong_number_and_a_wrong_code_get_identical_answers_after_the_same_work(monkeypatch):
    complaint = _submit("d" * 32)
    digests: list[str] = []
    original = status_codes.status_code_digest

    def counted(code: str) -> str:
        digests.append(code)
        return original(code)

    monkeypatch.setattr(status_codes, "status_code_digest", counted)

    wrong_number = _look_up("CPC-2026-99999", CODE)
    work_for_wrong_number = len(digests)
    wrong_code = _look_up(complaint.tracking_number, "AAAA-BBBB-CCCC")
    work_for_wrong_code = len(digests) - work_for_wrong_number

    assert wrong_number.status_code == wrong_code.status_code == 400
    assert _normalised(wrong_number, "CPC-2026-99999", CODE) == _normalised(
        wrong_code, complaint.tracking_number, "AAAA-BBBB-CCCC"
    )
    assert work_for_wrong_number == work_for_wrong_code == 1  # one HMAC each, no slow hash


@pytest.mark.django_db
def test_the_lookup_is_still_rate_limited(settings):
    settings.RATE_LIMIT_STATUS_LOOKUP = "3/60"
    complaint = _submit("e" * 32)
    visitor = Client()
    for _ in range(3):
        assert _look_up(complaint.tracking_number, "AAAA-BBBB-CCCC", visitor).status_code == 400
    refused = _look_up(complaint.tracking_number, CODE, visitor)
    assert refused.status_code == 429
    assert "try again in 1 minute" in refused.content.decode()


# --- The key ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changing_the_status_code_key_invalidates_codes(settings):
    settings.STATUS_CODE_KEY = "the first key"
    complaint = _submit("f" * 32)
    assert _look_up(complaint.tracking_number, CODE).status_code == 200

    settings.STATUS_CODE_KEY = "a different key"
    assert _look_up(complaint.tracking_number, CODE).status_code == 400


def test_the_key_comes_from_the_environment_when_set(monkeypatch, tmp_path):
    from oversight import settings as settings_module

    monkeypatch.setattr(settings_module, "DATA_DIR", tmp_path)
    monkeypatch.setenv("STATUS_CODE_KEY", "configured in production")
    assert settings_module._key("STATUS_CODE_KEY", "status_code_key") == "configured in production"
    assert not (tmp_path / "status_code_key").exists()


def test_without_the_environment_the_key_is_generated_once_into_the_data_folder(monkeypatch, tmp_path):
    from oversight import settings as settings_module

    monkeypatch.setattr(settings_module, "DATA_DIR", tmp_path)
    monkeypatch.delenv("STATUS_CODE_KEY", raising=False)
    first = settings_module._key("STATUS_CODE_KEY", "status_code_key")
    assert len(first) >= 64
    assert settings_module._key("STATUS_CODE_KEY", "status_code_key") == first  # kept, not regenerated
    key_file = tmp_path / "status_code_key"
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o777 == 0o600


# --- Slow work stays out of the tracking-number transaction ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_hashing_and_file_storage_happen_before_the_transaction(monkeypatch):
    in_transaction: dict[str, bool] = {}
    digest, note_written = status_codes.status_code_digest, services.note_written

    def watched_digest(code: str) -> str:
        in_transaction["hash"] = transaction.get_connection().in_atomic_block
        return digest(code)

    def watched_note_written(storage, name) -> None:
        in_transaction["file"] = transaction.get_connection().in_atomic_block
        note_written(storage, name)

    monkeypatch.setattr(status_codes, "status_code_digest", watched_digest)
    monkeypatch.setattr(services, "note_written", watched_note_written)

    complaint = _submit("g" * 32)

    assert in_transaction == {"hash": False, "file": False}
    assert complaint.attachments.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_submissions_do_not_queue_behind_each_others_hashing(monkeypatch):
    """The slow part of a submission, hashing its status code, happens before it takes the
    tracking-number sequence lock, so concurrent submissions never wait for each other's hashing.
    Each thread's steps are recorded in order: in every one, the hash comes before the lock (and
    none hashes while holding it), and the ten numbers still come out unique and gap-free."""
    assert connection.vendor == "postgresql"
    digest = status_codes.status_code_digest
    issue = services.tracking_number_issue
    steps: dict[int, list[str]] = {}
    lock = threading.Lock()

    def step(name: str) -> None:
        with lock:
            steps.setdefault(threading.get_ident(), []).append(name)

    def recorded_digest(code: str) -> str:
        step("hash")
        time.sleep(0.05)  # slow enough for the threads to overlap; nothing below is timed
        return digest(code)

    def recorded_issue(**kwargs):
        number = issue(**kwargs)
        step("locked")  # the sequence row stays locked until the submission's transaction ends
        transaction.on_commit(lambda: step("released"))
        return number

    monkeypatch.setattr(status_codes, "status_code_digest", recorded_digest)
    monkeypatch.setattr(services, "tracking_number_issue", recorded_issue)
    received = datetime(2026, 6, 1, 12, tzinfo=UTC)
    barrier = threading.Barrier(10)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def submit(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            complaint = _submit(f"{i:032d}", code=services.status_code_new(), received_at=received)
            with lock:
                numbers.append(complaint.tracking_number)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(numbers) == [f"CPC-2026-{n:05d}" for n in range(1, 11)]
    assert TrackingSequence.objects.get(prefix="CPC", year=2026).last_number == 10
    assert Complaint.objects.count() == 10
    # Each submission hashes its code (the status code; nothing else is hashed), then locks, then releases.
    assert len(steps) == 10
    assert all(thread_steps == ["hash", "locked", "released"] for thread_steps in steps.values()), steps
