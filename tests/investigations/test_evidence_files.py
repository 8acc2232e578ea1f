"""Stored files in case work: quarantine until the virus scanner has seen them (a real clamd where
the test says ``clamd``), downloads that no browser renders, the scan state carried from a
complainant's upload to its evidence item, and the sweep of files no record holds."""

import io
import os
import time

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from investigations.models import CustodyEvent, EvidenceItem
from investigations.services import triage as triage_services
from investigations.services.evidence import evidence_add
from oversight.models import AuditEvent
from oversight.storage import content_disposition, orphan_files_sweep, safe_content_type
from public_portal.models import DraftFile, IntakeDraft
from tests.factories import PNG_BYTES, AttachmentFactory
from tests.public_portal.intake_flow import Filing, file_complaint
from tests.scanner import EICAR, EICAR_SIGNATURE, FakeClamd, clamd  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
    "Cache-Control": "private, no-store",
}


def _url(name, complaint, *args):
    return reverse(f"cases:{name}", args=[complaint.tracking_number, *args])


def _add(complaint, actor, content, name):
    return evidence_add(
        complaint=complaint,
        actor=actor,
        kind=EvidenceItem.Kind.DOCUMENT,
        source="Complainant",
        description="Sent by email",
        stream=io.BytesIO(content),
        original_name=name,
    )


def _accept(complaint, supervisor):
    triage_services.triage_claim(complaint=complaint, actor=supervisor)
    triage_services.triage_accept(complaint=complaint, actor=supervisor)


def _assert_refused_download(client, complaint, item, *, status, words):
    response = client.get(_url("evidence_download", complaint, item.number))
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")  # a page, not the file
    page = response.content.decode()
    for word in words:
        assert word in page
    assert _url("evidence_download", complaint, item.number) not in page
    assert not item.custody_events.filter(action=CustodyEvent.Action.ACCESSED).exists()


# --- With the real scanner ---------------------------------------------------------------------------


@pytest.mark.usefixtures("clamd")
def test_eicar_through_the_public_form_is_quarantined_alerted_audited_and_never_downloadable(
    supervisor, django_capture_on_commit_callbacks
):
    resident = Client()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(resident, Filing(files=[("notes.txt", EICAR), ("photo.png", PNG_BYTES)]))
    infected, clean = complaint.attachments.order_by("id")
    assert (infected.scan_state, clean.scan_state) == ("infected", "clean")
    assert infected.scan_signature.startswith(EICAR_SIGNATURE)
    infected_events = AuditEvent.objects.filter(action="file.infected", target_id=str(complaint.pk))
    assert infected_events.count() == 1
    assert infected_events.get().data["records"] == [f"attachment {infected.pk}"]
    assert AuditEvent.objects.filter(action="file.scanned", target_id=str(complaint.pk)).count() == 2
    alerts = [message for message in mail.outbox if supervisor.email in message.to]
    assert len(alerts) == 1 and complaint.tracking_number in alerts[0].subject
    assert f"Where it is: attachment {infected.pk}." in alerts[0].body

    # The staff pages listing the complainant's files show it.
    staff = Client()
    staff.force_login(supervisor)
    overview = staff.get(_url("overview", complaint)).content.decode()
    assert "Infected: quarantined" in overview and "Virus scan: clean" in overview

    # Accepted, the uploads become evidence and keep their verdicts.
    with django_capture_on_commit_callbacks(execute=True):
        _accept(complaint, supervisor)
    quarantined = EvidenceItem.objects.get(from_attachment=infected)
    released = EvidenceItem.objects.get(from_attachment=clean)
    assert quarantined.scan_state == "infected" and quarantined.scan_signature.startswith(EICAR_SIGNATURE)
    assert released.scan_state == "clean"

    for _attempt in range(2):
        _assert_refused_download(staff, complaint, quarantined, status=403, words=["found a virus", EICAR_SIGNATURE])
    detail = staff.get(_url("evidence_detail", complaint, quarantined.number)).content.decode()
    assert "Infected: quarantined" in detail and "nobody can download it" in detail
    assert _url("evidence_download", complaint, quarantined.number) not in detail
    listing = staff.get(_url("evidence", complaint)).content.decode()
    assert "Infected: quarantined" in listing
    refused = AuditEvent.objects.filter(action="evidence.accessed", outcome="denied", target_id=str(complaint.pk))
    assert refused.count() == 2 and refused.first().data["scan_state"] == "infected"

    download = staff.get(_url("evidence_download", complaint, released.number))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG_BYTES
    for header, value in DOWNLOAD_HEADERS.items():
        assert download[header] == value


