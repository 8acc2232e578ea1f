"""Evidence: hashes taken on receipt and never changed, downloads recorded in the chain of custody,
custody events append-only, access limited to the people on the case."""

import hashlib
import io
import os
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms import modelform_factory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investigations.forms import evidence as evidence_forms
from investigations.models import CustodyEvent, EvidenceItem
from investigations.services.evidence import (
    custody_record,
    evidence_add,
    evidence_download,
    evidence_from_attachments,
)
from oversight.models import AuditEvent
from tests.factories import PNG_BYTES, AttachmentFactory

pytestmark = pytest.mark.django_db

HOSTILE_HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def _url(name, complaint, *args):
    return reverse(f"cases:{name}", args=[complaint.tracking_number, *args])


def _add(complaint, actor, content=PNG_BYTES, name="scene.png", **extra):
    return evidence_add(
        complaint=complaint,
        actor=actor,
        kind=extra.pop("kind", EvidenceItem.Kind.PHOTO),
        source=extra.pop("source", "Complainant"),
        description=extra.pop("description", "Photo of the wall outside the laundromat"),
        stream=io.BytesIO(content) if content is not None else None,
        original_name=name if content is not None else "",
        **extra,
    )


def _stored_files(storage) -> list[str]:
    root = Path(storage.location)
    if not root.exists():
        return []
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


# --- Receiving --------------------------------------------------------------------------------------


