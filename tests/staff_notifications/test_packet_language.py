"""The board packet is in the reader's language: its headings and labels in the requesting member's
preferred language, whether built in the request or in the background; what was written into the
case stays as written."""

import io

import pytest
from pypdf import PdfReader

from complaints.models import Complaint
from investigations.models import GeneratedDocument
from investigations.services.transitions import complaint_transition

pytestmark = pytest.mark.django_db

SPANISH_HEADINGS = ["Expediente para la junta", "Resumen del caso", "Alegaciones y conclusiones propuestas"]
ENGLISH_HEADINGS = ["Board packet", "Case summary", "Allegations and proposed findings"]
# Written into the case in English; printed as written whatever the reader's language.
WRITTEN = "A shove during a stop."


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def referred(ready_case, supervisor, spanish_member, english_member, unset_member):
    complaint_transition(complaint=ready_case, to_status=Complaint.Status.BOARD_REVIEW, actor=supervisor)
    return ready_case


def _download(client, member, case, accept="en"):
    client.force_login(member)
    response = client.get(f"/staff/cases/{case.tracking_number}/packet/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return _text(response.content)


def test_a_spanish_reader_gets_spanish_headings_whatever_the_browser_asks(client, referred, spanish_member):
    text = _download(client, spanish_member, referred, accept="en")
    assert [h for h in SPANISH_HEADINGS if h not in text] == []
    assert "Case summary" not in text
    assert WRITTEN in text


def test_an_english_reader_gets_english_headings(client, referred, english_member):
    text = _download(client, english_member, referred, accept="es")
    assert [h for h in ENGLISH_HEADINGS if h not in text] == []
    assert "Resumen del caso" not in text
    assert WRITTEN in text


def test_a_reader_who_chose_nothing_gets_the_language_of_the_page(client, referred, unset_member):
    assert "Resumen del caso" in _download(client, unset_member, referred, accept="es")
    assert "Case summary" in _download(client, unset_member, referred, accept="en")


def test_a_packet_built_in_the_background_is_in_the_requesters_language(
    client, referred, spanish_member, settings, django_capture_on_commit_callbacks
):
    settings.BOARD_PACKET_TASK_THRESHOLD = 0
    client.force_login(spanish_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/staff/cases/{referred.tracking_number}/packet/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(complaint=referred, requested_by=spanish_member)
    assert document.ready_at is not None
    with document.file.open("rb") as handle:
        text = _text(handle.read())
    assert [h for h in SPANISH_HEADINGS if h not in text] == []
    assert WRITTEN in text


def test_a_background_task_queued_without_a_language_uses_the_requesters(referred, spanish_member):
    from investigations.board.tasks import build_board_packet

    document = GeneratedDocument.objects.create(
        kind=GeneratedDocument.Kind.BOARD_PACKET, complaint=referred, requested_by=spanish_member
    )
    assert build_board_packet(document.pk) is True
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        assert "Resumen del caso" in _text(handle.read())
