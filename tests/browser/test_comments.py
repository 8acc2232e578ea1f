"""A proposed recommendation with its comment period and published comments, and the form to
comment on it, in a real browser: a resident reads the page, opens the form, sends an empty form
(the error summary), then a comment, and reads the confirmation. Every state passes axe-core with
no violation, in English and Spanish, with and without JavaScript."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oversight.permissions import Role
from public_portal.comments.forms import new_token
from public_portal.comments.models import PublicComment
from public_portal.comments.services import comment_moderate, comment_submit, period_open
from public_portal.transparency.recommendations import recommendation_propose
from tests.factories import UserFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

COMMENT = "Please make the interpreter line answer at night too."


@pytest.fixture
def proposed():
    supervisor = UserFactory(username="sofia_supervisor", roles=[Role.SUPERVISOR])
    moderator = UserFactory(username="priya_publisher", roles=[Role.PUBLISHER])
    recommendation = recommendation_propose(
        actor=supervisor,
        title="Explain the reason for a stop in the person's language",
        text="Officers should tell the person why they were stopped, in a language the person understands.",
        proposed_on=timezone.localdate() - timedelta(days=2),
        themes="stops; language access",
        related_cases=4,
    )
    period_open(recommendation=recommendation, actor=supervisor, closes_on=timezone.localdate() + timedelta(days=10))
    for text, name, language in [
        ("Mi padre no entendió nada cuando lo pararon. Esta recomendación es necesaria.", "Rosa Martínez", "es"),
        ("I support this, and a card with the reason written on it would help.", "", "en"),
    ]:
        comment = comment_submit(
            recommendation=recommendation, text=text, name=name, language=language, idempotency_key=new_token()
        )
        comment_moderate(comment=comment, actor=moderator, to_state="approved")
    return recommendation


def _in(page, language):
    if language == "es":
        page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_recommendation_with_comments_and_the_comment_form_are_accessible(request, proposed, language, javascript):
    page = request.getfixturevalue("page" if javascript else "nojs_page")
    page.goto(f"/recommendations/{proposed.number}/")
    _in(page, language)
    expect(page.locator("#comments")).to_be_visible()
    expect(page.get_by_text("Rosa Martínez")).to_be_visible()
    assert_accessible(page)

    page.goto("/recommendations/")
    expect(page.locator("#proposed-heading")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/recommendations/{proposed.number}/comment/")
    expect(page.locator("textarea#id_text")).to_be_visible()
    assert_accessible(page)

    # An empty comment: the error summary and the field's error, accessible too.
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)

    page.locator("textarea#id_text").fill(COMMENT)
    page.locator("input#id_name").fill("Daniel")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/recommendations/{proposed.number}/comment/sent/")
    expect(page.locator(".usa-alert--success")).to_be_visible()
    assert_accessible(page)

    stored = PublicComment.objects.get(text=COMMENT)
    assert (stored.name, stored.state, stored.language) == ("Daniel", "pending", language)
