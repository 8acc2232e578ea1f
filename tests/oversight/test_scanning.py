"""The clamd client (INSTREAM over a socket) against a fake server, and what each verdict does to
the stored files' records: released, quarantined with an alert, or retried after a failure."""

import io
import os
import tempfile
from datetime import timedelta

import pytest
from django.core import mail

from complaints.models import Attachment
from oversight.models import AuditEvent
from oversight.scanning import (
    ClamdClient,
    ScanError,
    ScanState,
    file_scan,
    file_scans_retry,
    infected_file_alert,
    parse_reply,
)
from tests.factories import AttachmentFactory, ComplaintFactory
from tests.scanner import EICAR, EICAR_SIGNATURE, FakeClamd, clamd  # noqa: F401  (the fixture)

FOUND = b"stream: Eicar-Test-Signature FOUND\0"


class RecordingStream(io.BytesIO):
    """A file that remembers the largest read asked of it: the client must never read it whole."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.largest_read = 0

    def read(self, size=-1):
        self.largest_read = max(self.largest_read, size if size >= 0 else len(self.getvalue()) + 1)
        return super().read(size)


# --- The client --------------------------------------------------------------------------------------


def test_instream_sends_length_prefixed_chunks_and_a_zero_terminator_and_reads_ok():
    data = os.urandom(3500)
    stream = RecordingStream(data)
    with FakeClamd(b"stream: OK\0") as fake:
        verdict = ClamdClient(fake.address, chunk_size=1000).scan(stream)
    assert not verdict.infected and verdict.signature == ""
    assert fake.commands == [b"zINSTREAM\0"]
    assert fake.chunks == [1000, 1000, 1000, 500]
    assert fake.received == [data]
    assert stream.largest_read == 1000


def test_found_reply_names_the_signature():
    with FakeClamd(FOUND) as fake:
        verdict = ClamdClient(fake.address).scan(io.BytesIO(EICAR))
    assert verdict.infected
    assert verdict.signature == "Eicar-Test-Signature"
    assert fake.received == [EICAR]


def test_error_reply_raises_scan_error_with_clamds_words():
    with FakeClamd(b"INSTREAM size limit exceeded. ERROR\0") as fake, pytest.raises(ScanError, match="size limit"):
        ClamdClient(fake.address).scan(io.BytesIO(b"some bytes"))


def test_a_server_that_never_answers_times_out():
    with FakeClamd(None) as fake, pytest.raises(ScanError, match="did not answer in time"):
        ClamdClient(fake.address, timeout=0.3).scan(io.BytesIO(b"waiting"))


def test_a_server_that_closes_the_connection_mid_stream_gives_a_scan_error():
    refusing = FakeClamd(b"INSTREAM size limit exceeded. ERROR\0", close_after=64 * 1024)
    with refusing, pytest.raises(ScanError):
        ClamdClient(refusing.address, chunk_size=64 * 1024).scan(io.BytesIO(os.urandom(8 * 1024 * 1024)))


def test_unreachable_scanner_and_bad_addresses_give_scan_errors():
    with FakeClamd() as fake:
        address = fake.address
    with pytest.raises(ScanError, match="cannot reach"):
        ClamdClient(address, timeout=1).scan(io.BytesIO(b"x"))
    with pytest.raises(ScanError, match="neither host:port nor unix"):
        ClamdClient("clamd.example", timeout=1).scan(io.BytesIO(b"x"))
    assert ClamdClient(address, timeout=1).ping() is False


def test_unix_socket_addresses_work_and_ping_answers():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "clamd.sock")
        with FakeClamd(FOUND, unix_path=path) as fake:
            assert fake.address == f"unix:{path}"
            client = ClamdClient(fake.address, timeout=2)
            assert client.ping() is True
            assert client.scan(io.BytesIO(EICAR)).signature == "Eicar-Test-Signature"
            # A bare path is a Unix socket too.
            assert ClamdClient(path, timeout=2).ping() is True


@pytest.mark.parametrize(
    ("reply", "signature"),
    [
        (b"stream: OK\0", ""),
        (b"stream: OK", ""),
        (b"stream: Win.Test.EICAR_HDB-1 FOUND\0", "Win.Test.EICAR_HDB-1"),
        (
            b"stream: Eicar-Test-Signature(44d88612fea8a8f36de82e1278abb02f:68) FOUND\0",
            "Eicar-Test-Signature(44d88612fea8a8f36de82e1278abb02f:68)",
        ),
    ],
)
def test_replies_are_parsed(reply, signature):
    assert parse_reply(reply).signature == signature


@pytest.mark.parametrize(
    "reply", [b"", b"\0", b"PONG\0", b"stream: FOUND\0", b"stream: maybe\0", b"Can't allocate memory ERROR\0"]
)
def test_anything_else_is_not_a_verdict(reply):
    with pytest.raises(ScanError):
        parse_reply(reply)


@pytest.mark.usefixtures("clamd")
def test_the_real_clamd_finds_eicar_and_passes_other_files(settings):
    client = ClamdClient(settings.CLAMAV_ADDRESS, timeout=30)
    assert client.ping() is True
    assert client.scan(io.BytesIO(EICAR)).signature.startswith(EICAR_SIGNATURE)
    large = RecordingStream(os.urandom(5 * 1024 * 1024))
    assert client.scan(large).infected is False
    assert large.largest_read == 64 * 1024


# --- Verdicts on stored files --------------------------------------------------------------------


def _pending_attachment(settings, address, **kwargs):
    settings.CLAMAV_ADDRESS = address
    attachment = AttachmentFactory(**kwargs)
    assert attachment.scan_state == ScanState.PENDING
    return attachment


@pytest.mark.django_db
def test_a_clean_verdict_releases_the_file_and_is_audited(settings):
    with FakeClamd() as fake:
        attachment = _pending_attachment(settings, fake.address)
        assert file_scan(attachment.file.name) == ScanState.CLEAN
    attachment.refresh_from_db()
    assert attachment.scan_state == "clean" and attachment.downloadable
    assert attachment.scan_attempts == 1 and attachment.scanned_at is not None
    event = AuditEvent.objects.get(action="file.scanned")
    assert event.target_label == attachment.complaint.tracking_number
    assert event.data["state"] == "clean"
    assert event.data["records"] == [f"attachment {attachment.pk}"]
    assert event.data["sha256"] == attachment.sha256
    assert "photo.png" not in str(event.data)
    assert not AuditEvent.objects.filter(action="file.infected").exists()


@pytest.mark.django_db
def test_an_infected_verdict_quarantines_audits_and_emails_every_supervisor_once(
    settings, supervisor, intake_coordinator, django_capture_on_commit_callbacks
):
    from oversight.permissions import Role
    from tests.factories import UserFactory

    second = UserFactory(username="sam_second_supervisor", roles=[Role.SUPERVISOR])
    UserFactory(username="retired_supervisor", roles=[Role.SUPERVISOR], is_active=False)
    with FakeClamd(FOUND) as fake:
        attachment = _pending_attachment(settings, fake.address, original_name="Rosa Delgado statement.txt")
        with django_capture_on_commit_callbacks(execute=True):
            assert file_scan(attachment.file.name) == ScanState.INFECTED
    attachment.refresh_from_db()
    assert attachment.scan_state == "infected" and not attachment.downloadable
    assert attachment.scan_signature == "Eicar-Test-Signature"
    infected = AuditEvent.objects.get(action="file.infected")
    assert infected.target_label == attachment.complaint.tracking_number
    assert infected.data["finding"] == "Eicar-Test-Signature"
    assert "Rosa" not in str(infected.data)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([supervisor.email, second.email])
    message = mail.outbox[0]
    assert attachment.complaint.tracking_number in message.subject
    assert "Eicar-Test-Signature" in message.body
    assert "Rosa" not in message.body and "Rosa" not in message.subject
    # Each supervisor hears about a file once, however often the alert runs.
    assert infected_file_alert(attachment.file.name) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_failed_scan_keeps_the_file_in_quarantine_and_is_retried_later(settings, django_capture_on_commit_callbacks):
    with FakeClamd(b"Can't allocate memory ERROR\0") as fake:
        attachment = _pending_attachment(settings, fake.address)
        assert file_scan(attachment.file.name) == ScanState.ERROR
        attachment.refresh_from_db()
        assert attachment.scan_state == "error" and not attachment.downloadable
        assert "allocate memory" in attachment.scan_signature
        failed = AuditEvent.objects.get(action="file.scanned")
        assert failed.outcome == "failed" and failed.data["state"] == "error"
        # The first retry waits 15 minutes after the failure.
        assert file_scans_retry(now=attachment.scanned_at + timedelta(minutes=14)) == 0
        fake.reply = b"stream: OK\0"
        with django_capture_on_commit_callbacks(execute=True):
            assert file_scans_retry(now=attachment.scanned_at + timedelta(minutes=16)) == 1
    attachment.refresh_from_db()
    assert attachment.scan_state == "clean" and attachment.scan_attempts == 2


@pytest.mark.django_db
def test_the_retry_delay_doubles_with_each_failure(settings):
    with FakeClamd(b"Can't allocate memory ERROR\0") as fake:
        attachment = _pending_attachment(settings, fake.address)
        file_scan(attachment.file.name)
        Attachment.objects.filter(pk=attachment.pk).update(scan_attempts=3)
        attachment.refresh_from_db()
        # Third failure: 15 min x 4 = one hour.
        assert file_scans_retry(now=attachment.scanned_at + timedelta(minutes=59)) == 0
        assert file_scans_retry(now=attachment.scanned_at + timedelta(minutes=61)) == 1


@pytest.mark.django_db
def test_without_a_scanner_files_are_marked_not_scanned_at_once_and_stay_downloadable(
    settings, django_capture_on_commit_callbacks
):
    settings.CLAMAV_ADDRESS = ""
    with django_capture_on_commit_callbacks() as queued:
        attachment = AttachmentFactory()
    assert attachment.scan_state == "not_scanned" and attachment.downloadable
    # Nothing to scan, nothing queued (but the search index's update of the case).
    from search.indexing import _Send

    assert [callback for callback in queued if not isinstance(callback, _Send)] == []


@pytest.mark.django_db
def test_pending_files_are_marked_not_scanned_when_the_scanner_is_removed(settings):
    with FakeClamd() as fake:
        attachment = _pending_attachment(settings, fake.address)
    settings.CLAMAV_ADDRESS = ""
    assert file_scans_retry() == 1
    attachment.refresh_from_db()
    assert attachment.scan_state == "not_scanned"


@pytest.mark.django_db
def test_a_lost_scan_is_queued_again_and_files_stored_without_a_scanner_are_scanned_once_one_is_configured(
    settings, django_capture_on_commit_callbacks
):
    settings.CLAMAV_ADDRESS = ""
    unscanned = AttachmentFactory()
    with FakeClamd() as fake:
        lost = _pending_attachment(settings, fake.address, complaint=ComplaintFactory())
        fresh = _pending_attachment(settings, fake.address, complaint=ComplaintFactory())
        Attachment.objects.filter(pk=lost.pk).update(created_at=lost.created_at - timedelta(minutes=11))
        with django_capture_on_commit_callbacks(execute=True):
            assert file_scans_retry() == 2
        assert len(fake.received) == 2
    for row, state in ((unscanned, "clean"), (lost, "clean"), (fresh, "pending")):
        row.refresh_from_db()
        assert row.scan_state == state


@pytest.mark.django_db
def test_a_file_released_before_scanning_stays_downloadable_through_a_scanner_outage(settings):
    settings.CLAMAV_ADDRESS = ""
    attachment = AttachmentFactory()
    with FakeClamd(b"Can't allocate memory ERROR\0") as fake:
        settings.CLAMAV_ADDRESS = fake.address
        assert file_scan(attachment.file.name) == ScanState.ERROR
        attachment.refresh_from_db()
        assert attachment.scan_state == "not_scanned" and attachment.downloadable
        assert attachment.scan_attempts == 1
        # Its next try waits like any failed scan's.
        assert file_scans_retry(now=attachment.scanned_at + timedelta(minutes=5)) == 0
        assert file_scans_retry(now=attachment.scanned_at + timedelta(minutes=16)) == 1


@pytest.mark.django_db
def test_a_file_with_a_verdict_is_not_scanned_again(settings):
    with FakeClamd() as fake:
        attachment = _pending_attachment(settings, fake.address)
        file_scan(attachment.file.name)
        assert file_scan(attachment.file.name) is None
        assert len(fake.received) == 1


@pytest.mark.django_db
def test_a_missing_stored_file_is_an_error_not_a_crash(settings, private_storage):
    with FakeClamd() as fake:
        attachment = _pending_attachment(settings, fake.address)
        private_storage.delete(attachment.file.name)
        assert file_scan(attachment.file.name) == ScanState.ERROR
    attachment.refresh_from_db()
    assert attachment.scan_signature == "the stored file is missing"


def test_the_periodic_jobs_are_scheduled(settings):
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks["oversight.tasks.retry_file_scans"] == 900.0
    assert tasks["oversight.tasks.sweep_orphan_files"] == 86400.0
