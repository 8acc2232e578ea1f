"""The case selectors: an object of another case is a 404 (never someone else's row, never a 500),
and list selectors cost a fixed number of queries however many rows they return."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from investigations import selectors
from investigations.models import (
    CustodyEvent,
    EvidenceItem,
    Finding,
    Interview,
    Investigation,
    InvestigatorAssignment,
    Subpoena,
    SubpoenaEvent,
    TollingPeriod,
)
from tests.factories import AllegationFactory, ComplaintFactory, OfficerFactory, SubjectOfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Complaint.Status


def _open(complaint: Complaint) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(status=S.UNDER_INVESTIGATION)
    complaint.refresh_from_db()
    Investigation.objects.get_or_create(complaint=complaint, defaults={"discovery_date": date(2026, 3, 14)})
    return complaint


@pytest.fixture
def case(complaint):
    return _open(complaint)


@pytest.fixture
def other_case(other_complaint):
    return _open(other_complaint)


def _item(complaint, number):
    return EvidenceItem.objects.create(
        complaint=complaint, number=number, kind=EvidenceItem.Kind.DOCUMENT, source="Records unit", description="Log"
    )


def _subpoena(complaint, number, actor=None):
    return Subpoena.objects.create(
        complaint=complaint,
        number=number,
        recipient_kind=Subpoena.RecipientKind.AGENCY,
        recipient_name="Testville Police Records Unit",
        demand=Subpoena.Demand.DOCUMENTS,
        description="Dispatch log of 12 March.",
        due_date=date(2026, 6, 1),
        created_by=actor,
    )


# --- One object of a case: 404 for another case's, for a missing one, for a malformed id ------------


def test_allegation_of_another_case_is_a_404(case, other_case):
    mine = AllegationFactory(subject_officer=case.subject_officers.get())
    theirs = AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=other_case))
    assert selectors.allegation_get_for_case(complaint=case, allegation_id=mine.pk) == mine
    for missing in (theirs.pk, 999_999, "abc", None):
        with pytest.raises(Http404):
            selectors.allegation_get_for_case(complaint=case, allegation_id=missing)


def test_subject_officer_of_another_case_is_a_404(case, other_case):
    theirs = SubjectOfficerFactory(complaint=other_case)
    mine = case.subject_officers.get()
    assert selectors.subject_officer_get_for_case(complaint=case, subject_officer_id=mine.pk) == mine
    for missing in (theirs.pk, 999_999, "x"):
        with pytest.raises(Http404):
            selectors.subject_officer_get_for_case(complaint=case, subject_officer_id=missing)


def test_assignment_on_another_case_is_a_404(case, other_case, assigned_investigator, other_investigator):
    theirs = InvestigatorAssignment.objects.create(
        investigation=other_case.investigation, investigator=other_investigator
    )
    mine = InvestigatorAssignment.objects.get(investigation__complaint=case)
    assert selectors.assignment_get_for_case(complaint=case, assignment_id=mine.pk).investigator == (
        assigned_investigator
    )
    for missing in (theirs.pk, 999_999):
        with pytest.raises(Http404):
            selectors.assignment_get_for_case(complaint=case, assignment_id=missing)


def test_evidence_item_of_another_case_is_a_404(case, other_case):
    _item(case, 1)
    _item(other_case, 2)
    assert selectors.evidence_get_for_case(complaint=case, number=1).label == "E-001"
    for missing in (2, 3):
        with pytest.raises(Http404):
            selectors.evidence_get_for_case(complaint=case, number=missing)


def test_subpoena_of_another_case_is_a_404(case, other_case):
    _subpoena(case, 1)
    _subpoena(other_case, 2)
    assert selectors.subpoena_get_for_case(complaint=case, number=1).recipient_name == "Testville Police Records Unit"
    for missing in (2, 3):
        with pytest.raises(Http404):
            selectors.subpoena_get_for_case(complaint=case, number=missing)


def test_tolling_period_of_another_investigation_is_a_404(case, other_case):
    theirs = TollingPeriod.objects.create(
        investigation=other_case.investigation, reason=TollingPeriod.Reason.values[0], start=date(2026, 4, 1)
    )
    with pytest.raises(Http404):
        selectors.tolling_period_get_for_case(investigation=case.investigation, period_id=theirs.pk)
    with pytest.raises(Http404):
        selectors.tolling_period_get_for_case(investigation=case.investigation, period_id=999_999)


def test_a_complaint_not_yet_accepted_has_no_investigation_page_404(complaint):
    with pytest.raises(Http404):
        selectors.investigation_get_for_case(complaint=complaint)


def test_supervisor_removing_another_cases_assignment_gets_404_and_nothing_changes(
    client, case, other_case, supervisor, other_investigator
):
    theirs = InvestigatorAssignment.objects.create(
        investigation=other_case.investigation, investigator=other_investigator
    )
    client.force_login(supervisor)
    response = client.post(reverse("cases:unassign", args=[case.tracking_number, theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.ended_at is None


def test_proposing_a_finding_on_another_cases_allegation_gets_404(client, case, other_case, assigned_investigator):
    theirs = AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=other_case))
    client.force_login(assigned_investigator)
    response = client.post(
        reverse("cases:finding_propose", args=[case.tracking_number, theirs.pk]),
        {f"a{theirs.pk}-disposition": "sustained", f"a{theirs.pk}-rationale": "Footage shows it."},
    )
    assert response.status_code == 404
    assert not Finding.objects.exists()


def test_ending_another_cases_tolling_period_gets_404(client, case, other_case, assigned_investigator):
    theirs = TollingPeriod.objects.create(
        investigation=other_case.investigation, reason=TollingPeriod.Reason.values[0], start=date(2026, 4, 1)
    )
    client.force_login(assigned_investigator)
    response = client.post(
        reverse("cases:deadline_tolling_end", args=[case.tracking_number, theirs.pk]), {"end": "2026-04-02"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.end is None


def test_linking_another_cases_officer_gets_404_and_nothing_changes(client, case, other_case, assigned_investigator):
    theirs = SubjectOfficerFactory(complaint=other_case, officer=None, appearance="Tall, beard")
    OfficerFactory(badge_number="7781")
    client.force_login(assigned_investigator)
    response = client.post(
        reverse("cases:allegations", args=[case.tracking_number]),
        {"subject_officer_id": theirs.pk, "badge_number": "7781"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.officer is None


# --- Lists: a fixed number of queries, whatever the number of rows -----------------------------------


def _touch_evidence(items):
    return [(i.label, i.custody_count, i.destroyed, i.received_by and i.received_by.get_full_name()) for i in items]


@pytest.mark.parametrize("rows", [2, 12])
def test_evidence_list_is_one_query(case, assigned_investigator, rows, django_assert_num_queries):
    for number in range(1, rows + 1):
        item = _item(case, number)
        item.received_by = assigned_investigator
        item.save()
        CustodyEvent.objects.create(evidence=item, action=CustodyEvent.Action.RECEIVED, actor=assigned_investigator)
    with django_assert_num_queries(1):
        touched = _touch_evidence(selectors.evidence_list_for_case(complaint=case))
    assert [t[0] for t in touched] == [f"E-{n:03d}" for n in range(1, rows + 1)]
    assert {t[1] for t in touched} == {1}


@pytest.mark.parametrize("rows", [2, 12])
def test_custody_chain_is_one_query(case, assigned_investigator, rows, django_assert_num_queries):
    item = _item(case, 1)
    for _ in range(rows):
        CustodyEvent.objects.create(evidence=item, action=CustodyEvent.Action.ACCESSED, actor=assigned_investigator)
    with django_assert_num_queries(1):
        actors = [event.actor.username for event in selectors.custody_chain(item=item)]
    assert actors == ["alice_investigator"] * rows


@pytest.mark.parametrize("rows", [2, 12])
def test_interview_list_is_two_queries(case, assigned_investigator, rows, django_assert_num_queries):
    recording = _item(case, 1)
    for n in range(rows):
        interview = Interview.objects.create(
            complaint=case,
            person_name=f"Witness {n}",
            role=Interview.Role.WITNESS,
            conducted_at=timezone.now() - timedelta(days=n + 1),
            location="Commission office",
            interviewer=assigned_investigator,
            summary="Saw the stop from across the street.",
        )
        interview.recordings.set([recording])
    with django_assert_num_queries(2):
        rows_seen = [
            (i.interviewer.get_full_name(), [r.label for r in i.recordings.all()])
            for i in selectors.interview_list_for_case(complaint=case)
        ]
    assert rows_seen == [("Alice Ng", ["E-001"])] * rows


@pytest.mark.parametrize("rows", [2, 12])
def test_subpoena_list_and_events_are_one_query_each(case, assigned_investigator, rows, django_assert_num_queries):
    for number in range(1, rows + 1):
        _subpoena(case, number, actor=assigned_investigator)
    first = Subpoena.objects.get(complaint=case, number=1)
    for _ in range(rows):
        SubpoenaEvent.objects.create(
            subpoena=first, from_status="", to_status=Subpoena.Status.DRAFTED, actor=assigned_investigator
        )
    with django_assert_num_queries(1):
        numbers = [s.number for s in selectors.subpoena_list_for_case(complaint=case)]
    with django_assert_num_queries(1):
        actors = [e.actor.username for e in selectors.subpoena_events(subpoena=first)]
    assert numbers == list(range(1, rows + 1))
    assert actors == ["alice_investigator"] * rows


@pytest.mark.parametrize("rows", [1, 6])
def test_officers_with_allegations_is_two_queries(case, rows, django_assert_num_queries):
    for _ in range(rows):
        AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=case))
    with django_assert_num_queries(2):
        seen = [
            (str(subject), [str(a.category) for a in subject.allegations.all()])
            for subject in selectors.case_subjects_with_allegations(complaint=case)
        ]
    assert len(seen) == rows + 1  # the fixture's officer, with no allegation, and one per allegation added
    assert sum(len(categories) for _name, categories in seen) == rows


@pytest.mark.parametrize("rows", [1, 6])
def test_findings_allegations_is_one_query(case, assigned_investigator, rows, django_assert_num_queries):
    for _ in range(rows):
        allegation = AllegationFactory(subject_officer=case.subject_officers.get())
        Finding.objects.create(
            allegation=allegation,
            proposed_disposition="sustained",
            rationale="Footage.",
            proposed_by=assigned_investigator,
        )
    with django_assert_num_queries(1):
        seen = [
            (str(a.subject_officer), str(a.category), a.finding.proposed_by.username)
            for a in selectors.findings_allegations_for_case(complaint=case)
        ]
    assert len(seen) == rows
    assert {who for _o, _c, who in seen} == {"alice_investigator"}


@pytest.mark.parametrize("cases", [2, 9])
def test_my_cases_with_deadlines_is_two_queries(cases, django_assert_num_queries):
    investigator = UserFactory(username="dana_investigator")
    for _ in range(cases):
        complaint = _open(ComplaintFactory())
        InvestigatorAssignment.objects.create(investigation=complaint.investigation, investigator=investigator)
        TollingPeriod.objects.create(
            investigation=complaint.investigation, reason=TollingPeriod.Reason.values[0], start=date(2026, 4, 1)
        )
    with django_assert_num_queries(2):
        mine = selectors.cases_assigned_with_deadlines(user=investigator, today=date(2026, 5, 1))
    assert len(mine) == cases
    # Discovered 14 March 2026: 365 days, plus 31 tolled (1 April to 1 May, today, for the open period).
    assert {case.deadline.due_date for case in mine} == {date(2027, 4, 14)}


# --- History: diffs in bulk ------------------------------------------------------------------------


def _changes(complaint: Complaint, times: int) -> None:
    for n in range(times):
        complaint.location_text = f"{n + 1} Market Street"
        complaint.save()
        investigation = complaint.investigation
        investigation.public_summary = f"Summary draft {n + 1}"
        investigation.save()


def test_history_shows_what_changed_on_the_complaint_and_its_investigation(case):
    _changes(case, 2)
    entries = selectors.case_history_entries(complaint=case)
    newest_complaint = next(e for e in entries if e.subject == "Complaint")
    newest_investigation = next(e for e in entries if e.subject == "Investigation")
    assert newest_complaint.changes == [("Location", "1 Market Street", "2 Market Street")]
    assert newest_investigation.changes == [("Public summary", "Summary draft 1", "Summary draft 2")]
    assert entries[-1].changes == []  # the first record of an object has nothing to compare with


def test_history_shows_at_most_200_entries_and_diffs_the_oldest_shown(case, django_assert_num_queries):
    _changes(case, 110)
    with django_assert_num_queries(2):
        entries = selectors.case_history_entries(complaint=case)
    assert len(entries) == 200
    assert all(entry.changes for entry in entries)


@pytest.mark.parametrize("changes", [5, 50])
def test_history_page_queries_do_not_grow_with_the_number_of_changes(
    client, case, supervisor, changes, django_assert_max_num_queries
):
    _changes(case, changes)
    client.force_login(supervisor)
    # The page's reads, the retention flags, one personal_data.viewed event (a chained write), the
    # session's second-factor device, the user's roles (read once, for the menu), and whether the
    # case was imported (its header says where from), and the new answers from the complainant
    # (the Messages tab's label).
    with django_assert_max_num_queries(19):
        response = client.get(reverse("cases:history", args=[case.tracking_number]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{changes} Market Street" in page
    assert f"Summary draft {changes}" in page
