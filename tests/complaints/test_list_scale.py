"""Staff lists and the dashboard at scale: a fixed number of queries whatever the number of
complaints, filters that really filter and survive paging, counts that stay exact through every
kind of write, and table rows that never load the narrative."""

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Complaint
from complaints.selectors import complaint_counts_by_status, complaint_status_counts, intake_queue_for_user
from oversight import permissions
from tests.factories import ComplaintFactory, DistrictFactory

S = Complaint.Status
LIST = reverse("complaints:list")
QUEUE = reverse("complaints:intake_queue")
DASHBOARD = reverse("cases:dashboard")
# Statuses to spread test complaints over: intake, open investigation, board, closed.
SPREAD = [S.RECEIVED, S.IN_TRIAGE, S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, S.BOARD_REVIEW, S.CLOSED]


def _complaints(n: int, **kwargs) -> list[Complaint]:
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    return [
        ComplaintFactory(status=SPREAD[i % len(SPREAD)], received_at=start + timedelta(hours=i), **kwargs)
        for i in range(n)
    ]


def _give(user, complaints: list[Complaint], *, work: bool) -> None:
    """Object access as an assignment (view and change) or a board referral (view) grants it."""
    perms = ["complaints.view_complaint", "complaints.change_complaint"] if work else ["complaints.view_complaint"]
    permissions.grant_bulk(user, perms, complaints)