@pytest.mark.usefixtures("clamd")
def test_eicar_as_staff_evidence_is_quarantined_and_a_clean_file_is_released(
    client, complaint, assigned_investigator, supervisor, django_capture_on_commit_callbacks
):
    client.force_login(assigned_investigator)
    with django_capture_on_commit_callbacks(execute=True):
        for name, content in (("dispatch-log.txt", EICAR), ("wall.png", PNG_BYTES)):
            response = client.post(
                _url("evidence", complaint),
                {
                    "kind": EvidenceItem.Kind.DOCUMENT,
                    "source": "Dispatch",
                    "description": f"Received by email: {name}",
                    "file": _upload(name, content),
                },
            )
            assert response.status_code == 302
    infected, clean = EvidenceItem.objects.filter(complaint=complaint).order_by("number")
    assert infected.scan_state == "infected" and infected.scan_signature.startswith(EICAR_SIGNATURE)
    assert clean.scan_state == "clean"
    event = AuditEvent.objects.get(action="file.infected", target_id=str(complaint.pk))
    assert event.data["records"] == [f"evidence {infected.label}"]
    assert [message.to for message in mail.outbox if "Virus found" in message.subject] == [[supervisor.email]]
    for user in (assigned_investigator, supervisor):
        client.force_login(user)
        _assert_refused_download(client, complaint, infected, status=403, words=["found a virus"])
    download = client.get(_url("evidence_download", complaint, clean.number))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG_BYTES
    assert download["Content-Security-Policy"] == "sandbox"


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- Quarantine and release without the real scanner ------------------------------------------------


def test_a_pending_file_says_so_and_cannot_be_downloaded(settings, client, complaint, assigned_investigator):
    settings.CLAMAV_ADDRESS = "127.0.0.1:9"  # configured; its scan runs only after a commit
    item = _add(complaint, assigned_investigator, PNG_BYTES, "scene.png")
    assert item.scan_state == "pending"
    client.force_login(assigned_investigator)
    detail = client.get(_url("evidence_detail", complaint, item.number)).content.decode()
    assert "waiting for its virus scan" in detail
    assert _url("evidence_download", complaint, item.number) not in detail
    _assert_refused_download(client, complaint, item, status=409, words=["waiting for its virus scan"])


def test_a_failed_scan_says_it_will_be_retried_and_cannot_be_downloaded(
    settings, client, complaint, assigned_investigator
):
    with FakeClamd(b"Can't allocate memory ERROR\0") as fake:
        settings.CLAMAV_ADDRESS = fake.address
        item = _add(complaint, assigned_investigator, PNG_BYTES, "scene.png")
        from oversight.scanning import file_scan

        file_scan(item.file.name)
    client.force_login(assigned_investigator)
    _assert_refused_download(
        client, complaint, item, status=409, words=["could not be completed", "tried again automatically"]
    )


def test_without_a_scanner_files_are_marked_not_scanned_shown_so_and_downloadable(
    client, complaint, assigned_investigator
):
    item = _add(complaint, assigned_investigator, PNG_BYTES, "scene.png")
    assert item.scan_state == "not_scanned"
    client.force_login(assigned_investigator)
    listing = client.get(_url("evidence", complaint)).content.decode()
    assert "Not scanned for viruses" in listing
    detail = client.get(_url("evidence_detail", complaint, item.number)).content.decode()
    assert "not checked for viruses" in detail
    assert _url("evidence_download", complaint, item.number) in detail
    download = client.get(_url("evidence_download", complaint, item.number))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG_BYTES


def test_an_upload_still_pending_at_acceptance_gets_the_verdict_on_its_evidence_item_too(
    settings, complaint, supervisor, django_capture_on_commit_callbacks
):
    with FakeClamd() as fake:
        settings.CLAMAV_ADDRESS = fake.address
        attachment = AttachmentFactory(complaint=complaint)  # its scan is queued, not yet run
        with django_capture_on_commit_callbacks(execute=True):
            _accept(complaint, supervisor)
        assert len(fake.received) == 1
    item = EvidenceItem.objects.get(from_attachment=attachment)
    attachment.refresh_from_db()
    assert (attachment.scan_state, item.scan_state) == ("clean", "clean")
    assert item.file.name == attachment.file.name


# --- Downloads are inert ---------------------------------------------------------------------------


