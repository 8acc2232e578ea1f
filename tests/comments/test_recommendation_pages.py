"""Proposed and adopted recommendations side by side on every page that shows recommendations:
the public list (proposed ones in their own section) and detail, the open data API (adopted only:
a proposed one is not there), the public reports' selector, and the staff's list, detail and add
form, where a proposal is recorded and later adopted."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.models import AuditEvent
from public_portal.models import PolicyRecommendation
from public_portal.transparency import recommendations as recs

from .conftest import TITLE

pytestmark = pytest.mark.django_db


def test_the_public_list_shows_proposed_ones_in_their_own_section(client, proposed, adopted):
    body = client.get("/recommendations/").content.decode()
    assert "Proposed recommendations" in body and "Adopted recommendations" in body
    proposed_at, adopted_at = body.index("Proposed recommendations"), body.index("Adopted recommendations")
    assert proposed_at < body.index(proposed.number) < adopted_at < body.index(adopted.number)
    assert "Open until" in body
    assert "1 recommendation" in body  # the adopted table counts adopted ones only


def test_the_public_list_without_proposals_is_as_before(client, adopted):
    body = client.get("/recommendations/").content.decode()
    assert "Proposed recommendations" not in body and adopted.number in body


def test_the_proposed_page_says_it_is_proposed_and_has_no_status(client, proposed):
    body = client.get(f"/recommendations/{proposed.number}/").content.decode()
    assert "This is a proposed recommendation" in body
    assert "Department&#x27;s response" not in body and "What has happened since" not in body
    assert "Adopted by the board" not in body


def test_the_adopted_page_is_as_before(client, adopted):
    body = client.get(f"/recommendations/{adopted.number}/").content.decode()
    assert "Adopted by the board" in body and "What has happened since" in body
    assert "Training is under way." in body and "Public comments" not in body


def test_the_api_lists_adopted_recommendations_only(client, proposed, adopted):
    numbers = [row["number"] for row in client.get("/api/v1/recommendations/").json()["results"]]
    assert numbers == [adopted.number]
    assert client.get(f"/api/v1/recommendations/{proposed.number}/").status_code == 404
    assert client.get(f"/api/v1/recommendations/{adopted.number}/").status_code == 200


def test_the_reports_read_adopted_recommendations_only(proposed, adopted):
    assert list(recs.recommendations_public().values_list("number", flat=True)) == [adopted.number]


def test_the_home_page_still_renders(client, proposed, adopted):
    assert client.get("/").status_code == 200


def test_the_staff_list_shows_proposals_above_the_adopted(client, supervisor, proposed, adopted):
    client.force_login(supervisor)
    body = client.get(reverse("staff_intake:recommendation_list")).content.decode()
    assert body.index("Proposed, not adopted yet") < body.index(proposed.number) < body.index(adopted.number)


def test_a_proposal_is_recorded_through_the_add_form_and_adopted_from_its_page(client, board_chair):
    client.force_login(board_chair)
    today = timezone.localdate()
    response = client.post(
        reverse("staff_intake:recommendation_add"),
        {
            "stage": "proposed",
            "title": TITLE,
            "text": "Tell people why.",
            "proposed_on": today.isoformat(),
            "adopted_on": "",
            "themes": "",
            "related_cases": "2",
            "department": "",
        },
    )
    assert response.status_code == 302
    proposal = PolicyRecommendation.objects.get()
    assert (proposal.stage, proposal.proposed_on, proposal.adopted_on) == ("proposed", today, None)
    page = client.get(response["Location"]).content.decode()
    assert "Record the adoption" in page and "Record a status" not in page
    adopted = client.post(response["Location"], {"adopted_on": today.isoformat()})
    assert adopted.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.stage, proposal.adopted_on) == ("adopted", today)
    assert "Record a status" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="recommendation.adopted", actor=board_chair).exists()


def test_a_proposal_without_its_date_is_shown_again_with_the_error(client, board_chair):
    client.force_login(board_chair)
    response = client.post(
        reverse("staff_intake:recommendation_add"),
        {"stage": "proposed", "title": "Cards", "text": "Cards.", "related_cases": "0"},
    )
    assert response.status_code == 400 and 'id="error-summary"' in response.content.decode()
    assert not PolicyRecommendation.objects.exists()


def test_an_adoption_before_the_proposal_is_refused(client, board_chair, proposed):
    client.force_login(board_chair)
    response = client.post(
        reverse("staff_intake:recommendation_detail", args=[proposed.number]), {"adopted_on": "2000-01-01"}
    )
    assert response.status_code == 400
    proposed.refresh_from_db()
    assert proposed.stage == "proposed"


def test_the_database_refuses_an_adopted_recommendation_without_its_date():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyRecommendation.objects.create(number="PR-2026-09", title="x", text="x", stage="adopted")
    PolicyRecommendation.objects.create(number="PR-2026-10", title="x", text="x", adopted_on=date(2026, 1, 2))
