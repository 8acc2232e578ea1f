"""The demo seeder: one proposed recommendation open for comment, with approved and held comments
(some in Spanish), and one whose comment period has closed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oversight.demo import DemoContext
from public_portal.comments.demo import seed_public_comments
from public_portal.comments.models import CommentPeriod, PublicComment

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_and_a_closed_period(client, publisher, board_chair):
    ctx = DemoContext(seed=7, complaints=0, as_of=timezone.localdate())
    ctx.log = lambda line: None
    ctx.shared["users"] = {"board": board_chair, "publisher": publisher}
    seed_public_comments(ctx)
    seed_public_comments(ctx)  # a second run adds nothing
    periods = list(CommentPeriod.objects.select_related("recommendation").order_by("closes_on"))
    assert [p.is_open() for p in periods] == [False, True]
    open_one = periods[1].recommendation
    comments = PublicComment.objects.filter(recommendation=open_one)
    assert comments.filter(state="approved", language="es").exists()
    assert comments.filter(state="pending").exists()
    assert periods[1].closes_on > timezone.localdate() + timedelta(days=7)
    assert client.get(f"/recommendations/{open_one.number}/comment/").status_code == 200
    assert "Rosa Martínez" in client.get(f"/recommendations/{open_one.number}/").content.decode()
