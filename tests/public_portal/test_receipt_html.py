"""The receipt as a web page beside the PDF: only for the browser that filed, in the receipt's
language, with everything the PDF shows, and the status page's address in both."""

import hashlib
import html
import re
from io import BytesIO

import pytest
from django.contrib.staticfiles import finders
from django.utils import translation
from pypdf import PdfReader

from oversight.models import AuditEvent
from public_portal.views import RECEIPTS_SESSION_KEY
from tests.factories import PNG_BYTES

from .intake_flow import PUBLIC, STAFF, Filing, about, file_complaint, incident, witnesses

pytestmark = pytest.mark.django_db

STATUS_URL = "http://testserver/status/"
PNG_SHA256 = hashlib.sha256(PNG_BYTES).hexdigest()  # written out from the bytes sent, not read back


def _page(response) -> str:
    """The page's text with tags removed and whitespace collapsed, as a reader meets it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())


def _status_code(client) -> str:
    done = client.get(f"{PUBLIC}/done/").content.decode()
    return re.search(r'class="status-code">([A-Z0-9-]+)<', done).group(1)


def _spanish(client):
    client.cookies["django_language"] = "es"


def _with_witness() -> Filing:
    return Filing(witnesses=witnesses({"first_name": "Tom", "last_name": "Baker", "phone": "555-777-1212"}))


# --- Who can see it -----------------------------------------------------------------------------


def test_the_filing_browser_sees_everything_it_sent_on_the_receipt_page(client):
    complaint = file_complaint(client, _with_witness())
    code = _status_code(client)

    response = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/")

    assert response.status_code == 200
    text = _page(response)
    assert complaint.tracking_number in text
    assert code in text
    assert "Outside the laundromat at 5th and Market" in text
    assert "took my phone when I asked why" in text
    assert "Officer Reyes" in text and "4471" in text
    assert "Property seized or damaged" in text  # a kind of misconduct the resident chose
    assert "Rosa Delgado" in text and "Tom Baker" in text
    assert "photo.png" in text and PNG_SHA256 in text  # the full hash, not a shortened one
    assert "What happens next" in text and "With the board" in text
    assert "Questions? Call" in text


def test_the_receipt_page_links_to_the_status_page_by_its_full_address(client):
    complaint = file_complaint(client)

    response = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/")

    assert f'<a href="{STATUS_URL}">{STATUS_URL}</a>' in response.content.decode()
    sentence = f"Check your complaint's status at {STATUS_URL} with your tracking number and status code."
    assert sentence in _page(response)


def test_another_browser_gets_404_for_the_receipt_page(client):
    complaint = file_complaint(client)
    stranger = client.__class__()

    assert stranger.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/").status_code == 404


def test_the_filing_browser_gets_404_for_a_complaint_it_did_not_file(client, other_complaint):
    file_complaint(client)

    assert client.get(f"{PUBLIC}/receipt/{other_complaint.tracking_number}/").status_code == 404
    assert client.get(f"{PUBLIC}/receipt/{other_complaint.tracking_number}.pdf").status_code == 404


def test_a_session_holding_a_number_with_no_complaint_gets_404_not_an_error(client):
    session = client.session
    session[RECEIPTS_SESSION_KEY] = {"CPC-2026-99999": "ABCD-EFGH-JKLM"}
    session["intake_last:public"] = "CPC-2026-99999"
    session.save()

    assert client.get(f"{PUBLIC}/receipt/CPC-2026-99999/").status_code == 404
    assert client.get(f"{PUBLIC}/receipt/CPC-2026-99999.pdf").status_code == 404
    assert client.get(f"{PUBLIC}/done/").status_code == 404


def test_the_receipt_page_is_never_cached(client):
    complaint = file_complaint(client)

    response = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/")

    assert "no-store" in response["Cache-Control"]


def test_viewing_the_receipt_page_is_audited_as_an_html_receipt(client):
    complaint = file_complaint(client)

    client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/")
    client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}.pdf")

    events = AuditEvent.objects.filter(action="receipt.downloaded", target_id=str(complaint.pk)).order_by("id")
    assert [event.data for event in events] == [{"format": "html"}, {"format": "pdf"}]


# --- What it shows ------------------------------------------------------------------------------


def test_the_confirmation_page_links_to_the_receipt_page_beside_the_pdf(client):
    complaint = file_complaint(client)

    done = client.get(f"{PUBLIC}/done/").content.decode()

    assert f'href="{PUBLIC}/receipt/{complaint.tracking_number}/"' in done
    assert f'href="{PUBLIC}/receipt/{complaint.tracking_number}.pdf"' in done
    assert "View and print your receipt" in done


def test_the_receipt_page_is_built_from_headings_lists_and_tables_with_headers(client):
    complaint = file_complaint(client)

    body = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/").content.decode()

    assert re.search(r"<h1[^>]*>Complaint receipt</h1>", body)
    for heading in ("Your status code", "What you told us", "What happens next", "How to check your status"):
        assert re.search(rf"<h2[^>]*>{heading}</h2>", body), heading
    assert "<dt>Tracking number</dt>" in body
    assert '<th scope="col">Fingerprint (SHA-256)</th>' in body
    assert '<th scope="row">photo.png</th>' in body


def test_the_receipt_page_says_how_to_print_without_javascript_and_prints_without_the_site_furniture(client):
    complaint = file_complaint(client)

    response = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/")

    body = response.content.decode()
    assert "use your browser's Print command" in _page(response)
    assert re.search(r"<li [^>]*data-print hidden", body)  # the script-driven button stays hidden without scripts
    stylesheet = re.search(r'<link rel="stylesheet" href="/static/(public_portal/receipt\.css)">', body).group(1)
    with open(finders.find(stylesheet), encoding="utf-8") as css:
        rules = css.read()
    hidden_in_print = re.search(r"@media print\s*\{\s*([^{]+)\{\s*display:\s*none", rules).group(1)
    selectors = {selector.strip() for selector in hidden_in_print.split(",")}
    assert {".site-header", ".usa-footer", "nav", ".receipt-tools"} <= selectors


def test_an_anonymous_receipt_page_names_nobody(client):
    complaint = file_complaint(
        client,
        Filing(
            about=about(filing_as="anonymous"),
            witnesses=witnesses({"first_name": "Tom", "last_name": "Baker", "phone": "555-777-1212"}),
        ),
    )

    text = _page(client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/"))

    assert "You filed this complaint anonymously" in text
    assert "You also told us about 1 other person" in text
    assert "Tom Baker" not in text and "Rosa" not in text


def test_the_staff_entry_receipt_page_is_there_for_the_staff_member_who_entered_it(client, intake_coordinator):
    client.force_login(intake_coordinator)
    filing = Filing(incident=incident(channel="phone", received_date="2026-03-13"), files=[])
    complaint = file_complaint(client, filing, base=STAFF)

    done = client.get(f"{STAFF}/done/").content.decode()
    response = client.get(f"{STAFF}/receipt/{complaint.tracking_number}/")

    assert f'href="{STAFF}/receipt/{complaint.tracking_number}/"' in done
    assert response.status_code == 200
    assert complaint.tracking_number in _page(response)
    assert "Staff workspace" in _page(response)
    assert f'href="{STAFF}/receipt/{complaint.tracking_number}.pdf?lang=en"' in response.content.decode()


# --- Language -----------------------------------------------------------------------------------


def test_a_complaint_filed_in_spanish_gets_its_receipt_page_in_spanish(client):
    _spanish(client)
    complaint = file_complaint(client, Filing(about=about(preferred_language="es")))
    client.cookies["django_language"] = "en"  # the receipt keeps the complaint's language

    response = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/")

    body = response.content.decode()
    text = _page(response)
    assert '<html lang="es">' in body
    assert response["Content-Language"] == "es"
    # Strings already in the Spanish catalog.
    for spanish in ("Comprobante de la queja", "Número de seguimiento", "Lo que nos contó", "Qué pasa ahora"):
        assert spanish in text, spanish
    assert "Huella digital (SHA-256)" in text
    assert "What you told us" not in text
    # A string new with this page: whatever the Spanish catalog holds for it (English until its
    # translation is merged into the catalog), with the address in it.
    with translation.override("es"):
        sentence = translation.gettext(
            "Check your complaint's status at %(url)s with your tracking number and status code."
        ) % {"url": STATUS_URL}
    assert sentence in text


def test_lang_asks_for_the_receipt_page_in_another_language_and_an_unknown_one_is_ignored(client):
    complaint = file_complaint(client)

    spanish = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/?lang=es")
    unknown = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/?lang=xx")

    assert '<html lang="es">' in spanish.content.decode() and "Lo que nos contó" in _page(spanish)
    assert f'href="{PUBLIC}/receipt/{complaint.tracking_number}.pdf?lang=es"' in spanish.content.decode()
    assert '<html lang="en">' in unknown.content.decode() and "What you told us" in _page(unknown)


# --- The PDF gives the status page's address too --------------------------------------------------


def test_the_pdf_receipt_gives_the_status_page_address(client):
    complaint = file_complaint(client)

    response = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}.pdf")

    text = _pdf_text(response.content)
    assert f"Check your complaint's status at {STATUS_URL} with your tracking number and status code." in text


def test_the_pdf_and_the_page_show_the_same_receipt(client):
    complaint = file_complaint(client, _with_witness())

    pdf = _pdf_text(client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}.pdf").content)
    page = _page(client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}/"))

    for text in (
        complaint.tracking_number,
        _status_code(client),
        "Officer Reyes",
        "Tom Baker",
        "photo.png",
        PNG_SHA256,
        "The fingerprint (SHA-256) identifies each file exactly.",
        STATUS_URL,
    ):
        assert text in pdf, text
        assert text in page, text
