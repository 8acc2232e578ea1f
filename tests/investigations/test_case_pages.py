import re

import pytest
from django.urls import URLPattern, URLResolver, reverse

from complaints.models import Complaint
from investigations import urls as case_urls
from investigations.models import CaseNote, Investigation, StatusChange
from investigations.services import triage
from oversight.models import AuditEvent

pytestmark = pytest.mark.django_db
S = Complaint.Status


def _case_paths(patterns=case_urls.urlpatterns, prefix="/staff/cases/"):
    """Every case URL that needs only the tracking number."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _case_paths(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            converters = re.findall(r"<[^>]+>", route)
            if converters == ["<str:tracking_number>"]:
                yield route


@pytest.fixture
def accepted(request, complaint, supervisor):
    triage.triage_claim(complaint=complaint, actor=supervisor)
    triage.triage_accept(complaint=complaint, actor=supervisor)
    request.getfixturevalue("assigned_investigator")  # assigned once the case is accepted
    return complaint


def test_the_access_matrix_over_every_case_url(client, accepted, request):
    paths = sorted({p.replace("<str:tracking_number>", accepted.tracking_number) for p in _case_paths()})
    assert len(paths) >= 10
    for persona in ["other_investigator", "board_member", "publisher", "sysadmin"]:
        user = request.getfixturevalue(persona)
        client.force_login(user)
        before = AuditEvent.objects.filter(outcome="denied", actor=user).count()
        for path in paths:
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                assert response.status_code == 404, (persona, method, path, response.status_code)
                assert accepted.narrative.encode() not in response.content
        assert AuditEvent.objects.filter(outcome="denied", actor=user).count() >= before + len(paths)
    for persona in ("assigned_investigator", "supervisor"):
        client.force_login(request.getfixturevalue(persona))
        response = client.get(reverse("cases:overview", args=[accepted.tracking_number]))
        assert response.status_code == 200
        assert accepted.narrative in response.content.decode()


def test_case_pages_need_sign_in(client, accepted):
    response = client.get(reverse("cases:overview", args=[accepted.tracking_number]))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_the_case_page_draws_only_the_moves_this_user_may_make(
    client, complaint, intake_coordinator, assigned_investigator
):
    client.force_login(intake_coordinator)
    page = client.get(reverse("cases:overview", args=[complaint.tracking_number])).content.decode()
    assert "Start triage" in page
    client.force_login(assigned_investigator)
    page = client.get(reverse("cases:overview", args=[complaint.tracking_number])).content.decode()
    assert "Start triage" not in page


def test_triage_from_the_page_claim_then_accept(client, complaint, intake_coordinator):
    client.force_login(intake_coordinator)
    url = reverse("cases:move", args=[complaint.tracking_number])
    response = client.post(url, {"expected_status": S.RECEIVED, "to_status": S.IN_TRIAGE})
    assert response.status_code == 302
    response = client.post(
        reverse("cases:accept", args=[complaint.tracking_number]),
        {"expected_status": S.IN_TRIAGE, "priority": "urgent", "discovery_date": ""},
    )
    assert response.status_code == 302
    assert Investigation.objects.get(complaint=complaint).priority == "urgent"


def test_a_stale_button_shows_the_conflict_message(client, complaint, intake_coordinator):
    client.force_login(intake_coordinator)
    url = reverse("cases:move", args=[complaint.tracking_number])
    client.post(url, {"expected_status": S.RECEIVED, "to_status": S.IN_TRIAGE})
    response = client.post(url, {"expected_status": S.RECEIVED, "to_status": S.IN_TRIAGE}, follow=True)
    assert "Someone else changed this case" in response.content.decode()
    assert StatusChange.objects.filter(complaint=complaint).count() == 1


def test_refer_form_validates_and_moves(client, complaint, intake_coordinator):
    client.force_login(intake_coordinator)
    triage.triage_claim(complaint=complaint, actor=intake_coordinator)
    url = reverse("cases:refer", args=[complaint.tracking_number])
    bad = client.post(url, {"expected_status": S.IN_TRIAGE, "agency": "", "reason": ""})
    assert bad.status_code == 400
    good = client.post(url, {"expected_status": S.IN_TRIAGE, "agency": "Sheriff's Office", "reason": "County deputy"})
    assert good.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).status == S.REFERRED


def test_supervisor_assigns_from_the_page_and_the_investigator_then_sees_the_case(
    client, accepted, supervisor, other_investigator
):
    client.force_login(supervisor)
    client.post(
        reverse("cases:assign", args=[accepted.tracking_number]), {"investigator": other_investigator.pk, "lead": "on"}
    )
    client.force_login(other_investigator)
    assert client.get(reverse("cases:overview", args=[accepted.tracking_number])).status_code == 200
    dashboard = client.get(reverse("cases:dashboard")).content.decode()
    assert accepted.tracking_number in dashboard


def test_notes_are_added_by_those_who_work_the_case(client, accepted, assigned_investigator, intake_coordinator):
    client.force_login(assigned_investigator)
    url = reverse("cases:notes", args=[accepted.tracking_number])
    assert (
        client.post(url, {"kind": "contact_attempt", "body": "Called the complainant, left a message."}).status_code
        == 302
    )
    note = CaseNote.objects.get()
    assert (note.author, note.kind) == (assigned_investigator, "contact_attempt")
    assert "left a message" in client.get(url).content.decode()
    assert client.post(url, {"kind": "note", "body": ""}).status_code == 400


def test_investigator_reclassifies_and_links_an_officer(client, accepted, assigned_investigator):
    from complaints.models import AllegationCategory
    from tests.factories import AllegationFactory, OfficerFactory, SubjectOfficerFactory

    described = SubjectOfficerFactory(complaint=accepted, officer=None, appearance="Tall, beard")
    allegation = AllegationFactory(subject_officer=described)
    officer = OfficerFactory(badge_number="7781")
    category = AllegationCategory.objects.get(code="disc-words")
    client.force_login(assigned_investigator)
    url = reverse("cases:allegations", args=[accepted.tracking_number])
    client.post(url, {"allegation_id": allegation.pk, "subject_officer": described.pk, "category": category.pk})
    client.post(url, {"subject_officer_id": described.pk, "badge_number": "7781"})
    allegation.refresh_from_db()
    described.refresh_from_db()
    assert allegation.category == category
    assert described.officer == officer


def test_history_needs_the_history_permission(client, accepted, supervisor, assigned_investigator):
    client.force_login(assigned_investigator)
    assert client.get(reverse("cases:history", args=[accepted.tracking_number])).status_code == 403
    client.force_login(supervisor)
    assert client.get(reverse("cases:history", args=[accepted.tracking_number])).status_code == 200


def test_dashboard_lists_my_cases_with_a_fixed_number_of_queries(
    client, supervisor, other_investigator, django_assert_max_num_queries
):
    from investigations.services.assignment import investigator_assign
    from tests.factories import ComplaintFactory

    for _ in range(8):
        c = ComplaintFactory()
        triage.triage_claim(complaint=c, actor=supervisor)
        triage.triage_accept(complaint=c, actor=supervisor)
        investigator_assign(investigation=c.investigation, investigator=other_investigator, actor=supervisor)
    client.force_login(other_investigator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("cases:dashboard"))
    assert response.content.decode().count("/staff/cases/TST-") >= 8
