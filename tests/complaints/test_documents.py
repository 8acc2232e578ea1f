import io
import re
from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from complaints.documents import ComplaintReceipt
from complaints.models import AllegationCategory, Complaint, Party
from oversight.models import Demographic
from tests.factories import (
    AllegationFactory,
    AttachmentFactory,
    ComplaintFactory,
    DistrictFactory,
    OfficerFactory,
    PartyFactory,
    SubjectOfficerFactory,
)

pytestmark = pytest.mark.django_db

LAST_SENTENCE = "The last thing I saw was the patrol car turning onto Elm Street without its lights on."


def _long_narrative() -> str:
    paragraphs = [
        f"Part {n}: I was waiting at the bus stop when two officers walked up and asked where I was going. "
        "I told them I was going home from work and showed them my badge from the hospital. "
        "One of them took it and would not give it back for a long time, and asked me the same questions again."
        for n in range(1, 31)
    ]
    return "\n\n".join([*paragraphs, LAST_SENTENCE])


def _reader(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    """All the text, whitespace collapsed, so a phrase that wraps onto the next line still matches."""
    return " ".join(" ".join(page.extract_text() for page in _reader(pdf).pages).split())


@pytest.fixture
def full_complaint():
    complaint = ComplaintFactory(
        narrative=_long_narrative(),
        incident_time=time(21, 30),
        incident_time_precision=Complaint.Precision.APPROXIMATE,
        district=DistrictFactory(name="Riverside"),
    )
    PartyFactory(
        complaint=complaint,
        first_name="Rosa",
        last_name="Delgado",
        gender=Demographic.Gender.NONBINARY,
        race_ethnicity=Demographic.Race.PACIFIC_ISLANDER,
        age_range=Demographic.AgeRange.AGE_65_PLUS,
    )
    PartyFactory(
        complaint=complaint, role=Party.Role.WITNESS, first_name="", last_name="", description="Man selling newspapers"
    )
    described = SubjectOfficerFactory(
        complaint=complaint,
        officer=None,
        name_as_given="Sgt. Brennan",
        badge_as_given="4471",
        appearance="Tall, grey moustache, mirrored sunglasses",
        vehicle="Unmarked grey sedan",
    )
    AllegationFactory(subject_officer=described)
    AllegationFactory(
        subject_officer=SubjectOfficerFactory(
            complaint=complaint, officer=OfficerFactory(first_name="Dana", last_name="Whitfield", badge_number="5120")
        ),
        category=None,
    )
    AttachmentFactory(complaint=complaint, original_name="bruise-on-arm.png")
    return complaint


def test_receipt_shows_what_the_resident_told_us(full_complaint):
    text = _text(ComplaintReceipt(full_complaint).render())
    attachment = full_complaint.attachments.get()

    assert "Complaint receipt" in text
    assert full_complaint.tracking_number in text
    assert "Part 1: I was waiting at the bus stop" in text
    assert LAST_SENTENCE in text  # the narrative is printed in full, not cut at a page break
    assert "Riverside" in text
    assert "About 9:30 p.m." in text
    assert "Tall, grey moustache, mirrored sunglasses" in text
    assert "Sgt. Brennan" in text and "4471" in text
    assert "Dana Whitfield" in text and "5120" in text  # a linked roster officer is shown by roster name
    assert "Physical force" in text and "Not yet classified" in text
    assert "Rosa Delgado" in text and "Man selling newspapers" in text
    assert "bruise-on-arm.png" in text
    assert attachment.sha256 in text


def test_receipt_shows_received_time_in_local_time():
    complaint = ComplaintFactory()  # received 15:00 UTC on 14 March 2026, 11 a.m. in New York (EDT)

    text = _text(ComplaintReceipt(complaint).render())

    assert "March 14, 2026, 11 a.m. (EDT)" in text


def test_receipt_never_prints_demographics(full_complaint):
    text = _text(ComplaintReceipt(full_complaint).render())

    assert "Non-binary" not in text
    assert "Pacific Islander" not in text
    assert "65 or older" not in text


def test_status_code_is_printed_only_when_given(full_complaint):
    with_code = _text(ComplaintReceipt(full_complaint, status_code="K7QX-M2PD").render())
    without_code = _text(ComplaintReceipt(full_complaint).render())

    assert "K7QX-M2PD" in with_code
    assert "shown only on this receipt and on the confirmation page" in with_code
    assert "Your status code" not in without_code


def test_anonymous_receipt_names_nobody():
    complaint = ComplaintFactory(anonymity=Complaint.Anonymity.ANONYMOUS)
    PartyFactory(complaint=complaint, role=Party.Role.WITNESS, first_name="Teodoro", last_name="Quispe")
    PartyFactory(complaint=complaint, role=Party.Role.VICTIM, first_name="", last_name="", description="My cousin Ana")

    text = _text(ComplaintReceipt(complaint).render())

    assert "No personal details about you were recorded" in text
    assert "Teodoro" not in text and "Quispe" not in text
    assert "My cousin Ana" not in text


def test_long_narrative_runs_over_numbered_pages(full_complaint):
    reader = _reader(ComplaintReceipt(full_complaint).render())
    pages = len(reader.pages)

    assert pages > 1
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} of {pages}" in page.extract_text()


