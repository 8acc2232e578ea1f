"""Recommendations and comments for the tests of public comments.

- ``proposed`` is a proposed recommendation (``PR-<year>-01``) with a comment period open for two
  more weeks, opened by the board's chair.
- ``adopted`` is an adopted recommendation with a status update, as before proposals existed.
- ``comment(...)`` stores a resident's comment through the service, optionally moderated.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from oversight.permissions import Role
from public_portal.comments.forms import new_token
from public_portal.comments.models import PublicComment
from public_portal.comments.services import comment_moderate, comment_submit, period_open
from public_portal.transparency.recommendations import (
    recommendation_propose,
    recommendation_record,
    recommendation_status_record,
)
from tests.factories import UserFactory

TITLE = "Explain the reason for a stop in the person's language"


def url(recommendation, *parts: str) -> str:
    return f"/recommendations/{recommendation.number}/" + "".join(f"{part}/" for part in parts)


def token_in(response) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    assert found, "the page has no comment form"
    return found.group(1)


@pytest.fixture
def moderator(db):
    return UserFactory(username="dana_publisher", roles=[Role.PUBLISHER], first_name="Dana", last_name="Whitfield")


@pytest.fixture
def proposed(board_chair):
    recommendation = recommendation_propose(
        actor=board_chair,
        title=TITLE,
        text="Officers should tell the person why they were stopped, in a language the person understands.",
        proposed_on=timezone.localdate() - timedelta(days=3),
        themes="stops; language access",
        related_cases=5,
    )
    period_open(recommendation=recommendation, actor=board_chair, closes_on=timezone.localdate() + timedelta(days=14))
    return recommendation


@pytest.fixture
def adopted(board_chair):
    recommendation = recommendation_record(
        actor=board_chair,
        title="Interpreters at the scene",
        text="Call the interpreter line first.",
        adopted_on=date(2025, 5, 6),
        themes="language access",
        related_cases=3,
    )
    recommendation_status_record(
        recommendation=recommendation,
        actor=board_chair,
        recorded_on=date(2025, 6, 1),
        department_response="accepted",
        implementation="in_progress",
        note="Training is under way.",
    )
    return recommendation


@pytest.fixture
def comment(moderator):
    def make(recommendation, text="I support this.", *, name="", email="", language="en", state="pending"):
        stored = comment_submit(
            recommendation=recommendation,
            text=text,
            name=name,
            email=email,
            language=language,
            idempotency_key=new_token(),
        )
        if state != PublicComment.State.PENDING:
            reason = "Insults a person." if state == PublicComment.State.REJECTED else ""
            stored = comment_moderate(comment=stored, actor=moderator, to_state=state, reason=reason)
        return stored

    return make
