"""Board members find their work where they land: the staff home and "My work" list the cases
awaiting their vote; supervisors see overdue department responses there."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from investigations.board.models import DepartmentResponse, Vote
from investigations.models import Disposition, Finding
from oversight import permissions

from ..factories import AllegationFactory, ComplaintFactory, SubjectOfficerFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def awaiting(board_member):
    case = ComplaintFactory(status=S.BOARD_REVIEW)
    permissions.grant(board_member, "complaints.view_complaint", case)
    return case


@pytest.mark.parametrize("url", ["staff:home", "cases:dashboard"])
def test_a_member_sees_the_cases_awaiting_their_vote(client, board_member, awaiting, url):
    client.force_login(board_member)
    body = client.get(reverse(url)).content.decode()
    assert "Cases awaiting your vote" in body
    assert reverse("board:case", args=[awaiting.tracking_number]) in body
    Vote.objects.create(complaint=awaiting, member=board_member, choice=Vote.Choice.CONCUR)
    body = client.get(reverse(url)).content.decode()
    assert "No case is waiting for your vote." in body


def test_others_see_no_board_queue(client, other_investigator, awaiting):
    client.force_login(other_investigator)
    assert "Cases awaiting your vote" not in client.get(reverse("staff:home")).content.decode()


def test_a_supervisor_sees_overdue_department_responses(client, supervisor):
    case = ComplaintFactory(status=S.DECIDED)
    allegation = AllegationFactory(complaint=case, subject_officer=SubjectOfficerFactory(complaint=case))
    finding = Finding.objects.create(
        allegation=allegation, proposed_disposition=Disposition.SUSTAINED, rationale="r", final_disposition="sustained"
    )
    DepartmentResponse.objects.create(finding=finding, due_date=timezone.localdate() - timedelta(days=3))
    client.force_login(supervisor)
    body = client.get(reverse("cases:dashboard")).content.decode()
    assert "Department responses overdue" in body
    assert reverse("board:decision", args=[case.tracking_number]) in body
