"""The pages: who may open them (written out by hand), the queue's filters, pages and empty state,
the flag page, review and closing with its validation and audit, notes, the rules and their
versions, the staff menu and the officer page."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from investigations.early_intervention.evaluation import evaluate
from investigations.early_intervention.models import Flag, FlagEvent, Threshold
from oversight.models import AuditEvent
from tests.factories import OfficerFactory

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(make_rule, name_in, officer):
    make_rule("complaints", "Three in a year", count=3, window_months=12)
    for days in (1, 2, 3):
        name_in(officer, AS_OF - timedelta(days=days))
    evaluate(trigger="command", as_of=AS_OF)
    return Flag.objects.get()


def _text(response) -> str:
    return unescape(response.content.decode())


# --- Who may open what ---------------------------------------------------------------------------

# page -> (supervisor, investigator, board member, intake coordinator, publication officer, sysadmin)
EXPECTED = {
    "queue": (200, 404, 404, 404, 404, 404),
    "flag": (200, 404, 404, 404, 404, 404),
    "flag_close": (200, 404, 404, 404, 404, 404),
    "rules": (200, 404, 404, 404, 404, 404),
    "rule": (200, 404, 404, 404, 404, 404),
    "rule_add": (200, 404, 404, 404, 404, 404),
}
PERSONAS = ("supervisor", "assigned_investigator", "board_member", "intake_coordinator", "publisher", "sysadmin")


def _url(name: str, flag: Flag) -> str:
    if name in ("flag", "flag_close"):
        return reverse(f"staff:early_intervention:{name}", args=[flag.pk])
    if name == "rule":
        return reverse("staff:early_intervention:rule", args=[flag.threshold_id])
    return reverse(f"staff:early_intervention:{name}")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_supervisors_open_the_early_intervention_pages(request, client, flag, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    column = PERSONAS.index(persona)
    for name, statuses in EXPECTED.items():
        response = client.get(_url(name, flag))
        assert response.status_code == statuses[column], (persona, name, response.status_code)
        if response.status_code == 404:
            assert "Page not found" in _text(response) and "Staff workspace" in _text(response)


@pytest.mark.parametrize("persona", PERSONAS[1:])
def test_others_cannot_review_close_or_annotate_a_flag(request, client, flag, persona):
    client.force_login(request.getfixturevalue(persona))
    for name, data in (
        ("flag_review", {"expected": "open"}),
        ("flag_close", {"action": "no_action", "note": "x"}),
        ("flag_note", {"note": "x"}),
    ):
        response = client.post(reverse(f"staff:early_intervention:{name}", args=[flag.pk]), data)
        assert response.status_code == 404, (persona, name)
    assert client.post(reverse("staff:early_intervention:evaluate")).status_code == 404
    flag.refresh_from_db()
    assert flag.status == "open"
    assert list(FlagEvent.objects.values_list("kind", flat=True)) == ["opened"]


def test_the_pages_need_a_signed_in_user(client, flag):
    response = client.get(reverse("staff:early_intervention:queue"))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_an_unknown_flag_is_the_404_page_even_for_a_supervisor(client, supervisor, flag):
    client.force_login(supervisor)
    assert client.get(reverse("staff:early_intervention:flag", args=[flag.pk + 1000])).status_code == 404


def test_the_staff_menu_links_the_queue_for_supervisors_only(client, supervisor, other_investigator):
    link = f'href="{reverse("staff:early_intervention:queue")}"'
    client.force_login(supervisor)
    assert link in client.get(reverse("staff:home")).content.decode()
    client.force_login(other_investigator)
    assert link not in client.get(reverse("staff:home")).content.decode()


# --- The queue -------------------------------------------------------------------------------------


def test_an_empty_queue_says_so(client, supervisor):
    client.force_login(supervisor)

    text = _text(client.get(reverse("staff:early_intervention:queue")))

    assert "No officer is flagged for review." in text
    assert "0 flags" in text


def test_the_queue_lists_open_flags_with_their_rule(client, supervisor, flag):
    client.force_login(supervisor)

    response = client.get(reverse("staff:early_intervention:queue"))

    text = _text(response)
    assert f'href="{reverse("staff:early_intervention:flag", args=[flag.pk])}">Dana Whitlock</a>' in text
    assert "Three in a year" in text and "3 or more complaints in 12 months (version 1)" in text
    assert "1 open flag" in text


def test_the_queue_filters_by_status_and_rule(client, supervisor, flag, make_rule, name_in, officer):
    make_rule("allegations", "Two force", count=2, window_months=6, category="force")
    name_in(officer, AS_OF - timedelta(days=1), categories=("force-physical", "force-weapon"))
    evaluate(trigger="command", as_of=AS_OF)
    force = Flag.objects.get(threshold__name="Two force")
    Flag.objects.filter(pk=flag.pk).update(status="closed", action="training")
    client.force_login(supervisor)
    queue = reverse("staff:early_intervention:queue")

    def linked(**params) -> set[int]:
        text = client.get(queue, params).content.decode()
        return {int(pk) for pk in re.findall(r'href="/staff/early-intervention/flags/(\d+)/"', text)}

    assert linked() == {force.pk}  # open or under review by default
    assert linked(status="closed") == {flag.pk}
    assert linked(status="all") == {flag.pk, force.pk}
    assert linked(status="all", rule=flag.threshold_id) == {flag.pk}
    assert linked(rule=flag.threshold_id) == set()
    assert "No flags match these filters." in _text(client.get(queue, {"rule": flag.threshold_id}))


def test_a_filter_value_not_on_the_list_is_reported_and_left_out(client, supervisor, flag):
    client.force_login(supervisor)

    response = client.get(reverse("staff:early_intervention:queue"), {"status": "bogus", "rule": "99999"})

    assert response.status_code == 200
    text = _text(response)
    assert "That status is not on the list, so open flags are shown." in text
    assert "That rule is not on the list, so flags of every rule are shown." in text
    assert f"/staff/early-intervention/flags/{flag.pk}/" in text


def test_the_queue_pages_by_fifty(client, supervisor, make_rule, name_in):
    make_rule("complaints", "One complaint", count=1, window_months=12)
    for n in range(52):
        name_in(OfficerFactory(badge_number=f"B{n:03d}"), AS_OF - timedelta(days=1))
    evaluate(trigger="command", as_of=AS_OF)
    client.force_login(supervisor)
    queue = reverse("staff:early_intervention:queue")

    first = client.get(queue).content.decode()
    following = re.search(r'rel="next" href="([^"]+)"', first)
    second = client.get(queue + unescape(following.group(1))).content.decode()

    pattern = r'href="/staff/early-intervention/flags/(\d+)/"'
    assert len(re.findall(pattern, first)) == 50
    assert len(re.findall(pattern, second)) == 2
    assert not set(re.findall(pattern, first)) & set(re.findall(pattern, second))
    assert "52 flags" in unescape(first)


# --- The flag page ------------------------------------------------------------------------------------


def test_the_flag_page_shows_the_rule_counts_cases_and_history(client, supervisor, flag):
    client.force_login(supervisor)

    text = _text(client.get(reverse("staff:early_intervention:flag", args=[flag.pk])))

    assert "Three in a year: 3 or more complaints in 12 months (version 1)" in text
    assert "3 when opened; 3 at the latest evaluation" in text
    assert "Complaints received from 2025-06-30 to 2026-06-30" in text
    for case in flag.cases.select_related("complaint"):
        number = case.complaint.tracking_number
        assert f'<a href="{reverse("cases:overview", args=[number])}">{number}</a>' in text
    assert "Discourtesy › Rude or insulting words" in text
    assert "3 complaints behind it" in text
    assert f'href="{reverse("staff:search:officer", args=[flag.officer_id])}"' in text


def test_a_case_the_reader_may_not_open_is_listed_without_a_link(client, flag):
    from oversight.permissions import Role
    from tests.factories import UserFactory

    reader = UserFactory(username="ruth_reader", roles=[Role.INVESTIGATOR])
    from django.contrib.auth.models import Permission

    reader.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="early_intervention", codename__in=["view_flag"])
    )
    client.force_login(reader)
    text = _text(client.get(reverse("staff:early_intervention:flag", args=[flag.pk])))

    for case in flag.cases.select_related("complaint"):
        number = case.complaint.tracking_number
        assert number in text and f'href="{reverse("cases:overview", args=[number])}"' not in text
    assert "Close with an action" not in text  # sees, but may not review


def test_the_review_starts_and_is_audited(client, supervisor, flag):
    client.force_login(supervisor)

    response = client.post(reverse("staff:early_intervention:flag_review", args=[flag.pk]), {"expected": "open"})

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "under_review" and flag.reviewer == supervisor
    event = AuditEvent.objects.get(action="early_intervention.flag_moved")
    assert (event.actor, event.data["from"], event.data["to"]) == (supervisor, "open", "under_review")
    assert "Review started" in _text(client.get(reverse("staff:early_intervention:flag", args=[flag.pk])))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "Talked to the unit commander."}, "Choose what was done about this flag."),
        ({"action": "training", "note": "   "}, "Write a note: what was reviewed and why this action."),
        ({"action": "promotion", "note": "Fine."}, "Select a valid choice."),
    ],
)
def test_closing_needs_an_action_and_a_note(client, supervisor, flag, data, message):
    client.force_login(supervisor)

    response = client.post(reverse("staff:early_intervention:flag_close", args=[flag.pk]), data)

    assert response.status_code == 400
    assert message in _text(response)
    flag.refresh_from_db()
    assert flag.status == "open"
    assert not AuditEvent.objects.filter(action="early_intervention.flag_moved").exists()


def test_closing_records_the_action_the_note_and_who_did_it(client, supervisor, flag):
    client.force_login(supervisor)
    note = "Reviewed the three complaints with the lieutenant; referred for a use-of-force refresher."

    response = client.post(
        reverse("staff:early_intervention:flag_close", args=[flag.pk]),
        {"action": "referral", "note": note, "expected": "open"},
    )

    assert response.status_code == 302
    flag.refresh_from_db()
    assert (flag.status, flag.action, flag.closing_note, flag.closed_by) == ("closed", "referral", note, supervisor)
    event = AuditEvent.objects.get(action="early_intervention.flag_moved")
    assert event.actor == supervisor and event.actor_username == "sofia_supervisor"
    assert event.data["to"] == "closed" and event.data["closing_action"] == "referral"
    assert note not in str(event.data)
    closed = FlagEvent.objects.get(kind="closed")
    assert (closed.actor, closed.action, closed.note) == (supervisor, "referral", note)
    text = _text(client.get(reverse("staff:early_intervention:flag", args=[flag.pk])))
    assert "Referral to the department" in text and note in text
    # Closed is final: the close page says so instead of offering the form again.
    again = client.get(reverse("staff:early_intervention:flag_close", args=[flag.pk]), follow=True)
    assert "This flag is already closed." in _text(again)


def test_a_stale_close_is_refused_with_a_message(client, supervisor, flag):
    client.force_login(supervisor)
    Flag.objects.filter(pk=flag.pk).update(status="under_review")

    response = client.post(
        reverse("staff:early_intervention:flag_close", args=[flag.pk]),
        {"action": "training", "note": "Done.", "expected": "open"},
        follow=True,
    )

    assert "Someone else changed this flag while you were looking at it" in _text(response)
    flag.refresh_from_db()
    assert flag.status == "under_review"


def test_a_note_is_added_to_the_history_and_audited_without_its_text(client, supervisor, flag):
    client.force_login(supervisor)
    url = reverse("staff:early_intervention:flag_note", args=[flag.pk])

    empty = client.post(url, {"note": ""})
    assert empty.status_code == 400 and "Write the note." in _text(empty)

    client.post(url, {"note": "Spoke with the officer's sergeant."})

    assert FlagEvent.objects.get(kind="note").note == "Spoke with the officer's sergeant."
    event = AuditEvent.objects.get(action="early_intervention.flag_noted")
    assert event.actor == supervisor and "sergeant" not in str(event.data)


# --- Rules --------------------------------------------------------------------------------------------


def test_a_supervisor_changes_a_rule_and_it_becomes_a_new_version(client, supervisor, flag):
    client.force_login(supervisor)
    url = reverse("staff:early_intervention:rule", args=[flag.threshold_id])

    response = client.post(
        url,
        {
            "name": "Three in a year",
            "is_active": "on",
            "count": "4",
            "window_months": "12",
            "note": "Raised: too many flags.",
            "expected_version": "1",
        },
    )

    assert response.status_code == 302
    threshold = Threshold.objects.get(pk=flag.threshold_id)
    assert threshold.current_version.number == 2 and threshold.current_version.count == 4
    assert threshold.current_version.note == "Raised: too many flags."
    assert threshold.current_version.created_by == supervisor
    flag.refresh_from_db()
    assert flag.version.number == 1 and flag.version.count == 3
    event = AuditEvent.objects.get(action="early_intervention.rule_changed")
    assert event.actor == supervisor and event.data["version"] == 2
    text = _text(client.get(url))
    assert "4 or more complaints in 12 months" in text and "3 or more complaints in 12 months" in text
    flag_page = _text(client.get(reverse("staff:early_intervention:flag", args=[flag.pk])))
    assert "version 1" in flag_page and "The rule has changed since: version 2" in flag_page


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"count": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"count": "three"}, "Enter a whole number."),
        ({"window_months": ""}, "This field is required."),
        ({"window_months": "601"}, "Ensure this value is less than or equal to 600."),
        ({"count": "5", "note": ""}, "Say why the rule changes: the reason is kept with the new version."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_rule_change_that_is_not_valid_is_explained_and_changes_nothing(
    client, supervisor, flag, changes, field_error
):
    client.force_login(supervisor)
    data = {"name": "Three in a year", "is_active": "on", "count": "3", "window_months": "12", "note": "Why."}
    data.update(changes)

    response = client.post(reverse("staff:early_intervention:rule", args=[flag.threshold_id]), data)

    assert response.status_code == 400
    assert field_error in _text(response)
    assert Threshold.objects.get(pk=flag.threshold_id).versions.count() == 1


def test_changing_only_the_name_makes_no_new_version(client, supervisor, flag):
    client.force_login(supervisor)

    client.post(
        reverse("staff:early_intervention:rule", args=[flag.threshold_id]),
        {"name": "Three complaints in a year", "is_active": "on", "count": "3", "window_months": "12"},
    )

    threshold = Threshold.objects.get(pk=flag.threshold_id)
    assert threshold.name == "Three complaints in a year" and threshold.versions.count() == 1


def test_a_supervisor_adds_a_rule_kind_first(client, supervisor):
    client.force_login(supervisor)
    add = reverse("staff:early_intervention:rule_add")

    assert "Kind of rule" in _text(client.get(add))
    form = _text(client.get(add, {"kind": "peer_percentile"}))
    assert "Percentile of the peer group" in form and "Category" not in form

    response = client.post(
        add + "?kind=peer_percentile",
        {
            "name": "Top 10%",
            "is_active": "on",
            "percentile": "90",
            "window_months": "24",
            "minimum_peers": "8",
            "count": "2",
        },
    )

    assert response.status_code == 302
    rule = Threshold.objects.get(name="Top 10%")
    version = rule.current_version
    assert (rule.kind, version.number, str(version.percentile), version.minimum_peers) == (
        "peer_percentile",
        1,
        "90.00",
        8,
    )
    assert AuditEvent.objects.get(action="early_intervention.rule_created").actor == supervisor


def test_a_new_rule_needs_the_parameters_its_kind_takes(client, supervisor):
    client.force_login(supervisor)

    response = client.post(
        reverse("staff:early_intervention:rule_add") + "?kind=finding",
        {"name": "Bias", "is_active": "on", "count": "1", "category": "", "disposition": "sustained"},
    )

    assert response.status_code == 400
    assert "Category: This field is required." in _text(response)
    assert not Threshold.objects.exists()


def test_the_rules_page_lists_each_rule_with_its_flags(client, supervisor, flag):
    client.force_login(supervisor)

    text = _text(client.get(reverse("staff:early_intervention:rules")))

    assert "Three in a year" in text and "3 or more complaints in 12 months" in text
    assert "Last evaluation:" in text


def test_run_now_evaluates(client, supervisor, make_rule, name_in, officer, django_capture_on_commit_callbacks):
    from django.utils import timezone

    make_rule("complaints", "One", count=1, window_months=12)
    name_in(officer, timezone.now() - timedelta(days=1))
    client.force_login(supervisor)

    # Queued after the request's work commits; without a task broker it runs then, in this process.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:early_intervention:evaluate"), follow=True)

    assert "The evaluation is running." in _text(response)
    assert Flag.objects.filter(officer=officer).count() == 1
    event = AuditEvent.objects.get(action="early_intervention.evaluated")
    assert event.actor == supervisor and event.data["trigger"] == "staff"


# --- The officer page ------------------------------------------------------------------------------------


def test_the_officer_page_shows_their_flags_to_supervisors(client, supervisor, flag, officer):
    client.force_login(supervisor)

    text = _text(client.get(reverse("staff:search:officer", args=[officer.pk])))

    assert "Early-intervention flags" in text
    assert f'href="{reverse("staff:early_intervention:flag", args=[flag.pk])}"' in text
    assert "Three in a year" in text


def test_the_officer_page_shows_no_flags_to_others(client, assigned_investigator, flag, officer):
    client.force_login(assigned_investigator)

    text = _text(client.get(reverse("staff:search:officer", args=[officer.pk])))

    assert "Early-intervention flags" not in text and "/staff/early-intervention/" not in text


@pytest.mark.parametrize(
    "name", ["queue", "flag", "flag_review", "flag_close", "flag_note", "rules", "rule_add", "rule", "evaluate"]
)
def test_garbage_sent_to_each_page_is_never_a_server_error(client, supervisor, flag, name):
    client.raise_request_exception = False
    client.force_login(supervisor)
    if name in ("flag", "flag_review", "flag_close", "flag_note"):
        url = reverse(f"staff:early_intervention:{name}", args=[flag.pk])
    elif name == "rule":
        url = reverse("staff:early_intervention:rule", args=[flag.threshold_id])
    else:
        url = reverse(f"staff:early_intervention:{name}")
    garbage = {
        "note": "x" * 30000,
        "action": "remove-abc",
        "name": "\x00",
        "count": "9" * 30,
        "percentile": "NaN",
        "window_months": "-1",
        "category": "abc",
        "kind": "peer_percentile",
        "expected": "nope",
        "expected_version": "1e9",
    }
    for response in (
        client.post(url, garbage),
        client.post(url + "?kind=finding", {"category": "1' OR 1=1", "disposition": "x"}),
        client.get(url, {"status": "x" * 500, "rule": "-1", "after": "not-a-cursor", "kind": "nope"}),
    ):
        assert response.status_code < 500, (name, response.status_code)


def test_the_admin_shows_rules_read_only(client, supervisor, flag):
    client.force_login(supervisor)
    pk = flag.threshold_id

    assert client.get(reverse("admin:early_intervention_threshold_changelist")).status_code == 200
    change = client.get(reverse("admin:early_intervention_threshold_change", args=[pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:early_intervention_threshold_history", args=[pk])).status_code == 200
    assert client.get(reverse("admin:early_intervention_threshold_add")).status_code == 403
