"""The audit log page: supervisors only; filters, keyset pages and a CSV export of the filtered set;
every use of it audited. Expected rows are written out by hand."""

import csv
import io
from contextlib import contextmanager
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight import audit
from oversight.audit_log import export
from oversight.context import acting_as
from oversight.models import AuditEvent
from oversight.permissions import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("staff:audit_log")
EXPORT = reverse("staff:audit_log_export")


@contextmanager
def _at(moment: datetime):
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _event(action: str, *, when: datetime, user=None, label: str = "", outcome=audit.Outcome.SUCCESS, **kwargs):
    with _at(when), acting_as(user, request_id=kwargs.pop("request_id", None), ip=kwargs.pop("ip", None)):
        return audit.record(action, target_label=label, outcome=outcome, actor=user, **kwargs)


def _moment(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice_ng", first_name="Alice", last_name="Ng", roles=[Role.INVESTIGATOR])


@pytest.fixture
def bob(db):
    return UserFactory(username="bob_ruiz", first_name="Bob", last_name="Ruiz", roles=[Role.INTAKE_COORDINATOR])


@pytest.fixture
def history(alice, bob):
    """Five events in March 2026, by hand."""
    _event("personal_data.viewed", when=_moment(2), user=alice, label="CPC-2026-00042", data={"what": ["parties"]})
    _event("note.added", when=_moment(3), user=alice, label="CPC-2026-00042", data={"kind": "note"})
    _event("personal_data.viewed", when=_moment(4), user=bob, label="CPC-2026-00042", data={"what": ["narrative"]})
    _event("personal_data.viewed", when=_moment(5), user=bob, label="CPC-2026-00077", data={"what": ["parties"]})
    _event("complaint.access_denied", when=_moment(6), user=bob, label="CPC-2026-00099", outcome=audit.Outcome.DENIED)


def _rows(response) -> list[str]:
    """The target label of each row shown, in order (the table's fourth cell after the time)."""
    body = response.content.decode()
    if "<tbody>" not in body:
        return []
    table = body[body.find("<tbody>") : body.find("</tbody>")]
    rows = table.split("<tr>")[1:]
    return [row.split("<td>")[4].split("<br>")[0].split("</td>")[0].strip() for row in rows]


# --- Who may use it -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["assigned_investigator", "board_member", "intake_coordinator", "sysadmin", "publisher"]
)
def test_everyone_but_supervisors_gets_the_staff_404_page_and_no_link(request, client, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in (PAGE, EXPORT):
        response = client.get(url)
        assert response.status_code == 404, (persona, url)
        assert "Staff workspace" in response.content.decode()
    assert not AuditEvent.objects.filter(action__in=["audit_log.viewed", "audit_log.exported"]).exists()
    assert PAGE not in client.get(reverse("staff:home")).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (PAGE, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_the_supervisor_has_the_link_and_the_page(client, supervisor, history):
    client.force_login(supervisor)
    assert f'href="{PAGE}"' in client.get(reverse("staff:home")).content.decode()
    response = client.get(PAGE, {"date_to": "2026-03-31"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Audit log" in body and "Personal data viewed" in body and "Alice Ng" in body
    assert _rows(response) == ["CPC-2026-00099", "CPC-2026-00077", "CPC-2026-00042", "CPC-2026-00042", "CPC-2026-00042"]


# --- Filters ----------------------------------------------------------------------------------------------


def test_who_looked_at_this_complainants_details(client, supervisor, history):
    client.force_login(supervisor)
    response = client.get(PAGE, {"tracking_number": "cpc-2026-00042 ", "action": "personal_data.viewed"})
    assert _rows(response) == ["CPC-2026-00042", "CPC-2026-00042"]
    body = response.content.decode()
    assert "Bob Ruiz" in body and "Alice Ng" in body
    assert "2026-03-04 04:00:00" in body and "2026-03-02 04:00:00" in body  # New York time


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "bob_ruiz"}, ["CPC-2026-00099", "CPC-2026-00077", "CPC-2026-00042"]),
        ({"action": "note.added"}, ["CPC-2026-00042"]),
        ({"action": "complaint.access_denied", "actor": "bob_ruiz"}, ["CPC-2026-00099"]),
        ({"date_from": "2026-03-04", "date_to": "2026-03-05"}, ["CPC-2026-00077", "CPC-2026-00042"]),
        ({"date_from": "2026-03-06", "date_to": "2026-03-31"}, ["CPC-2026-00099"]),
        ({"date_to": "2026-03-02"}, ["CPC-2026-00042"]),
        ({"tracking_number": "CPC-2026-00077"}, ["CPC-2026-00077"]),
        ({"actor": "nobody_at_all"}, []),
    ],
)
def test_each_filter_narrows_the_list(client, supervisor, history, query, expected):
    client.force_login(supervisor)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    assert _rows(response) == expected
    if not expected:
        assert "No events match these filters." in response.content.decode()


def test_the_target_type_and_id_filter(client, supervisor, complaint):
    with acting_as(supervisor):
        audit.record("complaint.viewed", target=complaint)
        audit.record("note.added", target_label="CPC-2026-00500")
    client.force_login(supervisor)
    response = client.get(PAGE, {"target_type": "complaints.complaint", "target_id": str(complaint.pk)})
    assert _rows(response) == [complaint.tracking_number]
    assert "CPC-2026-00500" not in response.content.decode()


def test_a_date_range_the_wrong_way_round_is_reported_and_the_other_filters_apply(client, supervisor, history):
    client.force_login(supervisor)
    response = client.get(PAGE, {"actor": "alice_ng", "date_from": "2026-03-01", "date_to": "2026-02-01"})
    body = response.content.decode()
    assert "The end date is before the start date." in body
    assert _rows(response) == ["CPC-2026-00042", "CPC-2026-00042"]


