"""The resident's side: the comment form on a proposed recommendation, its confirmation, the
recommendation's page with its comment period and approved comments, in English and Spanish. A
rejected or held comment, and any contact detail, never reach a public page; the limit answers 429."""

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from public_portal.comments.models import PublicComment
from public_portal.comments.services import period_close

from .conftest import TITLE, token_in, url

pytestmark = pytest.mark.django_db

EMAIL = "private.person@example.org"
PUBLIC_PATHS = ("/", "/recommendations/", "/api/v1/recommendations/")


def _post(client, recommendation, **data):
    page = client.get(url(recommendation, "comment"))
    assert page.status_code == 200
    return client.post(
        url(recommendation, "comment"), {"text": "I support this.", "form_token": token_in(page), **data}
    )


def test_a_resident_comments_and_is_told_it_is_held_for_moderation(client, proposed):
    response = _post(client, proposed, name="Rosa", email=EMAIL)
    assert response.status_code == 302 and response["Location"] == url(proposed, "comment", "sent")
    sent = client.get(response["Location"])
    assert sent.status_code == 200
    assert "It is held until our staff have read it" in sent.content.decode()
    stored = PublicComment.objects.get()
    assert (stored.name, stored.email, stored.state, stored.language) == ("Rosa", EMAIL, "pending", "en")


def test_the_confirmation_still_shows_after_the_period_closed(client, proposed, board_chair):
    response = _post(client, proposed)
    period_close(period=proposed.comment_period, actor=board_chair)
    assert client.get(response["Location"]).status_code == 200


def test_the_same_form_sent_twice_stores_one_comment(client, proposed):
    page = client.get(url(proposed, "comment"))
    data = {"text": "Only once, please.", "form_token": token_in(page)}
    first = client.post(url(proposed, "comment"), data)
    second = client.post(url(proposed, "comment"), data)
    assert first.status_code == second.status_code == 302
    assert PublicComment.objects.count() == 1


def test_a_spanish_page_stores_a_spanish_comment_and_answers_in_spanish(client, proposed):
    client.cookies["django_language"] = "es"
    page = client.get(url(proposed, "comment"))
    assert '<html lang="es"' in page.content.decode()
    response = client.post(url(proposed, "comment"), {"text": "Estoy de acuerdo.", "form_token": token_in(page)})
    assert response.status_code == 302
    assert PublicComment.objects.get().language == "es"
    assert "Gracias por su comentario" in client.get(response["Location"]).content.decode()


def test_an_empty_comment_is_shown_again_with_the_error(client, proposed):
    response = _post(client, proposed, text="", name="Rosa")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-summary"' in body and 'value="Rosa"' in body
    assert not PublicComment.objects.exists()


def test_a_control_character_is_an_error_on_the_comment(client, proposed):
    response = _post(client, proposed, text="Hello\x00there")
    assert response.status_code == 400
    assert "invisible control characters" in response.content.decode()


def test_the_honeypot_gets_the_400_page_and_nothing_is_stored(client, proposed):
    assert _post(client, proposed, website="http://spam.example").status_code == 400
    assert not PublicComment.objects.exists()


def test_the_form_needs_csrf(proposed):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url(proposed, "comment"), {"text": "No token.", "form_token": "t" * 32})
    assert response.status_code == 403
    assert not PublicComment.objects.exists()


def test_a_closed_or_never_opened_period_shows_no_form(client, proposed, adopted, board_chair):
    page = client.get(url(adopted, "comment"))
    assert page.status_code == 200 and 'name="text"' not in page.content.decode()
    period_close(period=proposed.comment_period, actor=board_chair)
    closed = client.get(url(proposed, "comment")).content.decode()
    assert "The comment period closed on" in closed and 'name="text"' not in closed
    assert client.post(url(proposed, "comment"), {"text": "Late.", "form_token": "t" * 32}).status_code == 409
    assert client.get("/recommendations/PR-1999-99/comment/").status_code == 404


def test_the_limit_answers_429_after_the_configured_count(client, settings, proposed):
    settings.RATE_LIMIT_PUBLIC_COMMENT = "3/600"
    for n in range(3):
        assert _post(client, proposed, text=f"Comment {n}").status_code == 302
    page = client.get(url(proposed, "comment"))
    refused = client.post(url(proposed, "comment"), {"text": "One more.", "form_token": token_in(page)})
    assert refused.status_code == 429
    assert "Please wait a moment" in refused.content.decode() and refused["Retry-After"]
    assert PublicComment.objects.count() == 3


