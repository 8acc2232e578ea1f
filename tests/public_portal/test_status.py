import re

import pytest
from django.core.cache import cache

from complaints.models import Complaint, PublicTimelineEntry
from oversight.models import AuditEvent

from .intake_flow import file_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def filed(client):
    complaint = file_complaint(client)
    code = re.search(r'class="status-code">([A-Z0-9-]+)<', client.get("/file/done/").content.decode()).group(1)
    return complaint, code


def _normalised(response, *typed: str) -> str:
    """The page minus the CSRF token and the visitor's own input echoed back in the form."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    for text in typed:
        body = body.replace(f'value="{text}"', 'value=""')
    return body


def test_the_right_number_and_code_show_the_plain_stage(filed):
    complaint, code = filed
    from django.test import Client

    response = Client().post("/status/", {"tracking_number": complaint.tracking_number.lower(), "code": code.lower()})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Current stage" in body and "<strong>Received</strong>" in body
    assert complaint.tracking_number in body
    assert "took my phone" not in body and "Delgado" not in body  # no narrative, no names


def test_a_wrong_number_and_a_wrong_code_get_identical_answers(filed):
    from django.test import Client

    complaint, code = filed
    wrong_number = Client().post("/status/", {"tracking_number": "CPC-2026-99999", "code": code})
    wrong_code = Client().post("/status/", {"tracking_number": complaint.tracking_number, "code": "AAAA-BBBB-CCCC"})
    assert wrong_number.status_code == wrong_code.status_code == 400
    assert _normalised(wrong_number, "CPC-2026-99999", code) == _normalised(
        wrong_code, complaint.tracking_number, "AAAA-BBBB-CCCC"
    )
    assert "We could not find a complaint with that tracking number and code" in wrong_code.content.decode()
    assert AuditEvent.objects.filter(action="status.looked_up", outcome="failed").count() == 2


def test_status_lookup_answers_429_after_the_configured_tries(settings, filed):
    from django.test import Client

    settings.RATE_LIMIT_STATUS_LOOKUP = "3/60"
    visitor = Client()
    for _ in range(3):
        assert visitor.post("/status/", {"tracking_number": "CPC-2026-00001", "code": "X"}).status_code == 400
    refused = visitor.post("/status/", {"tracking_number": filed[0].tracking_number, "code": filed[1]})
    assert refused.status_code == 429
    assert "try again in 1 minute" in refused.content.decode()


def test_a_closed_complaint_shows_why_in_plain_words(filed):
    from django.test import Client

    complaint, code = filed
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.REFERRED)
    PublicTimelineEntry.objects.create(complaint=complaint, stage="closed", detail="Metro Transit Police")
    body = Client().post("/status/", {"tracking_number": complaint.tracking_number, "code": code}).content.decode()
    assert "<strong>Closed</strong>" in body
    assert "sent to another agency" in body
    assert "Metro Transit Police" in body


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        ("in_triage", "Under review"),
        ("in_mediation", "In mediation"),
        ("findings_proposed", "Under investigation"),
        ("board_review", "With the board"),
        ("decided", "Decided"),
        ("administratively_closed", "Closed"),
    ],
)
def test_internal_statuses_map_to_public_stages(filed, status, stage):
    from django.test import Client

    complaint, code = filed
    Complaint.objects.filter(pk=complaint.pk).update(status=status)
    body = Client().post("/status/", {"tracking_number": complaint.tracking_number, "code": code}).content.decode()
    assert f"<strong>{stage}</strong>" in body
    internal = str(Complaint.Status(status).label)
    if internal != stage:
        assert internal not in body


def test_a_decided_complaint_shows_the_outcome_of_each_allegation_in_plain_words(filed):
    from django.test import Client

    from investigations.models import Finding
    from investigations.outcomes import outcome_sentence

    complaint, code = filed
    for allegation, final in zip(complaint.allegations.order_by("id"), ["sustained", "exonerated"], strict=False):
        Finding.objects.create(
            allegation=allegation,
            proposed_disposition=final,
            rationale="Internal reasoning that the public must not see",
            final_disposition=final,
        )
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.DECIDED)
    body = Client().post("/status/", {"tracking_number": complaint.tracking_number, "code": code}).content.decode()
    assert "The outcome" in body
    assert "Sustained" in body and str(outcome_sentence("sustained")) in body
    assert "Exonerated" in body
    assert "Internal reasoning" not in body
    assert "Reyes" not in body  # no officer names
