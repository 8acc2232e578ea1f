import re

import pytest
from django.urls import reverse

from oversight.models import AuditEvent

pytestmark = pytest.mark.django_db


def _detail(complaint):
    return reverse("complaints:detail", args=[complaint.tracking_number])


def test_assigned_investigator_sees_the_case_and_the_complainant(client, assigned_investigator, complaint):
    client.force_login(assigned_investigator)
    response = client.get(_detail(complaint))
    assert response.status_code == 200
    body = response.content.decode()
    assert complaint.narrative in body
    assert "Rosa Delgado" in body


def test_unassigned_investigator_gets_404_on_case_page(client, other_investigator, complaint):
    client.force_login(other_investigator)
    response = client.get(_detail(complaint))
    assert response.status_code == 404
    assert complaint.narrative not in response.content.decode()
    denial = AuditEvent.objects.get(action="complaint.access_denied")
    assert denial.outcome == AuditEvent.Outcome.DENIED
    assert denial.actor == other_investigator
    assert denial.target_label == complaint.tracking_number


def test_a_missing_case_and_a_forbidden_case_look_the_same(client, other_investigator, complaint):
    client.force_login(other_investigator)
    forbidden = client.get(_detail(complaint))
    missing = client.get(reverse("complaints:detail", args=["CPC-1999-00001"]))
    assert forbidden.status_code == missing.status_code == 404

    # The pages differ only in the echoed path (the language switch returns you to it) and the CSRF token.
    def normalised(response, path):
        body = response.content.decode().replace(path, "PATH")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    assert normalised(forbidden, _detail(complaint)) == normalised(
        missing, reverse("complaints:detail", args=["CPC-1999-00001"])
    )


@pytest.mark.parametrize("persona", ["board_member", "recused_board_member", "publisher", "sysadmin"])
def test_roles_without_a_grant_get_404(request, client, complaint, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_detail(complaint)).status_code == 404


def test_case_list_shows_only_what_the_user_may_see(client, assigned_investigator, complaint, other_complaint):
    client.force_login(assigned_investigator)
    body = client.get(reverse("complaints:list")).content.decode()
    assert complaint.tracking_number in body
    assert other_complaint.tracking_number not in body


def test_supervisor_sees_every_case(client, supervisor, complaint, other_complaint):
    client.force_login(supervisor)
    body = client.get(reverse("complaints:list")).content.decode()
    assert complaint.tracking_number in body and other_complaint.tracking_number in body


def test_intake_coordinator_sees_new_complaints_but_no_longer_once_they_move_on(
    client, intake_coordinator, complaint, other_complaint
):
    from complaints.models import Complaint

    Complaint.objects.filter(pk=other_complaint.pk).update(status=Complaint.Status.UNDER_INVESTIGATION)
    client.force_login(intake_coordinator)
    assert client.get(_detail(complaint)).status_code == 200
    assert client.get(_detail(other_complaint)).status_code == 404


def test_staff_pages_need_sign_in(resident, complaint):
    response = resident.get(_detail(complaint))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_case_list_paginates_with_a_fixed_number_of_queries(client, supervisor, django_assert_max_num_queries):
    from tests.factories import ComplaintFactory, DistrictFactory

    district = DistrictFactory()
    ComplaintFactory.create_batch(60, district=district)
    client.force_login(supervisor)
    # Among them, the session's user and its second-factor device (oversight.authn).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("complaints:list"))
    assert response.status_code == 200
    assert "60 complaints" in response.content.decode()
    assert 'rel="next"' in response.content.decode()  # keyset pages: "Next", no page numbers
