"""The status page of a decided complaint, with its outcome table, in a real browser: accessible
in English and Spanish."""

import pytest
from playwright.sync_api import expect

from complaints import services
from complaints.models import Complaint
from investigations.models import Finding
from tests.factories import AllegationFactory, ComplaintFactory, SubjectOfficerFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def decided():
    complaint = ComplaintFactory()
    from django.contrib.auth.hashers import make_password

    Complaint.objects.filter(pk=complaint.pk).update(
        status=Complaint.Status.DECIDED,
        status_code_hash=make_password(services.normalise_status_code("ABCD-EFGH-JKLM")),
    )
    for final in ("sustained", "unfounded"):
        allegation = AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=complaint))
        Finding.objects.create(
            allegation=allegation, proposed_disposition=final, rationale="r", final_disposition=final
        )
    return complaint


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_decided_complaints_status_page_with_its_outcome_is_accessible(page, decided, language):
    page.goto("/status/")
    if language == "es":
        page.get_by_role("button", name="Español").click()
    page.locator("#id_tracking_number").fill(decided.tracking_number)
    page.locator("#id_code").fill("ABCD-EFGH-JKLM")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("table").first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    body = page.content()
    assert ("Fundada" if language == "es" else "Sustained") in body
    assert_accessible(page)
