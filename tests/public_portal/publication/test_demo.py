"""The demo's publications: most decided cases published, work left for the demo publication officers,
one correction and one retraction, every snapshot made by the drafting code."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from complaints.models import Complaint, Party
from investigations.board.models import BoardDecision
from oversight import bulk
from oversight.context import acting_as
from oversight.demo import DemoContext
from oversight.demo import seeders as ordered_seeders
from public_portal.publication import checks
from public_portal.publication.models import Publication
from public_portal.publication.services import publication_move

pytestmark = pytest.mark.django_db
P = Publication.Status
BEFORE = ["roster", "users", "complaints", "investigations", "board"]


@pytest.fixture
def demo():
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo")
    seeders = dict(ordered_seeders())
    names = [name for name, _seeder in ordered_seeders()]
    assert names.index("publication") > names.index("board")  # after the decisions it publishes
    ctx = DemoContext(seed=2026, complaints=400, as_of=date(2026, 11, 1), log=lambda *_: None)
    with acting_as(None), bulk.fast_load():
        for name in [*BEFORE, "publication"]:
            seeders[name](ctx)
    return ctx


def test_the_demo_publishes_most_decided_cases_and_leaves_work(demo):
    counts = dict(Publication.objects.values_list("status").annotate(n=Count("id")))
    assert counts[P.DRAFT] == 5 and counts[P.APPROVED] == 2
    assert counts[P.SUPERSEDED] == 1 and counts[P.RETRACTED] == 1
    eligible = Complaint.objects.filter(status__in=["decided", "closed"], board_decisions__kind__in=["adopt", "modify"])
    assert counts[P.PUBLISHED] > eligible.distinct().count() * 0.5
    assert demo.counts["publications"] == counts[P.PUBLISHED] - 1  # the correction's version 2 is the other
    # Every published case is decided or closed with an adopting or modifying decision, once.
    published = Publication.objects.filter(status=P.PUBLISHED)
    assert not published.exclude(complaint__status__in=["decided", "closed"]).exists()
    assert published.values("complaint").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert not published.exclude(complaint__board_decisions__kind__in=["adopt", "modify"]).exists()
    # The latest decisions are left to draft.
    latest = BoardDecision.objects.filter(complaint__status__in=["decided", "closed"]).order_by("-id").first()
    assert not Publication.objects.filter(complaint_id=latest.complaint_id).exists()
    # Private officers carry no name anywhere.
    assert Publication.objects.filter(allegations__officer_disclosed=False, allegations__officer_name="").exists()
    assert (
        len(set(Publication.objects.values_list("public_id", flat=True)))
        == Publication.objects.values("complaint").distinct().count()
    )


def test_the_versions_in_progress_are_redacted_and_ready_for_the_other_officer(demo):
    users = get_user_model().objects
    publisher, publisher2 = users.get(username="publisher"), users.get(username="publisher2")
    drafts = list(Publication.objects.filter(status=P.DRAFT).select_related("complaint"))
    assert {d.drafted_by.username for d in drafts} == {"publisher", "publisher2"}
    for draft in drafts:
        party = Party.objects.filter(complaint=draft.complaint, role="complainant").exclude(last_name="").first()
        assert party.last_name not in draft.summary
        assert "[phone number removed]" in draft.summary and "[address removed]" in draft.summary
        assert checks.blockers(draft) == []
    theirs = next(d for d in drafts if d.drafted_by == publisher2)
    publication_move(publication=theirs, actor=publisher, to_status=P.APPROVED)
    approved = Publication.objects.filter(status=P.APPROVED, drafted_by=publisher).first()
    publication_move(publication=approved, actor=publisher, to_status=P.PUBLISHED)
    corrected = Publication.objects.get(status=P.SUPERSEDED)
    assert corrected.superseded_by.status == P.PUBLISHED
    assert corrected.superseded_by.district_id != corrected.district_id
    retracted = Publication.objects.get(status=P.RETRACTED)
    assert retracted.end_reason
