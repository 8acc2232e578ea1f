"""Policy recommendations: the chair and supervisors record them and the department's response,
every write audited; the public reads them, with their status in plain words, in English and
Spanish, without a complaint or a person ever being read."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oversight.models import AuditEvent
from public_portal.models import PolicyRecommendation, RecommendationStatusUpdate
from public_portal.transparency.recommendations import recommendation_record, recommendation_status_record

from ..factories import AgencyFactory, ComplaintFactory, PartyFactory

pytestmark = pytest.mark.django_db

ADOPTED = date(2025, 5, 6)


def _record(actor, title="Record every stop", adopted_on=ADOPTED, **extra):
    return recommendation_record(
        actor=actor,
        title=title,
        text="Officers should record the reason for every stop.",
        adopted_on=adopted_on,
        themes="stops; data",
        related_cases=extra.pop("related_cases", 4),
        **extra,
    )


def _status(recommendation, actor, response, implementation, recorded_on=date(2025, 6, 1), note=""):
    return recommendation_status_record(
        recommendation=recommendation,
        actor=actor,
        recorded_on=recorded_on,
        department_response=response,
        implementation=implementation,
        note=note,
    )


# --- Services ---------------------------------------------------------------------------------------------


def test_the_chair_records_a_recommendation_numbered_by_its_year_and_audited(board_chair):
    first = _record(board_chair)
    second = _record(board_chair, title="Second")

    assert (first.number, second.number) == ("PR-2025-01", "PR-2025-02")
    assert first.created_by == board_chair
    event = AuditEvent.objects.get(action="recommendation.recorded", target_id=str(first.pk))
    assert event.actor == board_chair
    assert event.outcome == "success"
    assert event.data["number"] == "PR-2025-01"


def test_a_supervisor_records_a_status_and_it_is_audited(supervisor, board_chair):
    recommendation = _record(board_chair)
    update = _status(recommendation, supervisor, "accepted", "in_progress", note="Policy being rewritten.")

    assert update.recorded_by == supervisor
    event = AuditEvent.objects.get(action="recommendation.updated")
    assert event.actor == supervisor
    assert event.target_id == str(recommendation.pk)
    assert event.data["department_response"] == "accepted"
    assert event.data["implementation"] == "in_progress"


def test_a_supervisor_may_record_a_recommendation_too(supervisor):
    assert _record(supervisor).number == "PR-2025-01"


@pytest.mark.parametrize("persona", ["board_member", "other_investigator", "publisher", "intake_coordinator"])
def test_others_are_refused_and_the_refusal_is_audited(request, persona, board_chair):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        _record(user)
    assert not PolicyRecommendation.objects.exists()
    recommendation = _record(board_chair)
    with pytest.raises(PermissionDenied):
        _status(recommendation, user, "accepted", "implemented")
    assert not RecommendationStatusUpdate.objects.exists()
    denied = AuditEvent.objects.filter(outcome="denied", actor=user)
    assert sorted(denied.values_list("action", flat=True)) == ["recommendation.recorded", "recommendation.updated"]


def test_a_former_chair_is_refused(board_chair):
    from investigations.board.models import BoardMembership

    BoardMembership.objects.filter(member=board_chair).update(term_end=timezone.localdate() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        _record(board_chair)


def test_dates_in_the_future_or_before_adoption_are_refused_with_reasons(board_chair):
    with pytest.raises(ValidationError) as refused:
        _record(board_chair, adopted_on=timezone.localdate() + timedelta(days=1))
    assert "adopted_on" in refused.value.error_dict
    recommendation = _record(board_chair)
    with pytest.raises(ValidationError) as refused:
        _status(recommendation, board_chair, "accepted", "implemented", recorded_on=date(2025, 5, 1))
    assert refused.value.error_dict["recorded_on"][0].messages == [
        "The date cannot be before the board adopted the recommendation."
    ]
    with pytest.raises(ValidationError) as refused:
        _status(recommendation, board_chair, "maybe", "implemented")
    assert "department_response" in refused.value.error_dict


# --- Public pages -----------------------------------------------------------------------------------------


@pytest.fixture
def published(board_chair):
    """Three recommendations: accepted and in progress (updated twice), rejected, and one the
    department has not answered."""
    agency = AgencyFactory(name="Testville Police Department", short_name="TPD")
    cameras = _record(board_chair, title="Cameras on before arrival", adopted_on=date(2025, 3, 1), department=agency)
    _status(cameras, board_chair, "awaiting", "not_started", recorded_on=date(2025, 3, 20), note="Sent.")
    _status(cameras, board_chair, "accepted", "in_progress", recorded_on=date(2025, 5, 2), note="Being rewritten.")
    cards = _record(board_chair, title="Reason cards at traffic stops", adopted_on=date(2025, 4, 1))
    _status(cards, board_chair, "rejected", "not_implemented", recorded_on=date(2025, 6, 9))
    interpreters = _record(board_chair, title="Interpreters at the scene", adopted_on=date(2025, 7, 1))
    return {"cameras": cameras, "cards": cards, "interpreters": interpreters}


def _rows(body: str) -> list[str]:
    return [part.split("</tr>")[0] for part in body.split('<th scope="row"')[1:]]


def test_the_public_list_shows_each_current_status_in_plain_words(client, published):
    response = client.get("/recommendations/")
    assert response.status_code == 200
    rows = _rows(response.content.decode())
    # Newest adoption first: interpreters (July), cards (April), cameras (March).
    assert ["PR-2025-03" in rows[0], "PR-2025-02" in rows[1], "PR-2025-01" in rows[2]] == [True, True, True]
    assert "The department has not responded yet" in rows[0] and "Work has not started" in rows[0]
    assert "The department rejected it" in rows[1] and "It will not be put in place" in rows[1]
    assert "The department accepted it" in rows[2] and "Work is in progress" in rows[2]
    assert "Cameras on before arrival" in rows[2]


def test_the_filter_keeps_the_chosen_response(client, published):
    body = client.get("/recommendations/", {"response": "rejected"}).content.decode()
    assert "Reason cards at traffic stops" in body
    assert "Cameras on before arrival" not in body and "Interpreters at the scene" not in body
    # A recommendation with no status yet counts as awaiting the response.
    body = client.get("/recommendations/", {"response": "awaiting"}).content.decode()
    assert "Interpreters at the scene" in body and "Cameras on before arrival" not in body
    body = client.get("/recommendations/", {"response": "partly_accepted"}).content.decode()
    assert "No recommendation has this response right now." in body


def test_an_unknown_filter_value_is_an_error_and_shows_everything(client, published):
    response = client.get("/recommendations/", {"response": "<script>"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "usa-error-message" in body
    assert "Reason cards at traffic stops" in body and "Cameras on before arrival" in body


def test_the_list_is_paginated_twenty_to_a_page(client, board_chair):
    for n in range(21):
        _record(board_chair, title=f"Recommendation number {n}", adopted_on=ADOPTED + timedelta(days=n))
    first = client.get("/recommendations/").content.decode()
    assert len(_rows(first)) == 20
    assert "Page 1 of 2" in first
    assert "Recommendation number 0<" not in first  # the oldest is on page 2
    second = client.get("/recommendations/", {"page": "2"}).content.decode()
    assert len(_rows(second)) == 1 and "Recommendation number 0<" in second


def test_the_detail_page_shows_the_text_and_the_timeline_oldest_first(client, published):
    response = client.get("/recommendations/PR-2025-01/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Officers should record the reason for every stop." in body
    assert "Testville Police Department" in body
    assert "4 cases" in body
    assert body.index("Sent.") < body.index("Being rewritten.")
    assert "The department accepted it" in body and "Work is in progress" in body


def test_pages_say_when_their_information_last_changed(client, published):
    updated = datetime(2025, 8, 14, 12, 0, tzinfo=timezone.get_current_timezone())
    PolicyRecommendation.objects.filter(pk=published["cards"].pk).update(updated_at=updated)
    PolicyRecommendation.objects.exclude(pk=published["cards"].pk).update(updated_at=updated - timedelta(days=30))
    assert "Last updated Aug. 14, 2025." in client.get("/recommendations/").content.decode()
    assert "Last updated July 15, 2025." in client.get("/recommendations/PR-2025-01/").content.decode()


def test_an_unknown_number_is_404(client, published):
    assert client.get("/recommendations/PR-2025-99/").status_code == 404
    assert client.get("/recommendations/CPC-2026-00001/").status_code == 404


def test_the_empty_list_says_so_plainly(client):
    body = client.get("/recommendations/").content.decode()
    assert "The board has not made any policy recommendations yet." in body
    assert "Nothing has been published here yet." in body


def test_public_pages_never_read_complaints_or_parties(client, published):
    complaint = ComplaintFactory()
    PartyFactory(complaint=complaint)
    for url in ("/recommendations/", "/recommendations/?response=accepted&page=1", "/recommendations/PR-2025-01/"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        sql = " ".join(query["sql"] for query in captured.captured_queries)
        assert "complaints_party" not in sql and "complaints_complaint" not in sql, url
        assert complaint.tracking_number not in response.content.decode()


def test_the_public_list_in_spanish(client, published):
    body = client.get("/recommendations/", headers={"accept-language": "es"}).content.decode()
    assert '<html lang="es"' in body
    assert "Respuesta del departamento" in body  # the column heading and the filter's label
    assert "Número" in body


def test_the_home_page_links_to_the_list(client):
    assert 'href="/recommendations/"' in client.get("/").content.decode()


# --- Staff pages ------------------------------------------------------------------------------------------


def _add_form(**overrides):
    return {
        "title": "Supervisors review every takedown",
        "text": "Every takedown should be reviewed by a supervisor.",
        "adopted_on": "2025-09-10",
        "themes": "use of force",
        "related_cases": "6",
        "department": "",
        **overrides,
    }


def test_the_chair_adds_a_recommendation_through_the_form(client, board_chair):
    client.force_login(board_chair)
    assert client.get(reverse("staff_intake:recommendation_add")).status_code == 200
    response = client.post(reverse("staff_intake:recommendation_add"), _add_form())
    assert response.status_code == 302
    assert response["Location"] == "/staff/intake/recommendations/PR-2025-01/"
    recommendation = PolicyRecommendation.objects.get()
    assert (recommendation.title, recommendation.related_cases, recommendation.created_by) == (
        "Supervisors review every takedown",
        6,
        board_chair,
    )
    assert AuditEvent.objects.get(action="recommendation.recorded").actor == board_chair


def test_a_form_with_errors_is_shown_again_with_them(client, board_chair):
    client.force_login(board_chair)
    response = client.post(reverse("staff_intake:recommendation_add"), _add_form(title="", related_cases="-1"))
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert not PolicyRecommendation.objects.exists()


def test_a_supervisor_records_a_status_through_the_form(client, supervisor, published):
    client.force_login(supervisor)
    url = reverse("staff_intake:recommendation_detail", args=["PR-2025-02"])
    page = client.get(url).content.decode()
    assert "Rejected" in page and "Reason cards at traffic stops" in page
    response = client.post(
        url,
        {
            "recorded_on": "2025-10-01",
            "department_response": "partly_accepted",
            "implementation": "in_progress",
            "note": "The department reconsidered.",
        },
    )
    assert response.status_code == 302
    latest = RecommendationStatusUpdate.objects.filter(recommendation=published["cards"]).order_by("-recorded_on")[0]
    assert (latest.department_response, latest.recorded_by) == ("partly_accepted", supervisor)
    public = client.get("/recommendations/PR-2025-02/").content.decode()
    assert "The department accepted part of it" in public and "The department reconsidered." in public


def test_the_staff_list_shows_every_recommendation_and_its_status(client, supervisor, published):
    client.force_login(supervisor)
    body = client.get(reverse("staff_intake:recommendation_list")).content.decode()
    for number in ("PR-2025-01", "PR-2025-02", "PR-2025-03"):
        assert number in body
    assert "Awaiting response" in body and "Rejected" in body and "In progress" in body


def test_the_staff_list_is_empty_plainly(client, supervisor):
    client.force_login(supervisor)
    assert "No recommendation has been recorded yet." in client.get("/staff/intake/recommendations/").content.decode()


@pytest.mark.parametrize("persona", ["board_member", "other_investigator", "intake_coordinator", "sysadmin"])
def test_others_get_the_staff_403_page_and_cannot_post(request, client, persona, published):
    client.force_login(request.getfixturevalue(persona))
    for url in (
        "/staff/intake/recommendations/",
        "/staff/intake/recommendations/new/",
        "/staff/intake/recommendations/PR-2025-01/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Staff workspace" in response.content.decode()
    assert client.post("/staff/intake/recommendations/new/", _add_form()).status_code == 403
    response = client.post(
        "/staff/intake/recommendations/PR-2025-01/",
        {"recorded_on": "2025-10-01", "department_response": "accepted", "implementation": "implemented"},
    )
    assert response.status_code == 403
    assert PolicyRecommendation.objects.count() == 3
    assert RecommendationStatusUpdate.objects.count() == 3


def test_an_unknown_number_on_the_staff_page_is_404(client, supervisor):
    client.force_login(supervisor)
    response = client.get("/staff/intake/recommendations/PR-2025-99/")
    assert response.status_code == 404
    assert "Staff workspace" in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/intake/recommendations/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_posting_needs_the_form_token(board_chair):
    client = Client(enforce_csrf_checks=True)
    client.force_login(board_chair)
    assert client.post("/staff/intake/recommendations/new/", _add_form()).status_code == 403
    assert not PolicyRecommendation.objects.exists()


def test_the_staff_home_links_to_the_pages_for_those_who_record(client, board_chair, board_member):
    client.force_login(board_chair)
    assert 'href="/staff/intake/recommendations/"' in client.get("/staff/").content.decode()
    client.force_login(board_member)
    assert 'href="/staff/intake/recommendations/"' not in client.get("/staff/").content.decode()


# --- Demo data --------------------------------------------------------------------------------------------


def test_seed_demo_creates_four_recommendations_with_every_response(client):
    call_command("seed_demo", complaints=30, seed=7, as_of="2026-11-01", quiet_logins=True)
    recommendations = PolicyRecommendation.objects.filter(stage="adopted").order_by("adopted_on")
    assert [(r.number, r.adopted_on) for r in recommendations] == [
        ("PR-2025-01", date(2025, 12, 6)),
        ("PR-2026-01", date(2026, 3, 6)),
        ("PR-2026-02", date(2026, 7, 4)),
        ("PR-2026-03", date(2026, 9, 22)),
    ]
    assert [r.status_updates.count() for r in recommendations] == [2, 3, 1, 1]
    body = client.get("/recommendations/").content.decode()
    for words in (
        "The department accepted it",
        "The department accepted part of it",
        "The department rejected it",
        "The department has not responded yet",
    ):
        assert words in body
    assert "Last updated Oct. 28, 2026." in body