def test_every_page_carries_the_letterhead(full_complaint, settings):
    settings.OVERSIGHT_BODY_NAME = "Testville Police Review Board"
    settings.OVERSIGHT_CONTACT_PHONE = "(555) 010-7788"

    reader = _reader(ComplaintReceipt(full_complaint).render())

    for page in reader.pages:
        assert "Testville Police Review Board" in page.extract_text()
        assert "(555) 010-7788" in page.extract_text()
    assert reader.metadata.author == "Testville Police Review Board"
    assert reader.metadata.title == f"Complaint receipt {full_complaint.tracking_number}"


def test_receipt_is_rendered_in_the_complaints_language():
    complaint = ComplaintFactory(language="es")  # incident on 12 March 2026
    AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=complaint))
    assert AllegationCategory.objects.get(code="force-physical").localized_name("es") == "Fuerza física"

    pdf = ComplaintReceipt(complaint).render()
    text = _text(pdf)

    assert _reader(pdf).trailer["/Root"]["/Lang"] == "es"
    assert "Fuerza física" in text  # the Spanish name from the taxonomy data
    assert "Physical force" not in text
    assert "12 de marzo de 2026" in text  # Django's Spanish date format
    # The receipt's own words come from the Spanish catalog.
    assert "Comprobante de la queja" in text and "Lo que nos contó" in text
    assert "Complaint receipt" not in text and "What you told us" not in text


def test_language_argument_overrides_the_complaints_language():
    complaint = ComplaintFactory(language="es")
    AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=complaint))

    pdf = ComplaintReceipt(complaint, language="en").render()

    assert _reader(pdf).trailer["/Root"]["/Lang"] == "en"
    assert "Physical force" in _text(pdf)


def test_markup_and_unusual_characters_in_resident_text_are_printed_as_text():
    complaint = ComplaintFactory(
        narrative="He said <b>stop</b> & grabbed my arm — I said “why?” › then left.\n\nArrow → here.",
        location_text="Café Niño, 3ª Avenida",
    )

    text = _text(ComplaintReceipt(complaint).render())

    assert "He said <b>stop</b> & grabbed my arm — I said “why?” › then left." in text
    assert "Café Niño" in text
    assert "Arrow ? here." in text  # outside the font: replaced, never a blank box


def test_receipt_queries_do_not_grow_with_officers_people_and_files():
    def queries_for(count: int) -> int:
        complaint = ComplaintFactory()
        for _ in range(count):
            AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=complaint))
            PartyFactory(complaint=complaint, role=Party.Role.WITNESS)
            AttachmentFactory(complaint=complaint)
        with CaptureQueriesContext(connection) as captured:
            ComplaintReceipt(complaint).render()
        return len(captured)

    assert queries_for(1) == queries_for(4)


def test_receipt_filename_carries_the_tracking_number(full_complaint):
    receipt = ComplaintReceipt(full_complaint)

    assert receipt.filename == f"receipt-{full_complaint.tracking_number}.pdf"
    assert re.fullmatch(r"receipt-[A-Z]+-\d{4}-\d{5}\.pdf", receipt.filename)


def test_long_lists_and_descriptions_run_over_pages_with_the_table_header_repeated():
    complaint = ComplaintFactory()
    SubjectOfficerFactory(complaint=complaint, officer=None, appearance="He wore a dark cap and a grey jacket. " * 400)
    for _ in range(40):
        PartyFactory(complaint=complaint, role=Party.Role.WITNESS, first_name="", last_name="", description="Neighbour")
    AttachmentFactory(complaint=complaint, original_name="a-very-long-file-name-without-any-spaces-" * 5 + ".png")

    reader = _reader(ComplaintReceipt(complaint).render())

    witness_pages = [page.extract_text() for page in reader.pages if "Neighbour" in page.extract_text()]
    assert len(witness_pages) > 1
    assert all("Name or description" in text for text in witness_pages)
