"""The receipt web page in a real browser: accessible in English and Spanish, a print button only
where a script can use it, and the site's header and footer left off the printout."""

from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import expect

from complaints.models import Party
from public_portal.views import RECEIPTS_SESSION_KEY
from tests.factories import (
    AllegationFactory,
    AttachmentFactory,
    ComplaintFactory,
    PartyFactory,
    SubjectOfficerFactory,
)

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

STATUS_CODE = "ABCD-EFGH-JKLM"


@pytest.fixture
def filed():
    complaint = ComplaintFactory(narrative="Two officers stopped me and took my phone.\n\nThen they drove off.")
    PartyFactory(complaint=complaint, first_name="Rosa", last_name="Delgado")
    PartyFactory(complaint=complaint, role=Party.Role.WITNESS, first_name="Tom", last_name="Baker")
    AllegationFactory(
        subject_officer=SubjectOfficerFactory(
            complaint=complaint, officer=None, name_as_given="Sgt. Brennan", badge_as_given="4471"
        )
    )
    AttachmentFactory(complaint=complaint, original_name="bruise-on-arm.png")
    return complaint


def _as_the_filing_browser(page, live_server, complaint) -> None:
    """Give ``page`` the session the complaint was filed in, as the form leaves it."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[RECEIPTS_SESSION_KEY] = {complaint.tracking_number: STATUS_CODE}
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_receipt_page_is_accessible_in_english_and_spanish(page, live_server, filed, language):
    _as_the_filing_browser(page, live_server, filed)

    page.goto(f"/file/receipt/{filed.tracking_number}/?lang={language}")

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Comprobante de la queja" if language == "es" else "Complaint receipt"
    )
    expect(page.get_by_role("main")).to_contain_text(STATUS_CODE)
    expect(page.get_by_role("main")).to_contain_text(filed.attachments.get().sha256)
    assert_accessible(page)


def test_the_print_button_appears_only_where_a_script_can_print(page, nojs_page, live_server, filed):
    for visitor in (page, nojs_page):
        _as_the_filing_browser(visitor, live_server, filed)
        visitor.goto(f"/file/receipt/{filed.tracking_number}/")

    expect(page.get_by_role("button", name="Print this receipt")).to_be_visible()
    expect(nojs_page.get_by_role("button", name="Print this receipt")).to_have_count(0)
    expect(nojs_page.get_by_role("main")).to_contain_text("use your browser's Print command")
    assert_accessible(nojs_page)


def test_the_printout_leaves_out_the_site_header_footer_and_page_tools(page, live_server, filed):
    _as_the_filing_browser(page, live_server, filed)
    page.goto(f"/file/receipt/{filed.tracking_number}/")

    page.emulate_media(media="print")

    for furniture in ("header.site-header", "footer", ".receipt-tools"):
        expect(page.locator(furniture)).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".receipt-hash")).to_be_visible()