def test_stored_hash_equals_the_sha256_of_the_file(complaint, assigned_investigator, private_storage):
    item = _add(complaint, assigned_investigator)
    item.refresh_from_db()
    assert item.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    with private_storage.open(item.file.name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == item.sha256
    assert item.size == len(PNG_BYTES)
    assert item.content_type == "image/png"
    assert item.original_name == "scene.png"
    # Stored under a random key, never under the name the uploader chose.
    assert "scene" not in item.file.name
    assert item.label == "E-001"


def test_receiving_writes_a_received_custody_event_and_an_audit_event_without_personal_data(
    complaint, assigned_investigator
):
    item = _add(complaint, assigned_investigator, description="Statement of Rosa Delgado", source="Rosa Delgado")
    (event,) = item.custody_events.all()
    assert event.action == CustodyEvent.Action.RECEIVED
    assert event.actor == assigned_investigator
    audit_event = AuditEvent.objects.get(action="evidence.received")
    assert audit_event.actor == assigned_investigator
    assert audit_event.data["item"] == "E-001"
    assert audit_event.data["sha256"] == item.sha256
    assert "Rosa" not in str(audit_event.data) and "Rosa" not in audit_event.target_label


def test_items_are_numbered_per_case_and_resident_uploads_continue_the_sequence(
    complaint, other_complaint, assigned_investigator, supervisor
):
    first = _add(complaint, assigned_investigator)
    second = _add(complaint, assigned_investigator, content=None, kind=EvidenceItem.Kind.PHYSICAL)
    elsewhere = _add(other_complaint, supervisor)
    attachment = AttachmentFactory(complaint=complaint)
    (from_upload,) = evidence_from_attachments(complaint=complaint, actor=supervisor)
    assert [first.label, second.label, from_upload.label] == ["E-001", "E-002", "E-003"]
    assert elsewhere.label == "E-001"
    assert from_upload.sha256 == attachment.sha256
    assert not second.file and second.sha256 == ""
    # The resident's upload is downloadable as evidence, from the same stored file.
    with evidence_download(item=from_upload, actor=supervisor) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == attachment.sha256


def test_someone_who_cannot_work_the_case_cannot_add_evidence(complaint, other_investigator, board_member):
    for user in (other_investigator, board_member):
        with pytest.raises(PermissionDenied):
            _add(complaint, user)
    assert not EvidenceItem.objects.exists()


def test_hostile_upload_is_refused_by_the_service_and_nothing_is_stored(
    complaint, assigned_investigator, private_storage
):
    with pytest.raises(ValidationError) as refused:
        _add(complaint, assigned_investigator, content=HOSTILE_HTML, name="photo.jpg")
    assert "file" in refused.value.error_dict
    assert not EvidenceItem.objects.exists()
    assert not CustodyEvent.objects.exists()
    assert _stored_files(private_storage) == []


def test_hostile_upload_through_the_page_gets_a_4xx_and_nothing_is_stored(
    client, complaint, assigned_investigator, private_storage
):
    client.force_login(assigned_investigator)
    response = client.post(
        _url("evidence", complaint),
        {
            "kind": EvidenceItem.Kind.PHOTO,
            "source": "Complainant",
            "description": "A photo, supposedly",
            "file": SimpleUploadedFile("photo.jpg", HOSTILE_HTML, content_type="image/jpeg"),
        },
    )
    assert 400 <= response.status_code < 500
    assert "is not a kind the system accepts" in response.content.decode()
    assert not EvidenceItem.objects.exists()
    assert _stored_files(private_storage) == []


def test_a_failed_transaction_leaves_no_file_behind(complaint, assigned_investigator, private_storage, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("investigations.services.evidence.audit.record", explode)
    with pytest.raises(RuntimeError):
        _add(complaint, assigned_investigator)
    assert not EvidenceItem.objects.exists()
    assert _stored_files(private_storage) == []


# --- The hash cannot be changed -----------------------------------------------------------------------


def test_hash_and_file_fields_are_not_editable_by_any_model_form():
    for name in ("sha256", "file", "size", "content_type", "original_name", "number", "received_by"):
        assert EvidenceItem._meta.get_field(name).editable is False, name
    form_class = modelform_factory(EvidenceItem, fields="__all__")
    assert {"sha256", "file", "size", "content_type", "number"}.isdisjoint(form_class.base_fields)
    for form_class in (evidence_forms.EvidenceForm, evidence_forms.CustodyForm):
        assert "sha256" not in form_class.base_fields


def test_hash_cannot_be_changed_in_the_admin(client, complaint, assigned_investigator, django_user_model):
    item = _add(complaint, assigned_investigator)
    original = item.sha256
    if not admin.site.is_registered(EvidenceItem):
        # Not in the admin at all: nothing there can change it.
        assert EvidenceItem not in admin.site._registry
        return
    superuser = django_user_model.objects.create_superuser("root", "root@oversight.example", "pw")
    client.force_login(superuser)
    change_url = reverse("admin:investigations_evidenceitem_change", args=[item.pk])
    page = client.get(change_url)
    if page.status_code == 200:
        assert 'name="sha256"' not in page.content.decode()
        assert 'name="file"' not in page.content.decode()
    client.post(change_url, {"sha256": "0" * 64, "description": "changed"})
    item.refresh_from_db()
    assert item.sha256 == original


def test_no_evidence_page_changes_the_hash(client, complaint, assigned_investigator):
    item = _add(complaint, assigned_investigator)
    original = (item.sha256, item.file.name)
    client.force_login(assigned_investigator)
    client.post(_url("evidence_detail", complaint, item.number), {"sha256": "0" * 64, "file": "evil"})
    client.post(
        _url("evidence_custody", complaint, item.number),
        {"action": "copied", "note": "corrected", "sha256": "0" * 64},
    )
    item.refresh_from_db()
    assert (item.sha256, item.file.name) == original


# --- Downloads and custody --------------------------------------------------------------------------


def test_every_download_appends_an_accessed_custody_event_for_the_right_user(
    client, complaint, assigned_investigator, supervisor
):
    item = _add(complaint, assigned_investigator)
    client.force_login(assigned_investigator)
    for _ in range(2):
        response = client.get(_url("evidence_download", complaint, item.number))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG_BYTES
    client.force_login(supervisor)
    client.get(_url("evidence_download", complaint, item.number))
    accessed = list(item.custody_events.filter(action=CustodyEvent.Action.ACCESSED).order_by("id"))
    assert [event.actor for event in accessed] == [assigned_investigator, assigned_investigator, supervisor]
    assert AuditEvent.objects.filter(action="evidence.accessed").count() == 3


def test_download_is_an_attachment_with_the_original_name_and_no_sniffing(client, complaint, assigned_investigator):
    item = _add(complaint, assigned_investigator, name="wall photo.png")
    client.force_login(assigned_investigator)
    response = client.get(_url("evidence_download", complaint, item.number))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "wall photo.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_assigned_investigator_can_add_and_download_through_the_pages(client, complaint, assigned_investigator):
    client.force_login(assigned_investigator)
    page = client.get(_url("evidence", complaint))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(
        _url("evidence", complaint),
        {
            "kind": EvidenceItem.Kind.PHOTO,
            "source": "Complainant",
            "description": "Photo of the wall",
            "file": SimpleUploadedFile("wall.png", PNG_BYTES, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get(complaint=complaint)
    assert response["Location"] == _url("evidence_detail", complaint, item.number)
    assert item.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    detail = client.get(response["Location"]).content.decode()
    assert item.sha256 in detail
    assert "Received" in detail
    download = client.get(_url("evidence_download", complaint, item.number))
    assert b"".join(download.streaming_content) == PNG_BYTES
    assert item.custody_events.count() == 2


def test_list_shows_number_hash_file_and_custody_count(client, complaint, assigned_investigator):
    item = _add(complaint, assigned_investigator)
    evidence_download(item=item, actor=assigned_investigator).close()
    client.force_login(assigned_investigator)
    body = client.get(_url("evidence", complaint)).content.decode()
    assert "E-001" in body
    assert f'title="{item.sha256}"' in body
    assert "scene.png" in body
    assert "<td>2</td>" in body


def test_custody_events_are_append_only(complaint, assigned_investigator):
    item = _add(complaint, assigned_investigator)
    event = item.custody_events.get()
    event.note = "rewritten"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    event.refresh_from_db()
    assert event.note == ""


def test_recording_a_transfer_needs_the_other_side(complaint, assigned_investigator):
    item = _add(complaint, assigned_investigator)
    with pytest.raises(ValidationError):
        custody_record(item=item, actor=assigned_investigator, action="transferred")
    with pytest.raises(ValidationError):
        custody_record(item=item, actor=assigned_investigator, action="accessed", note="sneaky")
    event = custody_record(
        item=item, actor=assigned_investigator, action="transferred", counterparty="County crime lab"
    )
    assert event.actor_username == assigned_investigator.get_username()
    audit_event = AuditEvent.objects.get(action="evidence.custody")
    assert audit_event.data["action"] == "transferred"
    assert "County crime lab" not in str(audit_event.data)


def test_custody_page_records_an_event(client, complaint, assigned_investigator):
    item = _add(complaint, assigned_investigator)
    client.force_login(assigned_investigator)
    response = client.post(
        _url("evidence_custody", complaint, item.number),
        {"action": "copied", "counterparty": "Working copy for the report", "note": ""},
    )
    assert response.status_code == 302
    assert item.custody_events.filter(action="copied").count() == 1
    refused = client.post(_url("evidence_custody", complaint, item.number), {"action": "transferred"})
    assert refused.status_code == 400
    assert item.custody_events.filter(action="transferred").count() == 0


def test_destroyed_item_cannot_be_downloaded_and_keeps_its_file(
    client, complaint, assigned_investigator, private_storage
):
    item = _add(complaint, assigned_investigator)
    custody_record(item=item, actor=assigned_investigator, action="destroyed", note="Shredded per retention order 12")
    client.force_login(assigned_investigator)
    response = client.get(_url("evidence_download", complaint, item.number))
    assert response.status_code == 410
    assert not item.custody_events.filter(action=CustodyEvent.Action.ACCESSED).exists()
    # Recording destruction is a record only; the stored file is not deleted by it.
    assert private_storage.exists(item.file.name)
    with pytest.raises(ValidationError):
        custody_record(item=item, actor=assigned_investigator, action="copied")
    detail = client.get(_url("evidence_detail", complaint, item.number)).content.decode()
    assert "can no longer be downloaded" in detail


def test_destruction_needs_a_note(complaint, assigned_investigator):
    item = _add(complaint, assigned_investigator)
    with pytest.raises(ValidationError):
        custody_record(item=item, actor=assigned_investigator, action="destroyed")


# --- Access ------------------------------------------------------------------------------------------


def _all_evidence_requests(complaint, number):
    return [
        ("get", _url("evidence", complaint), {}),
        ("post", _url("evidence", complaint), {"kind": "photo", "source": "x", "description": "x"}),
        ("get", _url("evidence_detail", complaint, number), {}),
        ("get", _url("evidence_download", complaint, number), {}),
        ("post", _url("evidence_download", complaint, number), {}),
        ("get", _url("evidence_custody", complaint, number), {}),
        ("post", _url("evidence_custody", complaint, number), {"action": "copied", "counterparty": "x"}),
    ]


@pytest.mark.parametrize("persona", ["other_investigator", "board_member"])
def test_people_not_on_the_case_get_404_on_every_evidence_url(
    request, client, complaint, assigned_investigator, persona
):
    item = _add(complaint, assigned_investigator)
    client.force_login(request.getfixturevalue(persona))
    for method, url, data in _all_evidence_requests(complaint, item.number):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
    assert item.custody_events.count() == 1
    assert EvidenceItem.objects.count() == 1


def test_someone_who_may_only_look_cannot_add_or_record_custody(
    client, complaint, assigned_investigator, intake_coordinator
):
    # An intake coordinator sees a complaint still in intake but does not work it.
    item = _add(complaint, assigned_investigator)
    client.force_login(intake_coordinator)
    page = client.get(_url("evidence", complaint))
    assert page.status_code == 200
    assert "Receive evidence" not in page.content.decode()
    assert client.post(_url("evidence", complaint), {"kind": "photo"}).status_code == 403
    assert client.post(_url("evidence_custody", complaint, item.number), {"action": "copied"}).status_code == 403
    assert item.custody_events.count() == 1


def test_missing_item_is_404(client, complaint, assigned_investigator):
    client.force_login(assigned_investigator)
    assert client.get(_url("evidence_detail", complaint, 99)).status_code == 404
    assert client.get(_url("evidence_download", complaint, 99)).status_code == 404


def test_an_item_of_another_case_is_not_reachable_through_this_case(
    client, complaint, other_complaint, assigned_investigator, supervisor
):
    _add(other_complaint, supervisor, description="Other case's photo")
    client.force_login(assigned_investigator)
    # E-001 exists only in the other case; this case has none.
    assert client.get(_url("evidence_detail", complaint, 1)).status_code == 404


# --- Queries -------------------------------------------------------------------------------------------


def _list_queries(client, complaint) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("evidence", complaint))
    assert response.status_code == 200
    return len(queries)


def test_evidence_list_query_count_does_not_grow_with_items(client, complaint, assigned_investigator):
    client.force_login(assigned_investigator)
    _add(complaint, assigned_investigator)
    with_one = _list_queries(client, complaint)
    for _ in range(6):
        item = _add(complaint, assigned_investigator, content=b"%PDF-1.4 statement", name="statement.pdf")
        evidence_download(item=item, actor=assigned_investigator).close()
    assert _list_queries(client, complaint) == with_one
