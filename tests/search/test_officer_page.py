"""The staff officer page: the roster entry and the complaints naming the officer that the reader
may see (the rule of every case page, never more), newest first, 25 a page, with the allegations
against the officer and their findings, in a bounded number of queries."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse

from complaints.models import AllegationCategory, Complaint
from investigations.models import Finding
from oversight import permissions

from ..factories import AllegationFactory, ComplaintFactory, OfficerFactory, SubjectOfficerFactory

pytestmark = pytest.mark.django_db


def _page(officer) -> str:
    return reverse("staff:search:officer", args=[officer.pk])


def _tracking_numbers(response) -> list[str]:
    return re.findall(r'<th scope="row"[^>]*><a href="/staff/cases/([^/"]+)/">', response.content.decode())


@pytest.fixture
def officer():
    return OfficerFactory(first_name="Dana", last_name="Whitlock", badge_number="4471", rank="Sergeant", unit="Traffic")


def _naming(officer, *, days_ago: int = 0, category: str = "force-physical", **fields) -> Complaint:
    complaint = ComplaintFactory(
        received_at=datetime(2026, 3, 14, 15, 0, tzinfo=UTC) - timedelta(days=days_ago), **fields
    )
    subject = SubjectOfficerFactory(complaint=complaint, officer=officer)
    AllegationFactory(subject_officer=subject, category=AllegationCategory.objects.get(code=category))
    return complaint


def test_the_page_shows_the_roster_entry_and_every_complaint_naming_the_officer(client, supervisor, officer):
    older = _naming(officer, days_ago=30)
    newer = _naming(officer, days_ago=1, category="disc-words")
    ComplaintFactory()  # names someone else
    client.force_login(supervisor)

    response = client.get(_page(officer))

    assert response.status_code == 200
    text = unescape(response.content.decode())
    assert "<h1>Dana Whitlock</h1>" in text
    for fact in ("4471", "Sergeant", "Traffic", officer.agency.name, "Active"):
        assert fact in text
    assert _tracking_numbers(response) == [newer.tracking_number, older.tracking_number]  # newest first
    assert "2 complaints you can see" in text
    assert "Force › Physical force: no finding yet" in text
    assert f'href="{reverse("staff:search:cases")}?officer={officer.pk}"' in text


def test_the_findings_are_shown_proposed_then_final(client, supervisor, officer):
    complaint = _naming(officer)
    allegation = complaint.allegations.get()
    finding = Finding.objects.create(allegation=allegation, proposed_disposition="sustained", rationale="Video.")
    client.force_login(supervisor)

    assert "Physical force: Sustained (proposed)" in unescape(client.get(_page(officer)).content.decode())

    Finding.objects.filter(pk=finding.pk).update(final_disposition="not_sustained")
    assert "Physical force: Not sustained (final)" in unescape(client.get(_page(officer)).content.decode())


def test_only_allegations_against_this_officer_are_listed(client, supervisor, officer):
    complaint = _naming(officer)
    AllegationFactory(
        subject_officer=SubjectOfficerFactory(complaint=complaint),
        category=AllegationCategory.objects.get(code="disc-words"),
    )
    client.force_login(supervisor)

    text = unescape(client.get(_page(officer)).content.decode())

    assert "Physical force" in text
    assert "Discourtesy" not in text.split("<tbody>")[1]


def test_an_investigator_sees_only_the_complaints_they_may_see(client, assigned_investigator, complaint, officer):
    permissions.revoke(assigned_investigator, "complaints.view_complaint", complaint)
    theirs = _naming(officer, days_ago=2)
    permissions.grant(assigned_investigator, "complaints.view_complaint", theirs)
    hidden = _naming(officer, days_ago=3)
    client.force_login(assigned_investigator)

    response = client.get(_page(officer))

    assert response.status_code == 200
    assert _tracking_numbers(response) == [theirs.tracking_number]
    text = response.content.decode()
    assert hidden.tracking_number not in text
    assert "1 complaint you can see" in text


def test_an_intake_coordinator_sees_the_cases_in_intake_not_the_others(client, intake_coordinator, officer):
    in_intake = _naming(officer, days_ago=1)
    investigated = _naming(officer, days_ago=2)
    Complaint.objects.filter(pk=investigated.pk).update(status=Complaint.Status.UNDER_INVESTIGATION)
    client.force_login(intake_coordinator)

    assert _tracking_numbers(client.get(_page(officer))) == [in_intake.tracking_number]


def test_a_user_who_may_see_no_case_sees_the_roster_entry_and_no_complaint(client, other_investigator, officer):
    hidden = _naming(officer)
    client.force_login(other_investigator)

    response = client.get(_page(officer))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Dana Whitlock" in text and hidden.tracking_number not in text
    assert "No complaint you can see names this officer." in text


def test_an_unknown_officer_is_the_staff_404_page(client, supervisor):
    client.force_login(supervisor)

    response = client.get(reverse("staff:search:officer", args=[987654]))

    assert response.status_code == 404
    text = response.content.decode()
    assert "Page not found" in text and "Staff workspace" in text


def test_the_page_needs_a_signed_in_user(client, officer):
    response = client.get(_page(officer))

    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]


def test_pages_of_25_walk_from_newest_to_oldest(client, supervisor, officer):
    made = [_naming(officer, days_ago=n) for n in range(27)]
    client.force_login(supervisor)

    first = client.get(_page(officer))
    assert _tracking_numbers(first) == [c.tracking_number for c in made[:25]]
    following = re.search(r'rel="next" href="([^"]+)"', first.content.decode())
    second = client.get(_page(officer) + unescape(following.group(1)))

    assert _tracking_numbers(second) == [c.tracking_number for c in made[25:]]


def test_a_bad_page_link_shows_the_first_page(client, supervisor, officer):
    made = _naming(officer)
    client.force_login(supervisor)

    response = client.get(_page(officer), {"after": "not-a-cursor!"})

    assert response.status_code == 200
    assert _tracking_numbers(response) == [made.tracking_number]
    assert "That page link could not be read" in response.content.decode()


def test_the_number_of_queries_does_not_grow_with_the_complaints(
    client, supervisor, officer, django_assert_max_num_queries
):
    for n in range(30):
        complaint = _naming(officer, days_ago=n)
        if n % 2:
            Finding.objects.create(
                allegation=complaint.allegations.get(), proposed_disposition="sustained", rationale="Video."
            )
    client.force_login(supervisor)
    client.get(_page(officer))

    with django_assert_max_num_queries(14):
        response = client.get(_page(officer))
    assert len(_tracking_numbers(response)) == 25


def test_the_case_page_links_each_identified_officer_to_their_page(client, supervisor, complaint):
    client.force_login(supervisor)
    subject = complaint.subject_officers.get()

    text = client.get(reverse("cases:overview", args=[complaint.tracking_number])).content.decode()

    assert f'href="{reverse("staff:search:officer", args=[subject.officer_id])}"' in text
