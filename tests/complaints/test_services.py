import io

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from complaints import services
from complaints.models import Attachment, Complaint, Party
from complaints.services import PartyData, SubjectData
from oversight.models import AuditEvent
from oversight.storage import files_removed_on_failure
from tests.factories import PNG_BYTES, ComplaintFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def test_complaint_is_created_with_parties_subjects_and_allegations():
    officer = OfficerFactory()
    complaint = services.complaint_create(
        narrative="  The officer took my phone and would not give it back.  ",
        language="es",
        parties=[PartyData(role=Party.Role.COMPLAINANT, first_name="Luis", last_name="Mora", preferred_language="es")],
        subjects=[
            SubjectData(officer_id=officer.pk, category_codes=["aoa-property", "disc-words"]),
            SubjectData(appearance="Tall, gray hair", vehicle="Car 412"),
        ],
    )
    assert complaint.status == Complaint.Status.RECEIVED
    assert complaint.narrative == "The officer took my phone and would not give it back."
    assert complaint.parties.get().last_name == "Mora"
    identified, described = complaint.subject_officers.order_by("id")
    assert identified.officer == officer
    assert sorted(a.category.code for a in identified.allegations.all()) == ["aoa-property", "disc-words"]
    assert described.allegations.get().category is None  # staff classify it later
    event = AuditEvent.objects.get(action="complaint.created")
    assert event.target_label == complaint.tracking_number
    assert "phone" not in str(event.data)


def test_anonymous_complaint_refuses_to_store_who_filed_it():
    with pytest.raises(ValidationError):
        services.complaint_create(
            narrative="Anonymous",
            anonymity=Complaint.Anonymity.ANONYMOUS,
            parties=[PartyData(role=Party.Role.COMPLAINANT, first_name="Should", last_name="NotBeStored")],
        )
    assert not Complaint.objects.exists()
    assert not Party.history.filter(last_name="NotBeStored").exists()


def test_anonymous_complaint_may_name_a_witness():
    complaint = services.complaint_create(
        narrative="I saw it happen.",
        anonymity=Complaint.Anonymity.ANONYMOUS,
        parties=[PartyData(role=Party.Role.WITNESS, description="Bus driver on route 12")],
    )
    assert complaint.is_anonymous
    assert list(complaint.parties.values_list("role", flat=True)) == ["witness"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"narrative": "   "}, "narrative"), ({"narrative": "ok", "language": "fr"}, "language")],
)
def test_invalid_input_is_refused_with_a_field_error(kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        services.complaint_create(**kwargs)
    assert field in excinfo.value.message_dict
    assert not Complaint.objects.exists()


def test_unknown_category_rolls_everything_back():
    with pytest.raises(ValidationError):
        services.complaint_create(narrative="x", subjects=[SubjectData(category_codes=["made-up"])])
    assert not Complaint.objects.exists()


def test_second_submit_with_same_key_returns_first_complaint():
    first = services.complaint_create(narrative="Same form sent twice", idempotency_key="form-token-123")
    second = services.complaint_create(narrative="Same form sent twice", idempotency_key="form-token-123")
    assert first.pk == second.pk
    assert Complaint.objects.count() == 1


def test_attachment_is_stored_under_a_random_key_with_its_hash(private_storage):
    import hashlib

    complaint = ComplaintFactory()
    attachment = services.attachment_add(
        complaint=complaint, stream=io.BytesIO(PNG_BYTES), original_name="../../etc/My Photo.png"
    )
    assert attachment.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG_BYTES)
    assert attachment.original_name == "My Photo.png"
    assert "Photo" not in attachment.file.name and ".." not in attachment.file.name
    with private_storage.open(attachment.file.name) as stored:
        assert stored.read() == PNG_BYTES


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "invoice.pdf"),
        (b"", "empty.png"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(content, name, private_storage):
    complaint = ComplaintFactory()
    with pytest.raises(ValidationError):
        services.attachment_add(complaint=complaint, stream=io.BytesIO(content), original_name=name)
    assert not Attachment.objects.exists()


def test_oversize_file_is_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="too large"):
        services.attachment_add(complaint=ComplaintFactory(), stream=io.BytesIO(PNG_BYTES), original_name="a.png")


def test_a_failed_transaction_leaves_no_complaint_and_no_file(private_storage):
    with pytest.raises(RuntimeError), files_removed_on_failure(), transaction.atomic():
        complaint = services.complaint_create(narrative="Will fail")
        attachment = services.attachment_add(complaint=complaint, stream=io.BytesIO(PNG_BYTES), original_name="a.png")
        stored_name = attachment.file.name
        assert private_storage.exists(stored_name)
        raise RuntimeError("database went away before commit")
    assert not Complaint.objects.exists()
    assert not private_storage.exists(stored_name)


def test_history_of_a_complaint_records_the_creation():
    complaint = services.complaint_create(narrative="History please")
    assert complaint.history.count() == 1
    assert complaint.history.get().history_type == "+"
