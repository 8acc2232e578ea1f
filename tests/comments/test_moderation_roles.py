"""Who may use the staff's comment pages, written out by hand: the board's chair and supervisors
manage comment periods; publication officers and supervisors moderate; everyone else gets 404, as
for pages that do not exist. A visitor who is not signed in is sent to sign in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from public_portal.comments.models import CommentPeriod, PublicComment

pytestmark = pytest.mark.django_db

PERSONAS = [
    "intake_coordinator",
    "assigned_investigator",
    "supervisor",
    "board_member",
    "board_chair",
    "publisher",
    "sysadmin",
]
# (page, persona) -> status of a GET.
PAGES = {
    "home": {
        "intake_coordinator": 404,
        "assigned_investigator": 404,
        "supervisor": 200,
        "board_member": 404,
        "board_chair": 200,
        "publisher": 200,
        "sysadmin": 404,
    },
    "queue": {
        "intake_coordinator": 404,
        "assigned_investigator": 404,
        "supervisor": 200,
        "board_member": 404,
        "board_chair": 404,
        "publisher": 200,
        "sysadmin": 404,
    },
    "recommendation": {
        "intake_coordinator": 404,
        "assigned_investigator": 404,
        "supervisor": 200,
        "board_member": 404,
        "board_chair": 200,
        "publisher": 200,
        "sysadmin": 404,
    },
    "summary_pdf": {
        "intake_coordinator": 404,
        "assigned_investigator": 404,
        "supervisor": 200,
        "board_member": 404,
        "board_chair": 200,
        "publisher": 200,
        "sysadmin": 404,
    },
    "moderate": {
        "intake_coordinator": 404,
        "assigned_investigator": 404,
        "supervisor": 200,
        "board_member": 404,
        "board_chair": 404,
        "publisher": 200,
        "sysadmin": 404,
    },
}
# Moderating a comment (POST): who may.
MAY_MODERATE = {"supervisor", "publisher"}
# Closing the comment period early (POST): who may; the others get 404.
MAY_CLOSE = {"supervisor", "board_chair"}


def _url(page, proposed, held):
    if page in ("home", "queue"):
        return reverse(f"staff:comments:{page}")
    if page == "moderate":
        return reverse("staff:comments:moderate", args=[held.pk])
    return reverse(f"staff:comments:{page}", args=[proposed.number])


@pytest.fixture
def held(proposed, comment):
    return comment(proposed, "Held for moderation.", email="held@example.org")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_role_gets_the_page_or_404(request, client, proposed, held, page, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(page, proposed, held)).status_code == PAGES[page][persona]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, proposed, held, page):
    response = client.get(_url(page, proposed, held))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_publication_officers_and_supervisors_moderate(request, client, proposed, held, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("staff:comments:moderate", args=[held.pk])
    response = client.post(url, {"decision": "approved", "reason": ""})
    held.refresh_from_db()
    if persona in MAY_MODERATE:
        assert response.status_code == 302 and held.state == "approved"
    else:
        assert response.status_code == 404 and held.state == "pending"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_chair_and_supervisors_close_a_period(request, client, proposed, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("staff:comments:recommendation", args=[proposed.number]), {"action": "close"})
    period = CommentPeriod.objects.get(recommendation=proposed)
    if persona in MAY_CLOSE:
        assert response.status_code == 302 and period.closed_early_at is not None
    else:
        assert response.status_code == 404 and period.closed_early_at is None


def test_the_moderator_sees_the_contact_email_and_the_chair_does_not(client, proposed, held, publisher, board_chair):
    client.force_login(publisher)
    assert "held@example.org" in client.get(reverse("staff:comments:moderate", args=[held.pk])).content.decode()
    client.force_login(board_chair)
    page = client.get(reverse("staff:comments:recommendation", args=[proposed.number])).content.decode()
    assert "held@example.org" not in page and "Held for moderation." not in page


def test_a_rejection_without_a_reason_is_shown_again_with_the_error(client, proposed, held, publisher):
    client.force_login(publisher)
    response = client.post(reverse("staff:comments:moderate", args=[held.pk]), {"decision": "rejected"})
    assert response.status_code == 400 and 'id="error-summary"' in response.content.decode()
    held.refresh_from_db()
    assert held.state == "pending"


def test_the_chair_opens_a_period_from_the_staff_page(client, board_chair):
    from public_portal.transparency.recommendations import recommendation_propose

    proposal = recommendation_propose(
        actor=board_chair, title="Cards", text="Hand out cards.", proposed_on=timezone.localdate()
    )
    client.force_login(board_chair)
    url = reverse("staff:comments:recommendation", args=[proposal.number])
    closes = timezone.localdate() + timedelta(days=20)
    response = client.post(url, {"action": "open", "closes_on": closes.isoformat()})
    assert response.status_code == 302
    assert CommentPeriod.objects.get(recommendation=proposal).closes_on == closes
    assert client.get(f"/recommendations/{proposal.number}/comment/").status_code == 200
    assert PublicComment.objects.count() == 0


def test_showing_the_contact_email_records_one_read_and_a_comment_without_one_records_none(
    client, proposed, held, publisher, comment
):
    from oversight.models import AuditEvent

    client.force_login(publisher)
    client.get(reverse("staff:comments:moderate", args=[held.pk]))
    (read,) = AuditEvent.objects.filter(action="personal_data.viewed")
    assert read.actor == publisher and read.data["what"] == ["commenter_contacts"]
    assert "held@example.org" not in repr(read.data) + read.target_label
    nameless = comment(proposed, "No address given.")
    client.get(reverse("staff:comments:moderate", args=[nameless.pk]))
    assert AuditEvent.objects.filter(action="personal_data.viewed").count() == 1