# --- What the public reads ---------------------------------------------------------------------------


def test_the_page_shows_the_period_the_count_and_only_approved_comments(client, proposed, comment):
    comment(proposed, "Approved and on topic.", name="Rosa Martínez", email=EMAIL, state="approved")
    comment(proposed, "Approved without a name.", state="approved")
    comment(proposed, "Rejected: insults someone.", name="Troll", email="troll@example.org", state="rejected")
    comment(proposed, "Still waiting for a moderator.", name="Waiting Person")
    body = client.get(url(proposed)).content.decode()
    closes = timezone.localdate() + timedelta(days=14)
    assert f"until {date_format(closes, 'DATE_FORMAT')}" in body
    assert "4 comments received." in body and "2 published comments" in body
    assert "Rosa Martínez" in body and "Approved and on topic." in body and "Anonymous" in body
    for hidden in ("Rejected: insults someone.", "Troll", "Still waiting for a moderator.", "Waiting Person"):
        assert hidden not in body
    assert f'href="{url(proposed, "comment")}"' in body


def test_a_rejected_comment_appears_on_no_public_page(client, proposed, adopted, comment):
    comment(proposed, "Rejected words here.", state="rejected")
    approved = comment(proposed, "Taken down later.", state="approved")
    from public_portal.comments.services import comment_moderate

    comment_moderate(comment=approved, actor=approved.moderated_by, to_state="rejected", reason="Names a neighbour.")
    for path in (
        *PUBLIC_PATHS,
        url(proposed),
        url(proposed, "comment"),
        url(proposed, "comment", "sent"),
        url(adopted),
    ):
        body = client.get(path).content.decode()
        assert "Rejected words here." not in body and "Taken down later." not in body, path
        assert "Names a neighbour." not in body and "Insults a person." not in body, path


@pytest.mark.parametrize("language", ["en", "es"])
def test_contact_details_appear_on_no_public_page(client, proposed, adopted, comment, language):
    client.cookies["django_language"] = language
    comment(proposed, "Shown with a name.", name="Rosa", email=EMAIL, state="approved")
    comment(proposed, "Shown without one.", email="second.person@example.org", state="approved")
    comment(proposed, "Held.", email="held.person@example.org")
    paths = [*PUBLIC_PATHS, url(proposed), url(proposed, "comment"), url(proposed, "comment", "sent"), url(adopted)]
    paths += [f"/api/v1/recommendations/{adopted.number}/", f"{url(proposed)}?page=2"]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        body = response.content.decode()
        for secret in (EMAIL, "second.person@", "held.person@", "private.person", "@example.org"):
            assert secret not in body, (path, secret)


def test_many_approved_comments_are_paginated(client, proposed, comment):
    for n in range(25):
        comment(proposed, f"Approved comment number {n:02d}.", state="approved")
    first = client.get(url(proposed)).content.decode()
    assert "Approved comment number 00." in first and "Approved comment number 24." not in first
    assert "Page 1 of 2" in first
    second = client.get(f"{url(proposed)}?page=2").content.decode()
    assert "Approved comment number 24." in second and "Approved comment number 00." not in second


def test_a_closed_period_says_when_it_closed(client, proposed, comment, board_chair):
    comment(proposed, "Before the end.", state="approved")
    period_close(period=proposed.comment_period, actor=board_chair)
    body = client.get(url(proposed)).content.decode()
    today = timezone.localdate()
    assert f"The comment period closed on {date_format(today, 'DATE_FORMAT')}." in body
    assert "Before the end." in body and 'href="/recommendations/' + proposed.number + '/comment/"' not in body


def test_the_spanish_page_shows_the_period_in_spanish(client, proposed, comment):
    comment(proposed, "Estoy de acuerdo.", language="es", state="approved")
    client.cookies["django_language"] = "es"
    body = client.get(url(proposed)).content.decode()
    assert "Comentarios del público" in body and "1 comentario recibido." in body
    assert TITLE in unescape(body)