def test_every_download_is_an_attachment_with_rfc_6266_names_nosniff_and_a_sandbox(
    client, complaint, assigned_investigator
):
    photo = _add(complaint, assigned_investigator, PNG_BYTES, "foto de la pared ñ.png")
    note = _add(complaint, assigned_investigator, b"Notes: 3 < 4, nothing more.\n", 'evil"\r\nX-Injected: 1.txt')
    client.force_login(assigned_investigator)
    response = client.get(_url("evidence_download", complaint, photo.number))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"foto de la pared _.png\"; filename*=UTF-8''foto%20de%20la%20pared%20%C3%B1.png"
    )
    assert response["Content-Type"] == "image/png"
    for header, value in DOWNLOAD_HEADERS.items():
        assert response[header] == value
    # Read to the end, which closes the file (closing the response by hand would also close the
    # test's database connection).
    assert b"".join(response.streaming_content) == PNG_BYTES
    response = client.get(_url("evidence_download", complaint, note.number))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="evil_X-Injected: 1.txt"; filename*=')
    assert "X-Injected" not in response.headers
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content) == b"Notes: 3 < 4, nothing more.\n"


@pytest.mark.parametrize(
    ("stored", "served"),
    [
        ("image/png", "image/png"),
        ("application/pdf", "application/pdf"),
        ("text/plain", "text/plain; charset=utf-8"),
        ("video/mp4", "video/mp4"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/xhtml+xml", "application/octet-stream"),
        ("application/javascript", "application/octet-stream"),
        ("", "application/octet-stream"),
    ],
)
def test_only_types_a_browser_will_not_run_are_served_as_themselves(stored, served):
    assert safe_content_type(stored) == served


def test_content_disposition_is_always_an_attachment():
    assert content_disposition("") == "attachment; filename=\"download\"; filename*=UTF-8''download"
    assert content_disposition("../../etc/passwd") == (
        "attachment; filename=\".._.._etc_passwd\"; filename*=UTF-8''.._.._etc_passwd"
    )
    assert content_disposition("100%.pdf") == "attachment; filename=\"100_.pdf\"; filename*=UTF-8''100%25.pdf"


def test_the_board_packet_download_is_inert_too(client, complaint, supervisor):
    from investigations.models import GeneratedDocument

    _accept(complaint, supervisor)
    document = GeneratedDocument.objects.create(
        kind=GeneratedDocument.Kind.BOARD_PACKET, complaint=complaint, requested_by=supervisor
    )
    document.file.save("packet", ContentFile(b"%PDF-1.4 packet"), save=False)
    document.ready_at = timezone.now()
    document.save()
    client.force_login(supervisor)
    response = client.get(reverse("board:packet_file", args=[complaint.tracking_number, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 packet"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="board-packet-{complaint.tracking_number}.pdf"'
    )
    for header, value in DOWNLOAD_HEADERS.items():
        assert response[header] == value


# --- The sweep of files no record holds ----------------------------------------------------------


def _age(storage, name, days):
    past = time.time() - days * 86400
    os.utime(storage.path(name), (past, past))


def test_orphan_files_older_than_a_day_are_swept_and_the_rest_kept(complaint, assigned_investigator):
    private, staging = storages["private"], storages["staging"]
    orphan = private.save("attachments/00/00/orphan", ContentFile(b"left behind by a crash"))
    fresh = private.save("evidence/00/00/fresh", ContentFile(b"its record is being written"))
    attachment = AttachmentFactory(complaint=complaint)
    item = _add(complaint, assigned_investigator, PNG_BYTES, "scene.png")
    draft = IntakeDraft.objects.create()
    staged = DraftFile(draft=draft, original_name="a.png", size=len(PNG_BYTES), content_type="image/png", sha256="0")
    staged.file.save("upload", ContentFile(PNG_BYTES), save=True)
    staged_orphan = staging.save(f"{draft.token}/orphan", ContentFile(PNG_BYTES))
    for storage, name in (
        (private, orphan),
        (private, attachment.file.name),
        (private, item.file.name),
        (staging, staged.file.name),
        (staging, staged_orphan),
    ):
        _age(storage, name, days=2)
    _age(private, fresh, days=0.5)

    assert orphan_files_sweep() == {"private": 1, "staging": 1}

    assert not private.exists(orphan) and not staging.exists(staged_orphan)
    for storage, name in (
        (private, fresh),
        (private, attachment.file.name),
        (private, item.file.name),
        (staging, staged.file.name),
    ):
        assert storage.exists(name), name
    event = AuditEvent.objects.get(action="file.swept")
    assert event.data == {"removed": {"private": 1, "staging": 1}, "total": 2}
    assert "orphan" not in str(event.data) and draft.token not in str(event.data)


def test_the_sweep_command_reports_what_it_removed(capsys):
    private = storages["private"]
    old = private.save("attachments/11/11/old", ContentFile(b"x"))
    _age(private, old, days=3)
    call_command("sweep_orphan_files")
    assert "1 orphan file(s) deleted (private: 1, staging: 0)." in capsys.readouterr().out
    assert not private.exists(old)
