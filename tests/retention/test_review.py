"""What is due: the ``retention_review`` command, the Retention page and the daily job's notices."""

import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from investigations.models import Disposition
from investigations.retention import views
from investigations.retention.models import RetentionReview
from investigations.retention.services import case_destroy, legal_hold_place, retention_review_run
from investigations.retention.tasks import retention_review
from oversight.permissions import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


@pytest.fixture
def cases(closed_case, supervisor):
    """On 15 June 2026: two cases due (one held), one sustained case not due, one kept."""
    old = closed_case(closed_on=date(2019, 2, 1), tracking_number="CPC-2018-00007")
    held = closed_case(
        closed_on=date(2010, 5, 20), dispositions=(Disposition.SUSTAINED,), tracking_number="CPC-2009-00031"
    )
    legal_hold_place(complaint=held, actor=supervisor, kind="litigation", reason="Suit pending.", reference="26-CV-1")
    closed_case(closed_on=date(2015, 1, 10), dispositions=(Disposition.SUSTAINED,), tracking_number="CPC-2014-00100")
    closed_case(closed_on=date(2022, 3, 3), tracking_number="CPC-2021-00500")
    return old, held


def _run(*args) -> str:
    out = io.StringIO()
    call_command("retention_review", *args, stdout=out)
    return out.getvalue()


def test_the_command_lists_what_is_due_as_a_table(cases):
    held_since = timezone.localdate(cases[1].legal_holds.get().placed_at).isoformat()
    assert _run("--as-of", TODAY.isoformat()).splitlines() == [
        "Tracking number       Closed      Schedule                  Due         Hold",
        "--------------------  ----------  ------------------------  ----------  ----",
        f"CPC-2009-00031        2010-05-20  sustained (15 years)      2025-05-20  litigation since {held_since}",
        "CPC-2018-00007        2019-02-01  not_sustained (5 years)   2024-02-01  -",
        "2 case(s) due on 2026-06-15, 1 of them under a legal hold.",
    ]


def test_the_command_writes_csv(cases):
    held_since = timezone.localdate(cases[1].legal_holds.get().placed_at).isoformat()
    assert _run("--format", "csv", "--as-of", TODAY.isoformat()).splitlines() == [
        "tracking_number,closed_on,schedule,years,due_on,hold",
        f"CPC-2009-00031,2010-05-20,sustained,15,2025-05-20,litigation since {held_since}",
        "CPC-2018-00007,2019-02-01,not_sustained,5,2024-02-01,",
    ]


def test_a_destroyed_case_is_no_longer_listed(cases, supervisor):
    old, _held = cases
    case_destroy(complaint=old, actor=supervisor, reason="Due")
    assert "CPC-2018-00007" not in _run()


def test_the_retention_page_lists_the_same_with_pages(cases, supervisor, client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client.force_login(supervisor)
    first = client.get(reverse("staff:retention:due"))
    body = first.content.decode()
    assert "2 cases are due." in body
    assert "CPC-2009-00031" in body and "CPC-2018-00007" not in body
    assert "Litigation" in body and "Sustained: 15 years" in body and "2025-05-20" in body
    next_link = first.context["page"].next_cursor
    second = client.get(reverse("staff:retention:due") + f"?after={next_link}").content.decode()
    assert "CPC-2018-00007" in second and "CPC-2009-00031" not in second
    assert "Not sustained: 5 years" in second and "2024-02-01" in second
    assert 'rel="prev"' in second


def test_the_daily_review_tells_supervisors_once_about_what_became_due(cases, supervisor):
    UserFactory(username="inactive_supervisor", roles=[Role.SUPERVISOR], is_active=False)
    UserFactory(username="some_investigator", roles=[Role.INVESTIGATOR])
    first = retention_review_run(today=TODAY).review
    assert (first.due, first.newly_due, first.held, first.notified) == (2, 2, 1, 1)
    assert [m.to for m in mail.outbox] == [[supervisor.email]]
    assert mail.outbox[0].subject == "2 closed cases are now due for destruction"
    body = mail.outbox[0].body
    assert "- CPC-2009-00031" in body and "- CPC-2018-00007" in body
    assert "1 of them is under a legal hold" in body

    # Again the same day: nothing new is sent.
    retention_review_run(today=TODAY)
    assert len(mail.outbox) == 1
    # The next day nothing more has become due: no email.
    quiet = retention_review_run(today=date(2026, 6, 16)).review
    assert (quiet.due, quiet.newly_due, quiet.notified) == (2, 0, 0)
    assert len(mail.outbox) == 1
    # On 11 January 2030 the sustained case closed in January 2015 becomes due: only it is announced.
    later = retention_review_run(today=date(2030, 1, 11)).review
    assert (later.due, later.newly_due, later.notified) == (4, 2, 1)
    assert mail.outbox[1].subject == "2 closed cases are now due for destruction"
    assert "CPC-2014-00100" in mail.outbox[1].body and "CPC-2021-00500" in mail.outbox[1].body
    assert "CPC-2018-00007" not in mail.outbox[1].body


def test_the_periodic_task_runs_the_review(cases, supervisor):
    assert retention_review(TODAY.isoformat()) == 2
    assert RetentionReview.objects.get().as_of == TODAY


def test_supervisors_find_the_retention_page_from_the_staff_home(cases, supervisor, other_investigator, client):
    retention_review_run(today=TODAY)
    client.force_login(supervisor)
    home = client.get(reverse("staff:home")).content.decode()
    assert "At the review of 2026-06-15, 2 closed cases were due for destruction." in home
    assert reverse("staff:retention:due") in home
    client.force_login(other_investigator)
    assert reverse("staff:retention:due") not in client.get(reverse("staff:home")).content.decode()


def test_the_retention_tab_shows_on_closed_cases(cases, supervisor, client):
    old, _held = cases
    client.force_login(supervisor)
    page = client.get(reverse("cases:overview", args=[old.tracking_number])).content.decode()
    assert reverse("staff:retention:case", args=[old.tracking_number]) in page
