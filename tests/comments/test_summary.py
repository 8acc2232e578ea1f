"""The summary for the meeting packet: on the staff page and as a PDF, the counts by state and by
language, and the approved comments with the name given or "Anonymous"; nothing of the held or
rejected comments' text and no contact email."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from public_portal.comments.services import period_close

pytestmark = pytest.mark.django_db


@pytest.fixture
def commented(proposed, comment, board_chair):
    comment(
        proposed,
        "Please add Vietnamese to the interpreter line.",
        name="Rosa Martínez",
        email="rosa@example.org",
        state="approved",
    )
    comment(proposed, "Gracias por preguntarnos.", language="es", state="approved")
    comment(proposed, "Buy cheap watches at our store.", language="en", state="rejected")
    comment(proposed, "Todavía en espera.", language="es")
    comment(proposed, "Also waiting.", email="waiting@example.org")
    period_close(period=proposed.comment_period, actor=board_chair)
    return proposed


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_holds_the_counts_and_the_approved_comments(client, commented, publisher):
    client.force_login(publisher)
    response = client.get(reverse("staff:comments:summary_pdf", args=[commented.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="comments-{commented.number}.pdf"' in response["Content-Disposition"]
    text = _text(response.content)
    assert f"Public comments on {commented.number}" in text
    assert "Comments received 5" in text
    assert re.search(r"Waiting for moderation 2 Approved 2 Rejected 1", text), text
    assert re.search(r"English 3 Spanish 2", text), text
    assert "1. Rosa Martínez" in text and "Please add Vietnamese to the interpreter line." in text
    assert "2. Anonymous" in text and "Gracias por preguntarnos." in text
    for hidden in ("Buy cheap watches", "Todavía en espera", "Also waiting", "@example.org"):
        assert hidden not in text
    assert "closed on" in text


def test_the_staff_page_shows_the_same_summary(client, commented, board_chair):
    client.force_login(board_chair)
    body = client.get(reverse("staff:comments:recommendation", args=[commented.number])).content.decode()
    assert "5 comments by state" in body and "these are the final numbers" in body
    assert "Please add Vietnamese to the interpreter line." in body
    assert "Buy cheap watches" not in body and "rosa@example.org" not in body


def test_the_spanish_pdf_is_in_spanish(client, commented, supervisor):
    client.force_login(supervisor)
    client.cookies["django_language"] = "es"
    text = _text(client.get(reverse("staff:comments:summary_pdf", args=[commented.number])).content)
    assert "Comentarios del público sobre" in text and "Anónimo" in text
