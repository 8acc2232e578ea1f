"""The publication officer's pages: who may open them (written out by hand), what they show, and how
a refused step reads."""

from html import unescape

import pytest
from django.urls import reverse

from complaints.models import Complaint
from oversight.models import AuditEvent
from public_portal.publication.models import Publication
from public_portal.publication.services import publication_draft, publication_move

from .cases import decided_case

pytestmark = pytest.mark.django_db
P = Publication.Status

# (persona, queue, case page, review page, draft button) — by hand. 302 = sent to sign in.
ACCESS = [
    ("publisher", 200, 200, 200, 302),
    ("supervisor", 403, 403, 403, 403),
    ("assigned_investigator", 403, 403, 403, 403),
    ("board_member", 403, 403, 403, 403),
    ("sysadmin", 403, 403, 403, 403),
    ("intake_coordinator", 403, 403, 403, 403),
    ("anonymous", 302, 302, 302, 302),
]


@pytest.fixture
def drafted(named_case, second_publisher):
    """A draft by the second publication officer, so ``publisher`` may approve it."""
    return publication_draft(complaint=named_case, actor=second_publisher)


def _client(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


@pytest.mark.parametrize(("persona", "queue", "case", "review", "draft"), ACCESS)
def test_who_may_open_the_pages(client, request, named_case, persona, queue, case, review, draft):
    other = decided_case()
    publication = publication_draft(complaint=other, actor=request.getfixturevalue("second_publisher"))
    client = _client(client, request, persona)
    assert client.get(reverse("publication:queue")).status_code == queue
    assert client.get(reverse("publication:case", args=[named_case.tracking_number])).status_code == case
    assert (
        client.get(reverse("publication:review", args=[other.tracking_number, publication.version])).status_code
        == review
    )
    response = client.post(reverse("publication:draft", args=[named_case.tracking_number]))
    assert response.status_code == draft
    if persona == "anonymous":
        assert reverse("staff:login") in response["Location"]
    if draft == 403:
        assert "publication officers" in response.content.decode()  # the staff 403 page says why
    assert Publication.objects.filter(complaint=named_case).exists() is (persona == "publisher")


def test_a_case_not_eligible_for_publication_is_not_found(client, publisher):
    from tests.factories import ComplaintFactory

    open_case = ComplaintFactory(status=Complaint.Status.UNDER_INVESTIGATION)
    client.force_login(publisher)
    assert client.get(reverse("publication:case", args=[open_case.tracking_number])).status_code == 404
    assert client.post(reverse("publication:draft", args=[open_case.tracking_number])).status_code == 404
    assert client.get(reverse("publication:case", args=["NOPE-2026-00001"])).status_code == 404
    assert client.get(reverse("publication:review", args=[open_case.tracking_number, 1])).status_code == 404


def test_the_queue_lists_cases_ready_to_draft_and_versions_by_status(client, publisher, named_case, drafted):
    waiting = decided_case()
    client.force_login(publisher)
    body = client.get(reverse("publication:queue")).content.decode()
    assert waiting.tracking_number in body and named_case.tracking_number not in body
    body = client.get(reverse("publication:queue"), {"show": "draft"}).content.decode()
    assert drafted.public_id in body and waiting.tracking_number not in body
    body = client.get(reverse("publication:queue"), {"show": "ready", "q": waiting.tracking_number.lower()}).content
    assert waiting.tracking_number in body.decode()
    body = client.get(reverse("publication:queue"), {"show": "ready", "district": named_case.district_id}).content
    assert waiting.tracking_number not in body.decode()


def test_a_bad_filter_is_an_error_on_the_page(client, publisher):
    client.force_login(publisher)
    response = client.get(reverse("publication:queue"), {"show": "everything", "district": "abc"})
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()


def test_drafting_from_the_case_page_goes_to_the_review_page(client, publisher, named_case):
    client.force_login(publisher)
    response = client.post(reverse("publication:draft", args=[named_case.tracking_number]), follow=True)
    publication = Publication.objects.get(complaint=named_case)
    assert response.redirect_chain[-1][0] == reverse("publication:review", args=[named_case.tracking_number, 1])
    body = response.content.decode()
    assert f"{publication.public_id}, version 1" in body
    # Drafting again goes to the open version, with a plain message.
    response = client.post(reverse("publication:draft", args=[named_case.tracking_number]), follow=True)
    assert "already has a version being prepared" in response.content.decode()


def test_the_review_page_highlights_every_removal_beside_the_draft(client, publisher, drafted):
    client.force_login(publisher)
    response = client.get(reverse("publication:review", args=[drafted.complaint.tracking_number, 1]))
    body = response.content.decode()
    # A publication officer may not see people's details: the name removed shows as the person's role.
    removed = '<mark class="bg-accent-warm-lighter">[the complainant]</mark> <small class="text-bold">(name)</small>'
    assert removed in body and "Rosa Delgado" not in body
    officer = (
        '<mark class="bg-primary-lighter">Det. Whitfield</mark> <small class="text-bold">(officer&#x27;s name)</small>'
    )
    assert officer in body
    assert '<mark class="bg-accent-cool-lighter">CPC-2026-00042</mark>' in body
    assert "[name removed] told us that Officer Hector Quintero" in body
    assert "Hector Quintero" in body and "Officer A" in body  # the allegation rows
    # The publisher read the case's summary: one personal data event, no case details beyond it.
    event = AuditEvent.objects.get(action="personal_data.viewed")
    assert event.data["what"] == ["narrative"]
    assert event.target_label == drafted.complaint.tracking_number
    assert "pushed me" not in body  # the narrative is never shown


def test_the_drafter_sees_why_they_cannot_approve(client, second_publisher, drafted):
    client.force_login(second_publisher)
    body = client.get(reverse("publication:review", args=[drafted.complaint.tracking_number, 1])).content.decode()
    assert "Approve</strong>: not possible yet." in body
    assert "someone else must approve it" in body


def test_approving_and_publishing_through_the_buttons(client, publisher, second_publisher, drafted):
    url = drafted.complaint.tracking_number
    client.force_login(publisher)
    response = client.post(
        reverse("publication:move", args=[url, 1, "approved"]), {"approve-expected_status": "draft"}, follow=True
    )
    assert "is now “Approved”" in response.content.decode()
    client.force_login(second_publisher)
    response = client.post(
        reverse("publication:move", args=[url, 1, "published"]), {"publish-expected_status": "approved"}, follow=True
    )
    assert "is now “Published”" in response.content.decode()
    drafted.refresh_from_db()
    assert drafted.status == P.PUBLISHED


def test_a_refused_step_is_a_plain_message_not_an_error_page(client, second_publisher, drafted):
    url = drafted.complaint.tracking_number
    client.force_login(second_publisher)
    response = client.post(
        reverse("publication:move", args=[url, 1, "approved"]), {"approve-expected_status": "draft"}, follow=True
    )
    assert response.status_code == 200
    assert "someone else must approve it" in response.content.decode()
    # A stale page.
    response = client.post(
        reverse("publication:move", args=[url, 1, "discarded"]), {"discard-expected_status": "approved"}, follow=True
    )
    assert "Someone else changed this version" in response.content.decode()
    # A step that does not exist from here.
    response = client.post(
        reverse("publication:move", args=[url, 1, "retracted"]), {"retract-expected_status": "draft"}, follow=True
    )
    assert "that step is no longer possible" in response.content.decode()
    assert client.post(reverse("publication:move", args=[url, 1, "nonsense"])).status_code == 404


def test_retracting_without_a_reason_shows_the_form_again(client, publisher, second_publisher, drafted):
    publication_move(publication=drafted, actor=publisher, to_status=P.APPROVED)
    publication_move(publication=drafted, actor=publisher, to_status=P.PUBLISHED)
    client.force_login(publisher)
    url = reverse("publication:move", args=[drafted.complaint.tracking_number, 1, "retracted"])
    response = client.post(url, {"retract-expected_status": "published", "retract-reason": ""})
    assert response.status_code == 400
    assert "Give a reason for this step." in response.content.decode()
    response = client.post(
        url, {"retract-expected_status": "published", "retract-reason": "Under review."}, follow=True
    )
    assert "is now “Retracted”" in response.content.decode()


def test_editing_and_redacting_more_from_the_page(client, publisher, drafted):
    from public_portal.publication.services import text_token

    client.force_login(publisher)
    base = [drafted.complaint.tracking_number, 1]
    response = client.post(
        reverse("publication:edit", args=base),
        {"summary": "A resident was searched near the bus shelter.", "based_on": text_token(drafted.summary)},
        follow=True,
    )
    assert "The draft's text is saved." in unescape(response.content.decode())
    drafted.refresh_from_db()
    response = client.post(
        reverse("publication:redact_more", args=base),
        {"redact-phrase": "BUS SHELTER", "redact-category": "address", "redact-based_on": text_token(drafted.summary)},
        follow=True,
    )
    assert "Removed in 1 place." in response.content.decode()
    drafted.refresh_from_db()
    assert drafted.summary == "A resident was searched near the [address removed]."
    response = client.post(reverse("publication:edit", args=base), {"summary": "", "based_on": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("publication:redact_more", args=base),
        {"redact-phrase": "nowhere to be found", "redact-category": "name"},
    )
    assert response.status_code == 400
    assert "That text is not in the draft" in response.content.decode()


def test_correcting_from_the_page_drafts_the_next_version(client, publisher, second_publisher, drafted):
    publication_move(publication=drafted, actor=publisher, to_status=P.APPROVED)
    publication_move(publication=drafted, actor=publisher, to_status=P.PUBLISHED)
    client.force_login(publisher)
    response = client.post(reverse("publication:correct", args=[drafted.complaint.tracking_number, 1]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("publication:review", args=[drafted.complaint.tracking_number, 2])
    assert "drafted as a correction" in response.content.decode()


def test_the_staff_home_has_a_publication_panel_for_publishers_only(client, publisher, supervisor, drafted):
    client.force_login(publisher)
    body = client.get(reverse("staff:home")).content.decode()
    assert "Open the publication queue" in body and "1 draft is being prepared" in body
    client.force_login(supervisor)
    assert "Open the publication queue" not in client.get(reverse("staff:home")).content.decode()


def test_the_queue_reads_a_fixed_number_of_queries(client, publisher, django_assert_max_num_queries):
    for _ in range(5):
        decided_case()
    client.force_login(publisher)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("publication:queue")).status_code == 200
