"""The reads the intake pages make: the complaint a receipt shows, the visitor's own draft, the
consent text and the names the review page looks up. A missing row is a 404 or nothing, never a
server error."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from complaints import selectors as complaint_selectors
from complaints.documents import receipt_content
from complaints.models import ConsentText
from public_portal import selectors
from public_portal.models import DraftFile, IntakeDraft
from tests.factories import (
    AllegationFactory,
    AttachmentFactory,
    ComplaintFactory,
    DistrictFactory,
    OfficerFactory,
    PartyFactory,
    SubjectOfficerFactory,
)

from .intake_flow import PUBLIC, STAFF, start

pytestmark = pytest.mark.django_db


def _request(client, user=None):
    """A request carrying ``client``'s session, as a view receives it."""
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user or AnonymousUser()
    return request


# --- The complaint a receipt shows -------------------------------------------------------------


def test_receipt_complaint_comes_with_everything_the_receipt_shows(django_assert_num_queries):
    complaint = ComplaintFactory(district=DistrictFactory(name="Riverside"))
    for _ in range(3):
        AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=complaint, officer=OfficerFactory()))
        PartyFactory(complaint=complaint)
        AttachmentFactory(complaint=complaint)

    loaded = complaint_selectors.complaint_get_for_receipt(tracking_number=complaint.tracking_number)

    with django_assert_num_queries(0):
        content = receipt_content(loaded, status_code="ABCD-EFGH-JKLM", status_url="https://example.org/status/")
    assert loaded == complaint
    assert len(content.officers) == 3 and len(content.people) == 3 and len(content.files) == 3
    assert ("District", ("Riverside",)) in [(fact.label, fact.values) for fact in content.incident]


def test_receipt_complaint_that_does_not_exist_is_a_404():
    with pytest.raises(Http404):
        complaint_selectors.complaint_get_for_receipt(tracking_number="CPC-2026-99999")


def test_filed_complaint_is_found_by_its_tracking_number():
    complaint = ComplaintFactory()

    assert complaint_selectors.complaint_get_filed(tracking_number=complaint.tracking_number) == complaint


def test_filed_complaint_that_does_not_exist_is_a_404():
    with pytest.raises(Http404):
        complaint_selectors.complaint_get_filed(tracking_number="CPC-2026-99999")


# --- The visitor's draft ------------------------------------------------------------------------


def test_a_session_finds_the_draft_it_started(client):
    start(client)

    draft = selectors.draft_for_request(_request(client), IntakeDraft.Mode.PUBLIC)

    assert draft is not None and draft == IntakeDraft.objects.get()


def test_another_session_finds_no_draft(client):
    start(client)
    stranger = client.__class__()

    assert selectors.draft_for_request(_request(stranger), IntakeDraft.Mode.PUBLIC) is None


def test_an_expired_draft_is_not_found(client):
    start(client)
    IntakeDraft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    assert selectors.draft_for_request(_request(client), IntakeDraft.Mode.PUBLIC) is None


def test_a_staff_draft_is_found_only_for_the_staff_member_who_started_it(client, intake_coordinator, supervisor):
    client.force_login(intake_coordinator)
    start(client, STAFF)

    assert selectors.draft_for_request(_request(client, intake_coordinator), IntakeDraft.Mode.STAFF) is not None
    assert selectors.draft_for_request(_request(client, supervisor), IntakeDraft.Mode.STAFF) is None


def test_staged_files_come_in_the_order_they_were_added(client):
    start(client)
    draft = IntakeDraft.objects.get()
    later = timezone.now()
    for name, when in (("second.png", later), ("first.png", later - timedelta(seconds=5))):
        staged = DraftFile.objects.create(
            draft=draft, file="x", original_name=name, size=1, content_type="image/png", sha256="0" * 64
        )
        DraftFile.objects.filter(pk=staged.pk).update(created_at=when)

    assert [f.original_name for f in selectors.draft_staged_files(draft=draft)] == ["first.png", "second.png"]


# --- Consent text and review names ------------------------------------------------------------------


def test_consent_text_is_in_the_visitors_language_or_else_the_sites():
    ConsentText.objects.update(is_active=False)
    english = ConsentText.objects.create(
        version="t1", language="en", title="Before you send", body="Text.", agreement="I agree", is_active=True
    )

    assert selectors.consent_text_active(language="es") == english
    spanish = ConsentText.objects.create(
        version="t1", language="es", title="Antes de enviar", body="Texto.", agreement="Acepto", is_active=True
    )
    assert selectors.consent_text_active(language="es") == spanish


def test_no_consent_text_published_is_none_not_an_error():
    ConsentText.objects.update(is_active=False)

    assert selectors.consent_text_active(language="en") is None


def test_review_names_the_district_and_channel_and_a_removed_district_is_none():
    district = DistrictFactory(name="Riverside")

    found = selectors.review_lookups(incident={"district_id": district.pk, "channel": "phone"})
    missing = selectors.review_lookups(incident={"district_id": district.pk + 1000})

    assert found.district == district
    assert str(found.channel_label) == "Phone"
    assert {"discourtesy", "bias", "untruthfulness"} <= found.categories.keys()
    assert missing.district is None and missing.channel_label == ""


def test_the_public_draft_is_not_found_in_staff_mode(client):
    start(client, PUBLIC)

    assert selectors.draft_for_request(_request(client), IntakeDraft.Mode.STAFF) is None
