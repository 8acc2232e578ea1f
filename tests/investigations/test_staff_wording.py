"""What staff read on the case pages: people by their full names, labels that say when a field is
required, what each disposition means where one is chosen, and a queue that leads to triage."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from investigations.board.models import BoardDecision, Vote
from investigations.models import (
    CustodyEvent,
    Disposition,
    Finding,
    Investigation,
    StatusChange,
    Subpoena,
    SubpoenaEvent,
)
from investigations.services import triage
from investigations.services.evidence import evidence_add
from investigations.services.subpoenas import subpoena_draft
from oversight import permissions
from oversight.permissions import Role

from ..factories import AllegationFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Complaint.Status
VIEW = "complaints.view_complaint"


def _named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def coordinator(intake_coordinator):
    return _named(intake_coordinator, "Ivy", "Moreno")


@pytest.fixture
def nameless_clerk(db):
    """A staff account with no full name on record."""
    return UserFactory(username="nameless_clerk", roles=[Role.SUPERVISOR], first_name="", last_name="")


@pytest.fixture
def under_investigation(complaint):
    Complaint.objects.filter(pk=complaint.pk).update(status=S.UNDER_INVESTIGATION)
    complaint.refresh_from_db()
    Investigation.objects.update_or_create(complaint=complaint, defaults={"discovery_date": date(2026, 3, 14)})
    return complaint


@pytest.fixture
def in_board_review(complaint, assigned_investigator, board_chair, board_member):
    """The case before the board: a sustained and a not-sustained proposal, two members seated
    beside the chair (the recused member, when asked for, makes a third who does not count)."""
    Investigation.objects.update_or_create(complaint=complaint, defaults={"discovery_date": date(2026, 3, 14)})
    subject = complaint.subject_officers.get()
    for disposition in (Disposition.SUSTAINED, Disposition.NOT_SUSTAINED):
        Finding.objects.create(
            allegation=AllegationFactory(subject_officer=subject),
            proposed_disposition=disposition,
            rationale="Body-worn camera footage.",
            proposed_by=assigned_investigator,
        )
    Complaint.objects.filter(pk=complaint.pk).update(status=S.BOARD_REVIEW)
    complaint.refresh_from_db()
    for member in (board_chair, board_member):
        permissions.grant(member, VIEW, complaint)
    return complaint


@pytest.fixture
def with_quorum(in_board_review, board_chair, board_member):
    for member in (board_chair, board_member):
        Vote.objects.create(complaint=in_board_review, member=member, choice=Vote.Choice.CONCUR)
    return in_board_review


def _allegations(case):
    return list(case.allegations.order_by("id"))


def _cell_texts(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", page, re.S)]


# --- People by name ------------------------------------------------------------------------------------


def test_timeline_names_who_moved_the_case_and_keeps_the_snapshot_of_a_removed_account(
    client, complaint, coordinator, supervisor
):
    triage.triage_claim(complaint=complaint, actor=coordinator)
    StatusChange.objects.create(
        complaint=complaint,
        action="note",
        from_status=S.IN_TRIAGE,
        to_status=S.IN_TRIAGE,
        actor=None,
        actor_username="former_clerk",
    )
    client.force_login(supervisor)
    page = client.get(reverse("cases:timeline", args=[complaint.tracking_number])).content.decode()
    cells = _cell_texts(page)
    assert "Ivy Moreno" in cells
    assert "ivy_intake" not in page
    assert "former_clerk" in cells


def test_custody_chain_names_people_and_falls_back_to_the_username(
    client, under_investigation, assigned_investigator, nameless_clerk, supervisor
):
    item = evidence_add(
        complaint=under_investigation,
        actor=assigned_investigator,
        kind="photo",
        source="Complainant",
        description="Photo of the wall",
    )
    CustodyEvent.objects.create(
        evidence=item, action=CustodyEvent.Action.COPIED, actor=nameless_clerk, actor_username="nameless_clerk"
    )
    client.force_login(supervisor)
    url = reverse("cases:evidence_detail", args=[under_investigation.tracking_number, item.number])
    page = client.get(url).content.decode()
    cells = _cell_texts(page)
    assert "Alice Ng" in cells
    assert "alice_investigator" not in page
    assert "nameless_clerk" in cells


def test_subpoena_history_names_who_drafted_and_moved_it(
    client, under_investigation, assigned_investigator, board_chair, supervisor
):
    subpoena = subpoena_draft(
        complaint=under_investigation,
        actor=assigned_investigator,
        recipient_kind=Subpoena.RecipientKind.AGENCY,
        recipient_name="Testville Police Records Unit",
        recipient_address="1 Civic Plaza",
        demand=Subpoena.Demand.DOCUMENTS,
        description="Body-worn camera footage of the stop.",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    SubpoenaEvent.objects.create(
        subpoena=subpoena, from_status="drafted", to_status="authorized", actor=board_chair, actor_username="x"
    )
    SubpoenaEvent.objects.create(
        subpoena=subpoena, from_status="authorized", to_status="issued", actor=None, actor_username="former_clerk"
    )
    client.force_login(supervisor)
    url = reverse("cases:subpoena_detail", args=[under_investigation.tracking_number, subpoena.number])
    page = client.get(url).content.decode()
    cells = _cell_texts(page)
    assert "Alice Ng" in cells
    assert "Carmen Ruiz" in cells
    assert "former_clerk" in cells
    assert "alice_investigator" not in page
    assert "carmen_chair" not in page


def test_the_chair_sees_recusals_and_votes_by_full_name(
    client, in_board_review, board_chair, board_member, recused_board_member
):
    Vote.objects.create(complaint=in_board_review, member=board_member, choice=Vote.Choice.CONCUR)
    client.force_login(board_chair)
    page = client.get(reverse("board:case", args=[in_board_review.tracking_number])).content.decode()
    assert '<th scope="row">Rita Okafor</th>' in page
    assert "Rita Okafor" in _cell_texts(page)  # recorded by
    assert '<th scope="row">Marcus Bell</th>' in page
    assert "rita_recused" not in page
    assert "marcus_board" not in page


# --- Labels that say when a field is required --------------------------------------------------------


def test_findings_page_labels_the_public_summary_as_required_to_submit(
    client, under_investigation, assigned_investigator
):
    AllegationFactory(subject_officer=under_investigation.subject_officers.get())
    client.force_login(assigned_investigator)
    page = client.get(reverse("cases:findings", args=[under_investigation.tracking_number])).content.decode()
    assert '<label class="usa-label" for="id_text">Public summary</label>' in page
    assert "Required before the findings can be submitted." in page
    assert 'Public summary <span class="optional">' not in page


def test_decision_form_labels_say_when_a_field_is_required(client, with_quorum, board_chair):
    client.force_login(board_chair)
    page = client.get(reverse("board:decision", args=[with_quorum.tracking_number])).content.decode()
    assert "Recommended discipline (required if the final disposition is sustained)</label>" in page
    assert "Instructions for the investigator (required to remand)</label>" in page
    assert "(optional)" not in page


def test_adopting_a_sustained_finding_without_discipline_shows_the_error_on_its_field(client, with_quorum, board_chair):
    client.force_login(board_chair)
    sustained, _other = _allegations(with_quorum)
    response = client.post(reverse("board:decision", args=[with_quorum.tracking_number]), {"kind": "adopt"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h2>Board decision</h2>" in page  # the full staff page, not a bare error
    assert 'id="error-summary"' in page
    field_id = f"id_discipline_{sustained.pk}"
    assert f'<a href="#{field_id}">' in page
    error = re.search(rf'<span class="usa-error-message" id="{field_id}_error">(.*?)</span>', page, re.S)
    assert error is not None
    assert "Recommend discipline for the sustained finding on" in error.group(1)
    assert sustained.category.name in error.group(1)  # it names the allegation
    with_quorum.refresh_from_db()
    assert with_quorum.status == S.BOARD_REVIEW
    assert not BoardDecision.objects.exists()


def test_modifying_to_sustained_without_discipline_marks_that_allegation(client, with_quorum, board_chair):
    client.force_login(board_chair)
    first, second = _allegations(with_quorum)
    response = client.post(
        reverse("board:decision", args=[with_quorum.tracking_number]),
        {
            "kind": "modify",
            f"final_{first.pk}": "sustained",
            f"discipline_{first.pk}": "reprimand",
            f"final_{second.pk}": "sustained",
            f"rationale_{second.pk}": "The footage shows the push.",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_discipline_{second.pk}_error"' in page
    assert f'id="id_discipline_{first.pk}_error"' not in page
    assert not BoardDecision.objects.exists()


def test_the_discipline_error_reads_in_spanish(client, with_quorum, board_chair):
    client.force_login(board_chair)
    sustained, _other = _allegations(with_quorum)
    response = client.post(
        reverse("board:decision", args=[with_quorum.tracking_number]),
        {"kind": "adopt"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'id="id_discipline_{sustained.pk}_error">(.*?)</span>', page, re.S)
    assert error is not None
    assert "Recomiende una medida disciplinaria para la conclusión fundada" in error.group(1)


# --- What each disposition means -----------------------------------------------------------------------


EXONERATED = "The conduct happened, but it was lawful and within policy."
UNFOUNDED = "The evidence shows the conduct did not happen as alleged, or the officer was not involved."


def test_findings_form_defines_each_disposition(client, under_investigation, assigned_investigator):
    allegation = AllegationFactory(subject_officer=under_investigation.subject_officers.get())
    client.force_login(assigned_investigator)
    page = client.get(reverse("cases:findings", args=[under_investigation.tracking_number])).content.decode()
    assert "What each disposition means" in page
    assert EXONERATED in page
    assert UNFOUNDED in page
    assert f'id="id_a{allegation.pk}-disposition_definitions"' in page


def test_vote_form_defines_each_disposition(client, in_board_review, board_member):
    client.force_login(board_member)
    page = client.get(reverse("board:case", args=[in_board_review.tracking_number])).content.decode()
    assert 'name="choice"' in page
    assert "What each disposition means" in page
    assert EXONERATED in page


def test_decision_form_defines_each_final_disposition(client, with_quorum, board_chair):
    client.force_login(board_chair)
    page = client.get(reverse("board:decision", args=[with_quorum.tracking_number])).content.decode()
    assert page.count('<summary class="text-primary">What each disposition means</summary>') == 2  # per allegation
    assert "The evidence shows the alleged conduct happened and violated policy or law." in page


# --- From the intake queue to triage -----------------------------------------------------------------


def test_the_queue_leads_the_coordinator_to_start_triage(client, complaint, coordinator):
    client.force_login(coordinator)
    queue = client.get(reverse("complaints:intake_queue")).content.decode()
    workspace = reverse("cases:overview", args=[complaint.tracking_number])
    assert f'<a href="{workspace}">{complaint.tracking_number}</a>' in queue
    case_page = client.get(workspace)
    assert case_page.status_code == 200
    assert "Start triage" in case_page.content.decode()


def test_the_read_only_complaint_page_points_to_the_workspace_to_triage(client, complaint, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("complaints:detail", args=[complaint.tracking_number])).content.decode()
    workspace = reverse("cases:overview", args=[complaint.tracking_number])
    assert f'href="{workspace}">Open in the case workspace to triage</a>' in page
