"""The printable agenda opens as a PDF and carries the agenda's text, in the reader's language."""

import io

import pytest
from pypdf import PdfReader

from .conftest import make_meeting, step

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_agenda_pdf_has_the_agenda(client, upcoming):
    response = client.get(f"/meetings/{upcoming.pk}/agenda.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _text(response)
    assert "Special meeting on use of force" in text
    assert "Call to order" in text
    assert "Review of cases decided; public comment" in text
    assert "City Hall, Room 400" in text


def test_agenda_pdf_in_spanish(client, upcoming):
    client.cookies["django_language"] = "es"
    response = client.get(f"/meetings/{upcoming.pk}/agenda.pdf", HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Language"] == "es"
    text = _text(response)
    assert "Apertura de la sesión" in text
    assert "Sesión ordinaria de la junta" in text


def test_agenda_text_with_markup_is_printed_as_text(client, supervisor):
    meeting = make_meeting(supervisor, agenda=[("Budget <b>&</b> staffing", "")])
    step(meeting, supervisor, "publish_agenda")
    assert "Budget <b>&</b> staffing" in _text(client.get(f"/meetings/{meeting.pk}/agenda.pdf"))