def test_with_no_events_the_page_says_so(client, supervisor):
    client.force_login(supervisor)
    with mock.patch("oversight.audit_log.views.audit_events_filtered", return_value=AuditEvent.objects.none()):
        body = client.get(PAGE).content.decode()
    assert "No events recorded yet." in body


# --- Pages ------------------------------------------------------------------------------------------------


def test_pages_run_newest_first_fifty_at_a_time_with_previous_and_next(client, supervisor):
    for n in range(1, 61):
        _event("note.added", when=_moment(1, 8, n - 1) if n < 60 else _moment(1, 9, 59), label=f"PG-{n:04d}")
    client.force_login(supervisor)
    first = client.get(PAGE, {"action": "note.added"})
    assert _rows(first) == [f"PG-{n:04d}" for n in range(60, 10, -1)]
    body = first.content.decode()
    assert "60 events" in body and 'rel="next"' in body and 'rel="prev"' not in body
    next_link = body.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(PAGE + next_link)
    assert _rows(second) == [f"PG-{n:04d}" for n in range(10, 0, -1)]
    body = second.content.decode()
    assert 'rel="prev"' in body and 'rel="next"' not in body
    previous_link = body.split('rel="prev" href="')[1].split('"')[0].replace("&amp;", "&")
    assert _rows(client.get(PAGE + previous_link)) == [f"PG-{n:04d}" for n in range(60, 10, -1)]
    broken = client.get(PAGE, {"action": "note.added", "after": "not-a-cursor"})
    assert "That page link could not be read" in broken.content.decode()
    assert _rows(broken) == [f"PG-{n:04d}" for n in range(60, 10, -1)]


# --- Its own use, audited ---------------------------------------------------------------------------------


def test_each_view_and_each_export_is_recorded_with_its_filters(client, supervisor, history):
    client.force_login(supervisor)
    client.get(PAGE, {"action": "personal_data.viewed", "tracking_number": "CPC-2026-00042"})
    viewed = AuditEvent.objects.get(action="audit_log.viewed")
    assert viewed.actor == supervisor
    assert viewed.data == {
        "filters": {"action": "personal_data.viewed", "tracking_number": "CPC-2026-00042"},
        "page": "first",
    }
    response = client.get(EXPORT, {"actor": "bob_ruiz"})
    b"".join(response.streaming_content)
    exported = AuditEvent.objects.get(action="audit_log.exported")
    assert exported.actor == supervisor
    assert exported.data == {"filters": {"actor": "bob_ruiz"}, "limit": 100000}


# --- The CSV export ---------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_holds_the_filtered_set_with_formulas_defused(client, supervisor, settings):
    settings.TIME_ZONE = "UTC"
    mallory = UserFactory(username="@mallory", roles=[Role.INVESTIGATOR])
    _event(
        "status.looked_up",
        when=_moment(2, 9, 30),
        label='=HYPERLINK("http://x","y")',
        outcome=audit.Outcome.FAILED,
        request_id="req-00000003",
    )
    _event(
        "auth.login_failed",
        when=_moment(2, 10, 0),
        outcome=audit.Outcome.FAILED,
        data={"username": "+1-555"},
        request_id="req-00000002",
    )
    _event(
        "note.added",
        when=_moment(2, 11, 15),
        user=mallory,
        label="-2+3",
        request_id="req-00000001",
        ip="10.0.0.5",
        data={"kind": "note"},
    )
    _event("note.added", when=_moment(3, 8, 0), user=mallory, label="CPC-2026-00001")  # outside the dates
    client.force_login(supervisor)
    rows = _csv(client.get(EXPORT, {"date_from": "2026-03-02", "date_to": "2026-03-02"}))
    assert rows == [
        [
            "When",
            "Username",
            "Action code",
            "Action",
            "Outcome",
            "Record type",
            "Record id",
            "Target",
            "IP address",
            "Request id",
            "Details",
        ],
        [
            "2026-03-02T11:15:00+00:00",
            "'@mallory",
            "note.added",
            "Case note added",
            "Success",
            "",
            "",
            "'-2+3",
            "10.0.0.5",
            "req-00000001",
            '{"kind": "note"}',
        ],
        [
            "2026-03-02T10:00:00+00:00",
            "",
            "auth.login_failed",
            "Sign-in failed",
            "Failed",
            "",
            "",
            "",
            "",
            "req-00000002",
            '{"username": "+1-555"}',
        ],
        [
            "2026-03-02T09:30:00+00:00",
            "",
            "status.looked_up",
            "Status looked up",
            "Failed",
            "",
            "",
            '\'=HYPERLINK("http://x","y")',
            "",
            "req-00000003",
            "",
        ],
    ]


def test_the_export_streams_keyset_chunks_and_stops_at_its_limit(
    client, supervisor, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(export, "EXPORT_CHUNK_ROWS", 3)
    monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 7)
    for n in range(1, 11):
        _event("note.added", when=_moment(1, 8, n), label=f"PG-{n:04d}")
    client.force_login(supervisor)
    response = client.get(EXPORT, {"action": "note.added"})
    with django_assert_max_num_queries(3):  # three chunks: 3, 3 and 1 rows
        rows = _csv(response)
    assert [row[7] for row in rows[1:]] == ["PG-0010", "PG-0009", "PG-0008", "PG-0007", "PG-0006", "PG-0005", "PG-0004"]


def test_formula_cells_get_a_leading_apostrophe():
    cells = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain", "", "a=b"]
    assert [export.safe_cell(c) for c in cells] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
        "",
        "a=b",
    ]