def _queries(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types) so both readings start alike
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _body(client, url: str, params: dict | None = None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def _next_link(body: str) -> str:
    match = re.search(r'<a class="usa-pagination__link" rel="next" href="([^"]+)"', body)
    assert match, "no Next link"
    return unescape(match.group(1))


# --- Query counts do not grow -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["supervisor", "assigned_investigator", "board_member"])
@pytest.mark.parametrize("url", [LIST, f"{LIST}?status=closed", DASHBOARD])
def test_case_list_and_dashboard_take_as_many_queries_with_100_cases_as_with_10(request, client, persona, url):
    user = request.getfixturevalue(persona)
    district = DistrictFactory()
    scoped = persona != "supervisor"
    client.force_login(user)
    first = _complaints(10, district=district)
    if scoped:
        _give(user, first, work=persona == "assigned_investigator")
    with_10 = _queries(client, url)
    more = _complaints(90, district=district)
    if scoped:
        _give(user, more, work=persona == "assigned_investigator")
    assert _queries(client, url) == with_10


@pytest.mark.parametrize("persona", ["supervisor", "intake_coordinator"])
def test_intake_queue_takes_as_many_queries_with_100_new_complaints_as_with_10(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    district = DistrictFactory()
    ComplaintFactory.create_batch(10, district=district)
    with_10 = _queries(client, QUEUE)
    ComplaintFactory.create_batch(90, district=district, status=S.IN_TRIAGE)
    assert _queries(client, QUEUE) == with_10


@pytest.mark.parametrize("persona", ["assigned_investigator", "board_member"])
def test_intake_queue_stays_closed_to_investigators_and_board_members(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(QUEUE).status_code == 403


# --- The district filter ------------------------------------------------------------------------


def test_case_list_offers_every_district_and_filters_by_the_one_chosen(client, supervisor):
    north, south = DistrictFactory(name="Northside"), DistrictFactory(name="Southside")
    in_north = ComplaintFactory(district=north)
    in_south = ComplaintFactory(district=south)
    nowhere = ComplaintFactory(district=None)
    client.force_login(supervisor)
    page = _body(client, LIST)
    assert f'<option value="{north.pk}">Northside</option>' in page
    assert f'<option value="{south.pk}">Southside</option>' in page
    filtered = _body(client, LIST, {"district": north.pk})
    assert in_north.tracking_number in filtered
    assert in_south.tracking_number not in filtered and nowhere.tracking_number not in filtered
    assert f'<option value="{north.pk}" selected>Northside</option>' in filtered
    assert "1 complaint" in filtered


def test_district_and_status_filter_together(client, supervisor):
    north, south = DistrictFactory(name="Northside"), DistrictFactory(name="Southside")
    north_closed = ComplaintFactory(district=north, status=S.CLOSED)
    north_open = ComplaintFactory(district=north, status=S.UNDER_INVESTIGATION)
    south_closed = ComplaintFactory(district=south, status=S.CLOSED)
    client.force_login(supervisor)
    page = _body(client, LIST, {"district": north.pk, "status": S.CLOSED})
    assert north_closed.tracking_number in page
    assert north_open.tracking_number not in page and south_closed.tracking_number not in page


def test_paging_keeps_both_filters_and_reaches_every_matching_case_once(client, supervisor):
    north, south = DistrictFactory(name="Northside"), DistrictFactory(name="Southside")
    # 120 matching cases sharing one received time (the id breaks the tie), between others that do not match.
    matching = ComplaintFactory.create_batch(120, district=north, status=S.CLOSED)
    others = [
        *ComplaintFactory.create_batch(30, district=north, status=S.UNDER_INVESTIGATION),
        *ComplaintFactory.create_batch(30, district=south, status=S.CLOSED),
    ]
    client.force_login(supervisor)
    seen: list[str] = []
    url = f"{LIST}?district={north.pk}&status=closed"
    pages = 0
    while True:
        page = _body(client, url)
        pages += 1
        assert "120 complaints" in page
        seen += re.findall(r">(TST-2026-\d{5})</a></th>", page)
        if 'rel="next"' not in page:
            break
        link = _next_link(page)
        assert f"district={north.pk}" in link and "status=closed" in link
        url = LIST + link
    assert pages == 3
    assert sorted(seen) == sorted(c.tracking_number for c in matching)
    assert len(seen) == len(set(seen))
    assert not {c.tracking_number for c in others} & set(seen)


def test_previous_link_returns_to_the_same_page(client, supervisor):
    ComplaintFactory.create_batch(110)
    client.force_login(supervisor)
    first = _body(client, LIST)
    second = _body(client, LIST + _next_link(first))
    back = re.search(r'rel="prev" href="([^"]+)"', second)
    assert back
    again = _body(client, LIST + unescape(back.group(1)))
    numbers = re.compile(r">(TST-2026-\d{5})</a></th>")
    assert numbers.findall(again) == numbers.findall(first)
    assert 'rel="prev"' not in again


@pytest.mark.parametrize("value", ["north", "999999", "1; DROP TABLE x", "99999999999999999999999"])
def test_a_district_not_on_the_list_is_reported_and_left_out(client, supervisor, value):
    north = DistrictFactory(name="Northside")
    in_north = ComplaintFactory(district=north, status=S.CLOSED)
    elsewhere = ComplaintFactory(district=None, status=S.CLOSED)
    client.force_login(supervisor)
    page = _body(client, LIST, {"district": value, "status": "closed"})
    assert "That district is not on the list, so complaints from every district are shown." in page
    assert in_north.tracking_number in page and elsewhere.tracking_number in page


def test_an_unknown_status_is_reported_and_the_district_still_applies(client, supervisor):
    north, south = DistrictFactory(name="Northside"), DistrictFactory(name="Southside")
    in_north = ComplaintFactory(district=north)
    in_south = ComplaintFactory(district=south)
    client.force_login(supervisor)
    page = _body(client, LIST, {"district": north.pk, "status": "lost"})
    assert "That status is not on the list, so complaints in every status are shown." in page
    assert in_north.tracking_number in page and in_south.tracking_number not in page


def _cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        _cursor("x", "1"),
        _cursor("2026-01-01T09:00:00", "1"),  # no time zone
        _cursor("9999-12-31T23:59:59+00:00", "1"),  # off the end of the calendar
        _cursor("2026-01-01T09:00:00+00:00", 1),  # not as the list writes them
        _cursor("2026-01-01T09:00:00+00:00"),
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_page_link_that_cannot_be_read_shows_the_first_page_and_says_so(client, supervisor, cursor, direction):
    complaint = ComplaintFactory()
    client.force_login(supervisor)
    page = _body(client, LIST, {direction: cursor})
    assert "That page link could not be read, so the first page is shown." in page
    assert complaint.tracking_number in page


def test_a_cursor_with_an_enormous_id_is_no_server_error(client, supervisor):
    ComplaintFactory()
    client.force_login(supervisor)
    for direction in ("after", "before"):
        assert client.get(LIST, {direction: _cursor("2026-03-14T15:00:00+00:00", "9" * 30)}).status_code == 200


def test_a_scoped_users_filtered_list_shows_only_their_cases(client, assigned_investigator, complaint):
    district = DistrictFactory(name="Northside")
    Complaint.objects.filter(pk=complaint.pk).update(district=district)
    not_theirs = ComplaintFactory(district=district)
    client.force_login(assigned_investigator)
    page = _body(client, LIST, {"district": district.pk})
    assert complaint.tracking_number in page and not_theirs.tracking_number not in page
    assert "1 complaint" in page


def test_intake_coordinators_list_holds_intake_and_mediation_and_their_own_grants(client, intake_coordinator):
    north = DistrictFactory(name="Northside")
    new = ComplaintFactory(district=north)
    mediating = ComplaintFactory(district=north, status=S.IN_MEDIATION)
    granted = ComplaintFactory(district=north, status=S.UNDER_INVESTIGATION)
    hidden = ComplaintFactory(district=north, status=S.UNDER_INVESTIGATION)
    _give(intake_coordinator, [granted], work=True)
    client.force_login(intake_coordinator)
    page = _body(client, LIST)
    assert all(c.tracking_number in page for c in (new, mediating, granted))
    assert hidden.tracking_number not in page
    assert "3 complaints" in page
    filtered = _body(client, LIST, {"district": north.pk, "status": S.UNDER_INVESTIGATION})
    assert granted.tracking_number in filtered and hidden.tracking_number not in filtered
    assert "1 complaint" in filtered


# --- Counts stay exact ----------------------------------------------------------------------------


def _dashboard_counts(client) -> dict[str, int]:
    page = _body(client, DASHBOARD)
    section = page[page.index('id="counts-heading"') :]
    return {
        status: int(n) for status, n in re.findall(r'\?status=(\w+)">[^<]+</a></th><td>(\d+)</td>', section) if int(n)
    }


def test_counts_stay_exact_through_create_status_change_and_delete(client, supervisor):
    from investigations.services.transitions import complaint_transition

    assert complaint_status_counts() == {}
    first, second, third = ComplaintFactory.create_batch(3)
    assert complaint_status_counts() == {"received": 3}
    complaint_transition(complaint=first, to_status=S.IN_TRIAGE, actor=supervisor)
    assert complaint_status_counts() == {"received": 2, "in_triage": 1}
    Complaint.objects.filter(pk__in=[second.pk, third.pk]).update(status=S.CLOSED)
    assert complaint_status_counts() == {"in_triage": 1, "closed": 2}
    Complaint.objects.filter(pk=second.pk).update(narrative="A change that is not a status change.")
    assert complaint_status_counts() == {"in_triage": 1, "closed": 2}
    third.delete()
    assert complaint_status_counts() == {"in_triage": 1, "closed": 1}
    Complaint.objects.bulk_create(
        [Complaint(tracking_number=f"BLK-2026-{n:05d}", narrative="Bulk.", status=S.REFERRED) for n in range(5)]
    )
    assert complaint_status_counts() == {"in_triage": 1, "closed": 1, "referred": 5}
    Complaint.objects.filter(status=S.REFERRED).delete()
    assert complaint_status_counts() == {"in_triage": 1, "closed": 1}
    client.force_login(supervisor)
    assert _dashboard_counts(client) == {"in_triage": 1, "closed": 1}
    assert "2 complaints" in _body(client, LIST)
    assert "1 complaint" in _body(client, LIST, {"status": "closed"})


def test_scoped_users_count_only_their_own_cases(client, supervisor, intake_coordinator, board_member):
    cases = _complaints(12)  # two in each status of SPREAD
    third, fourth = cases[2], cases[3]  # under investigation, findings proposed
    _give(board_member, [third, fourth], work=False)
    _give(intake_coordinator, [third], work=True)
    assert complaint_counts_by_status(user=supervisor) == {
        "received": 2,
        "in_triage": 2,
        "under_investigation": 2,
        "findings_proposed": 2,
        "board_review": 2,
        "closed": 2,
    }
    assert complaint_counts_by_status(user=board_member) == {"under_investigation": 1, "findings_proposed": 1}
    # Intake coordinators see every complaint in intake, and their own grants elsewhere.
    assert complaint_counts_by_status(user=intake_coordinator) == {
        "received": 2,
        "in_triage": 2,
        "under_investigation": 1,
    }
    client.force_login(board_member)
    assert _dashboard_counts(client) == {"under_investigation": 1, "findings_proposed": 1}
    assert "2 complaints" in _body(client, LIST)


def test_intake_queue_counts_each_status_and_pages_by_number(client, intake_coordinator):
    ComplaintFactory.create_batch(52)
    ComplaintFactory.create_batch(3, status=S.IN_TRIAGE)
    ComplaintFactory.create_batch(4, status=S.CLOSED)
    client.force_login(intake_coordinator)
    page = _body(client, QUEUE)
    assert "52 new · 3 in triage" in page
    assert "Page 1 of 2" in page
    assert "Page 2 of 2" in _body(client, QUEUE, {"page": 2})


# --- Rows load only what the table shows --------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, QUEUE])
def test_list_rows_do_not_load_the_narrative_or_the_status_code_hash(client, supervisor, url):
    complaint = ComplaintFactory(narrative="The narrative stays out of list pages.", district=DistrictFactory())
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as captured:
        body = _body(client, url)
    assert complaint.tracking_number in body
    complaint_reads = [q["sql"] for q in captured.captured_queries if 'FROM "complaints_complaint"' in q["sql"]]
    assert complaint_reads
    for sql in complaint_reads:
        assert '"narrative"' not in sql and '"status_code_hash"' not in sql
        assert '"location_text"' not in sql


# --- PostgreSQL plans ---------------------------------------------------------------------------


def _explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def mostly_decided_cases(db):
    """Ten thousand complaints of which one in twenty is still in intake, with fresh statistics:
    the shape of a real table, where the queue is a small part of everything ever filed."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    Complaint.objects.bulk_create(
        [
            Complaint(
                tracking_number=f"PLN-2026-{n:05d}",
                narrative="Planner test.",
                received_at=start + timedelta(hours=n),
                status=S.RECEIVED if n % 40 == 0 else S.IN_TRIAGE if n % 40 == 1 else S.CLOSED,
            )
            for n in range(10_000)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint, oversight_district, auth_user")


@pytest.mark.postgres
@pytest.mark.parametrize("newest_first", [False, True])
def test_intake_queue_reads_the_partial_index(supervisor, mostly_decided_cases, newest_first):
    queue = intake_queue_for_user(user=supervisor, newest_first=newest_first)[:50]
    assert "complaint_intake_queue_idx" in _explain(queue)


@pytest.mark.postgres
def test_intake_coordinators_queue_reads_the_partial_index_too(intake_coordinator, mostly_decided_cases):
    assert "complaint_intake_queue_idx" in _explain(intake_queue_for_user(user=intake_coordinator)[:50])
