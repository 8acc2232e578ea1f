"""Every case page and staff list costs as many queries with 100 rows as with 10.

For each page and each persona who may see it, the case is first put in the state in which that
persona sees the page: the supervisor and the assigned investigator work it under investigation;
board members read it once the supervisor has approved it for board review (the referral grants
them access), or once the board has decided it. Ten rows of the page's own content are then
written through the services that write them (what a page lists beside its own rows, such as the
allegations next to the board's votes, and the cases of the staff lists, are made as the other
tests make them), one GET is counted after a warm-up GET (so one-time caches such as content
types are left out), ninety more rows are written, and the GET is counted again. The counts must
be equal, and the page must really show the rows it was given; when they differ, the failure
lists the queries that ran more often.

Pages a persona may not open are listed by hand in ``REFUSED`` at the end.
"""

import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import AllegationCategory, Complaint, Party
from investigations.board.models import BoardMeeting, BoardMembership, DepartmentResponse, Vote
from investigations.board.selectors import decision_current
from investigations.board.services.decisions import decision_record
from investigations.board.services.review import board_referral_grant, recusal_declare, vote_record
from investigations.board.services.subpoena_votes import subpoena_vote_record
from investigations.models import (
    CustodyEvent,
    Disposition,
    EvidenceItem,
    Finding,
    Interview,
    Investigation,
    InvestigatorAssignment,
    Subpoena,
    TollingPeriod,
)
from investigations.services import triage
from investigations.services.allegations import allegation_add
from investigations.services.deadlines import tolling_add
from investigations.services.evidence import custody_record, evidence_add
from investigations.services.findings import finding_propose, findings_submit, investigation_public_summary_set
from investigations.services.interviews import interview_record
from investigations.services.notes import note_add
from investigations.services.subpoenas import subpoena_draft
from investigations.services.transitions import complaint_transition
from oversight import permissions
from oversight.context import acting_as
from oversight.models import Agency, Officer
from oversight.permissions import Role
from tests.factories import (
    PNG_BYTES,
    AllegationFactory,
    AttachmentFactory,
    ComplaintFactory,
    OfficerFactory,
    PartyFactory,
    SubjectOfficerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = Complaint.Status
VIEW, CHANGE = "complaints.view_complaint", "complaints.change_complaint"


# --- The case and who writes its rows -----------------------------------------------------------------


@dataclass
class Case:
    complaint: Complaint
    people: dict[str, Any]
    settings: Any

    @property
    def investigation(self) -> Investigation:
        return Investigation.objects.select_related("complaint").get(complaint=self.complaint)

    @cached_property
    def agency(self) -> Agency:
        return self.complaint.subject_officers.select_related("officer__agency").get().officer.agency

    def officer(self, n: int) -> Officer:
        """A roster officer of the agency whose officer the complaint names."""
        return OfficerFactory(agency=self.agency, first_name="Dana", last_name=f"Officer{n}")

    def worker(self, n: int) -> Any:
        """Who writes row ``n``: the assigned investigator and the supervisor in turn."""
        return self.people["assigned_investigator"] if n % 2 else self.people["supervisor"]


@contextmanager
def _under_investigation(case: Case) -> Iterator[None]:
    """Rows only case work under investigation can write (allegations, proposed findings,
    subpoenas, the public summary), written on a case that has since moved on as they were written
    before it did: the case is under investigation inside the block and back in its status after."""
    complaint = case.complaint
    status = Complaint.objects.values_list("status", flat=True).get(pk=complaint.pk)
    Complaint.objects.filter(pk=complaint.pk).update(status=S.UNDER_INVESTIGATION)
    complaint.status = S.UNDER_INVESTIGATION
    try:
        yield
    finally:
        Complaint.objects.filter(pk=complaint.pk).update(status=status)
        complaint.status = status


def _categories() -> list[AllegationCategory]:
    # Sub-categories only: each one's name is shown with its parent's.
    return list(AllegationCategory.objects.filter(parent__isnull=False).order_by("code"))


def _seat(username: str, **names) -> Any:
    member = UserFactory(username=username, roles=[Role.BOARD_MEMBER], **names)
    BoardMembership.objects.create(member=member, term_start=timezone.localdate() - timedelta(days=30))
    return member


@pytest.fixture
def case(request, complaint, supervisor, board_member, board_chair, settings) -> Case:
    """``complaint`` accepted for investigation by the supervisor, with ``assigned_investigator`` on
    it, one allegation with a proposed finding and a public summary: ready to be submitted."""
    triage.triage_claim(complaint=complaint, actor=supervisor)
    triage.triage_accept(complaint=complaint, actor=supervisor)
    investigator = request.getfixturevalue("assigned_investigator")
    people = {
        "supervisor": supervisor,
        "assigned_investigator": investigator,
        "board_member": board_member,
        "board_chair": board_chair,
    }
    allegation = allegation_add(
        complaint=complaint,
        subject_officer=complaint.subject_officers.get(),
        category=AllegationCategory.objects.get(code="force-physical"),
        actor=investigator,
    )
    finding_propose(
        allegation=allegation,
        actor=investigator,
        disposition=Disposition.SUSTAINED,
        rationale="The store's camera shows the push.",
    )
    investigation = Investigation.objects.get(complaint=complaint)
    investigation.complaint = complaint
    investigation_public_summary_set(
        investigation=investigation, actor=investigator, text="An officer pushed a resident outside a laundromat."
    )
    complaint.refresh_from_db()
    return Case(complaint, people, settings)


def _move_to(case: Case, status: str | None) -> None:
    """Through the real moves: submitted by the investigator, approved for board review by the
    supervisor (which grants every seated member access), decided by the chair with quorum."""
    if status in (None, S.UNDER_INVESTIGATION):
        return
    complaint, people = case.complaint, case.people
    findings_submit(complaint=complaint, actor=people["assigned_investigator"])
    complaint_transition(complaint=complaint, to_status=S.BOARD_REVIEW, actor=people["supervisor"])
    if status == S.DECIDED:
        for member in (people["board_member"], people["board_chair"]):
            vote_record(complaint=complaint, member=member, choice=Vote.Choice.CONCUR)
        decision_record(
            complaint=complaint,
            actor=people["board_chair"],
            kind="adopt",
            discipline={a.pk: "reprimand" for a in complaint.allegations.all()},
        )
    complaint.refresh_from_db()
    assert complaint.status == status


# --- Rows of each page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rows:
    """What one page lists: ``add`` writes rows ``numbers`` (1, 2, ...); ``shown(n)`` is text the
    page must show once it holds ``n`` of them."""

    name: str
    add: Callable[[Case, range], None]
    shown: Callable[[int], list[str]]

    def __repr__(self) -> str:
        return self.name


def _add_notes(case: Case, numbers: range) -> None:
    kinds = ["note", "contact_attempt"]
    for n in numbers:
        note_add(
            complaint=case.complaint,
            actor=case.worker(n),
            body=f"Note {n}: called the witness back about the laundromat.",
            kind=kinds[n % 2],
        )


def _add_interviews(case: Case, numbers: range) -> None:
    complaint = case.complaint
    complainant = complaint.parties.get(role=Party.Role.COMPLAINANT)
    subject = complaint.subject_officers.order_by("id").first()
    start = timezone.now() - timedelta(days=1)
    for n in numbers:
        actor = case.worker(n)
        recordings = []
        if n % 10 == 1:  # interviews 1, 11, 21, ... were recorded
            recordings.append(
                evidence_add(
                    complaint=complaint,
                    actor=actor,
                    kind=EvidenceItem.Kind.AUDIO,
                    source="Interview room recorder",
                    description=f"Recording of interview {n}",
                )
            )
        person = [
            {"role": Interview.Role.COMPLAINANT, "party": complainant},
            {"role": Interview.Role.SUBJECT_OFFICER, "subject_officer": subject},
            {"role": Interview.Role.WITNESS, "person_name": f"Witness {n}"},
        ][n % 3]
        interview_record(
            complaint=complaint,
            actor=actor,
            person_name=person.pop("person_name", ""),
            conducted_at=start + timedelta(minutes=n),
            location="Commission office",
            interviewer=case.worker(n + 1),
            recorded=bool(recordings),
            summary=f"Interview {n}: described the push against the wall.",
            recording_items=recordings,
            **person,
        )


def _add_evidence(case: Case, numbers: range) -> None:
    for n in numbers:
        actor = case.worker(n)
        evidence_add(
            complaint=case.complaint,
            actor=actor,
            kind=EvidenceItem.Kind.PHOTO,
            source=f"Witness {n}",
            description=f"Evidence item {n}: photo of the wall",
            stream=io.BytesIO(PNG_BYTES),
            original_name=f"wall-{n}.png",
        )


def _first_item(case: Case) -> EvidenceItem:
    item = EvidenceItem.objects.filter(complaint=case.complaint, number=1).first()
    if item is None:
        item = evidence_add(
            complaint=case.complaint,
            actor=case.people["assigned_investigator"],
            kind=EvidenceItem.Kind.VIDEO,
            source="Laundromat owner",
            description="Camera footage of the sidewalk",
            stream=io.BytesIO(PNG_BYTES),
            original_name="camera.png",
        )
    item.complaint = case.complaint
    return item


def _add_custody_events(case: Case, numbers: range) -> None:
    item = _first_item(case)
    for n in numbers:
        action = CustodyEvent.Action.TRANSFERRED if n % 2 else CustodyEvent.Action.RETURNED
        custody_record(
            item=item, actor=case.worker(n), action=action, counterparty=f"Records room {n}", note=f"Custody step {n}."
        )


def _draft(case: Case, n: int) -> Subpoena:
    return subpoena_draft(
        complaint=case.complaint,
        actor=case.worker(n),
        recipient_kind=Subpoena.RecipientKind.AGENCY,
        recipient_name=f"Records Unit {n}",
        recipient_address="1 Civic Plaza",
        demand=Subpoena.Demand.DOCUMENTS,
        description="Body-worn camera footage of the stop on 12 March.",
        due_date=timezone.localdate() + timedelta(days=30),
    )


def _add_subpoenas(case: Case, numbers: range) -> None:
    with _under_investigation(case):
        for n in numbers:
            _draft(case, n)


def _add_subpoena_votes(case: Case, numbers: range) -> None:
    """The board's votes on authorizing S-01, recorded by the chair, and (every third row) an
    evidence item the subpoena's returns could be linked to."""
    case.settings.SUBPOENA_AUTHORIZATION = "board_vote"
    subpoena = Subpoena.objects.filter(complaint=case.complaint, number=1).first()
    if subpoena is None:
        with _under_investigation(case):
            subpoena = _draft(case, 1)
    chair = case.people["board_chair"]
    for n in numbers:
        meeting = BoardMeeting.objects.create(date=timezone.localdate() - timedelta(days=n))
        subpoena_vote_record(
            subpoena=subpoena,
            actor=chair,
            votes_for=2 if n % 2 else 0,
            votes_against=0 if n % 2 else 2,
            motion=f"Motion {n}: authorize S-01.",
            meeting=meeting,
        )
        if n % 3 == 1:
            evidence_add(
                complaint=case.complaint,
                actor=case.worker(n),
                kind=EvidenceItem.Kind.DOCUMENT,
                source="Records unit",
                description=f"Possible return {n}",
            )


def _add_findings(case: Case, numbers: range) -> None:
    """An officer, an allegation against them and a proposed finding per row."""
    categories = _categories()
    dispositions = [Disposition.SUSTAINED, Disposition.NOT_SUSTAINED, Disposition.EXONERATED]
    with _under_investigation(case):
        for n in numbers:
            actor = case.worker(n)
            subject = SubjectOfficerFactory(complaint=case.complaint, officer=case.officer(n))
            allegation = allegation_add(
                complaint=case.complaint,
                subject_officer=subject,
                category=categories[n % len(categories)],
                actor=actor,
            )
            finding_propose(
                allegation=allegation,
                actor=actor,
                disposition=dispositions[n % 3],
                rationale=f"Rationale {n}: the footage and two witnesses agree.",
            )


def _proposals(case: Case, numbers: range, disposition: str | None = None) -> list[Any]:
    """As ``_add_findings``, made as the board tests make them (an allegation from the factory and
    its ``Finding`` row): the allegations a board page lists beside its own rows."""
    categories = _categories()
    dispositions = [Disposition.SUSTAINED, Disposition.NOT_SUSTAINED, Disposition.EXONERATED]
    allegations = []
    for n in numbers:
        subject = SubjectOfficerFactory(complaint=case.complaint, officer=case.officer(n))
        allegation = AllegationFactory(subject_officer=subject, category=categories[n % len(categories)])
        Finding.objects.create(
            allegation=allegation,
            proposed_disposition=disposition or dispositions[n % 3],
            rationale=f"Rationale {n}: the footage and two witnesses agree.",
            proposed_by=case.worker(n),
        )
        allegations.append(allegation)
    return allegations


def _add_proposals(case: Case, numbers: range) -> None:
    _proposals(case, numbers)


def _add_decided_findings(case: Case, numbers: range) -> None:
    """Sustained findings on more allegations, made final by the chair correcting the board's
    latest decision (which also opens a department response on each)."""
    _proposals(case, numbers, disposition=Disposition.SUSTAINED)
    decision_record(
        complaint=case.complaint,
        actor=case.people["board_chair"],
        kind="adopt",
        discipline={a.pk: "reprimand" for a in case.complaint.allegations.all()},
        corrects=decision_current(case.complaint),
    )


def _add_board_votes(case: Case, numbers: range) -> None:
    """An allegation with a proposed finding per row, and a newly seated member's vote proposing a
    disposition on it (the referral grant reaches the new members)."""
    allegations = _proposals(case, numbers)
    members = [_seat(f"member_{n}", first_name="Member", last_name=f"Number{n}") for n in numbers]
    board_referral_grant(complaint=case.complaint, actor=case.people["supervisor"])
    choices = [Vote.Choice.CONCUR, Vote.Choice.DO_NOT_CONCUR, Vote.Choice.ABSTAIN]
    for n, member, allegation in zip(numbers, members, allegations, strict=True):
        vote_record(
            complaint=case.complaint,
            member=member,
            choice=choices[n % 3],
            comment=f"Vote comment {n}",
            proposals=[(allegation, Disposition.NOT_SUSTAINED, f"Vote rationale {n}")],
        )


def _add_recusals(case: Case, numbers: range) -> None:
    chair = case.people["board_chair"]
    for n in numbers:
        member = _seat(f"recused_{n}", first_name="Recused", last_name=f"Number{n}")
        recusal_declare(complaint=case.complaint, member=member, actor=chair, reason=f"Recusal reason {n}")


def _add_tolling(case: Case, numbers: range) -> None:
    investigation = case.investigation
    reasons = TollingPeriod.Reason.values
    today = timezone.localdate()
    for n in numbers:
        start = today - timedelta(days=200 - n)
        tolling_add(
            investigation=investigation,
            actor=case.worker(n),
            reason=reasons[n % len(reasons)],
            start=start,
            end=None if n % 2 else start + timedelta(days=1),
            note=f"Tolling note {n}",
        )


def _add_history(case: Case, numbers: range) -> None:
    """Rewrites of the public summary, each a change in the investigation's row history."""
    investigation = case.investigation
    with _under_investigation(case):
        for n in numbers:
            actor = case.worker(n)
            with acting_as(actor):
                investigation_public_summary_set(investigation=investigation, actor=actor, text=f"Summary version {n}")


def _add_status_changes(case: Case, numbers: range) -> None:
    """Findings submitted by the investigator and sent back by the supervisor, in turn."""
    people = case.people
    with _under_investigation(case):
        for n in numbers:
            if n % 2:
                findings_submit(complaint=case.complaint, actor=people["assigned_investigator"])
            else:
                complaint_transition(
                    complaint=case.complaint,
                    to_status=S.UNDER_INVESTIGATION,
                    actor=people["supervisor"],
                    reason=f"Sent back {n}: interview the store owner.",
                )


def _add_parties_and_officers(case: Case, numbers: range) -> None:
    """A witness, a named or described officer with an allegation, and a file from the complainant,
    per row."""
    complaint, supervisor = case.complaint, case.people["supervisor"]
    categories = _categories()
    with _under_investigation(case):
        for n in numbers:
            PartyFactory(complaint=complaint, role=Party.Role.WITNESS, first_name="Witness", last_name=f"Number{n}")
            if n % 2:
                subject = SubjectOfficerFactory(complaint=complaint, officer=case.officer(n))
            else:
                subject = SubjectOfficerFactory(
                    complaint=complaint, officer=None, name_as_given=f"Officer{n}", appearance="Tall, grey jacket"
                )
            allegation_add(
                complaint=complaint, subject_officer=subject, category=categories[n % len(categories)], actor=supervisor
            )
            AttachmentFactory(complaint=complaint, original_name=f"photo-{n}.png")


def _add_parties_officers_and_investigators(case: Case, numbers: range) -> None:
    """As ``_add_parties_and_officers``, and an investigator assigned to the case per row (made as
    the ``assigned_investigator`` fixture makes one: the assignment row and its grants)."""
    _add_parties_and_officers(case, numbers)
    investigation, supervisor = case.investigation, case.people["supervisor"]
    investigators = [
        UserFactory(username=f"investigator_{n}", roles=[Role.INVESTIGATOR], first_name="Ivan", last_name=f"Number{n}")
        for n in numbers
    ]
    InvestigatorAssignment.objects.bulk_create(
        [
            InvestigatorAssignment(investigation=investigation, investigator=i, assigned_by=supervisor)
            for i in investigators
        ]
    )
    for investigator in investigators:
        permissions.grant_bulk(investigator, [VIEW, CHANGE], [case.complaint])


# Staff lists: cases of their own, made as the other list tests make them.

RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _received(n: int) -> datetime:
    return RECEIVED + timedelta(hours=n)


def _add_assigned_cases(case: Case, numbers: range) -> None:
    """Cases under investigation with the investigator assigned as lead, made in bulk."""
    investigator = case.people["assigned_investigator"]
    complaints = [
        ComplaintFactory(tracking_number=f"ASG-2026-{n:05d}", status=S.UNDER_INVESTIGATION, received_at=_received(n))
        for n in numbers
    ]
    investigations = Investigation.objects.bulk_create(
        [Investigation(complaint=c, discovery_date=RECEIVED.date()) for c in complaints]
    )
    InvestigatorAssignment.objects.bulk_create(
        [InvestigatorAssignment(investigation=i, investigator=investigator, is_lead=True) for i in investigations]
    )
    permissions.grant_bulk(investigator, [VIEW, CHANGE], complaints)


def _add_cases_before_the_board(case: Case, numbers: range) -> None:
    """Cases in board review, referred to both seated members, made in bulk."""
    complaints = [
        ComplaintFactory(tracking_number=f"BRD-2026-{n:05d}", status=S.BOARD_REVIEW, received_at=_received(n))
        for n in numbers
    ]
    Investigation.objects.bulk_create([Investigation(complaint=c, discovery_date=RECEIVED.date()) for c in complaints])
    for member in (case.people["board_member"], case.people["board_chair"]):
        permissions.grant_bulk(member, [VIEW], complaints)


def _add_overdue_responses(case: Case, numbers: range) -> None:
    """Decided cases whose sustained finding's department response is overdue."""
    today = timezone.localdate()
    for n in numbers:
        complaint = ComplaintFactory(tracking_number=f"DPR-2026-{n:05d}", status=S.DECIDED, received_at=_received(n))
        allegation = AllegationFactory(
            subject_officer=SubjectOfficerFactory(complaint=complaint, officer=case.officer(n))
        )
        finding = Finding.objects.create(
            allegation=allegation,
            proposed_disposition=Disposition.SUSTAINED,
            final_disposition=Disposition.SUSTAINED,
            rationale="Video.",
        )
        DepartmentResponse.objects.create(finding=finding, due_date=today - timedelta(days=200 - n))


NOTES = Rows("notes", _add_notes, lambda n: [f"Note {n}: called"])
INTERVIEWS = Rows(
    "interviews", _add_interviews, lambda n: [f"Interview {n}: described", f"Recording of interview {n - 9}"]
)
EVIDENCE = Rows("evidence", _add_evidence, lambda n: [f"{n} items", f"Evidence item {min(n, 50)}: photo"])
CUSTODY = Rows("custody", _add_custody_events, lambda n: [f"Records room {n}", f"Custody step {n}."])
SUBPOENAS = Rows("subpoenas", _add_subpoenas, lambda n: [f"{n} subpoenas on this case", f"Records Unit {min(n, 25)}"])
SUBPOENA_VOTES = Rows("subpoena votes", _add_subpoena_votes, lambda n: [f"Motion {n}: authorize", "Failed"])
FINDINGS = Rows("findings", _add_findings, lambda n: [f"Rationale {n}: the footage", f"Officer{n}"])
PROPOSALS = Rows("proposed findings", _add_proposals, lambda n: [f"Rationale {n}: the footage", f"Officer{n}"])
DECIDED_FINDINGS = Rows("decided findings", _add_decided_findings, lambda n: [f"Officer{n}", "Awaiting the department"])
BOARD_VOTES = Rows("votes", _add_board_votes, lambda n: [f"Vote comment {n}", f"Vote rationale {n}", f"Rationale {n}:"])
RECUSALS = Rows("recusals", _add_recusals, lambda n: [f"Recusal reason {n}"])
TOLLING = Rows("tolling", _add_tolling, lambda n: [f"Tolling note {n}"])
HISTORY = Rows("history", _add_history, lambda n: [f"Summary version {n}"])
STATUS_CHANGES = Rows("status changes", _add_status_changes, lambda n: [f"Sent back {n}: interview"])
PARTIES_AND_OFFICERS = Rows(
    "parties and officers", _add_parties_and_officers, lambda n: [f"Officer{n}", f"photo-{n}.png"]
)
PARTIES_OFFICERS_AND_INVESTIGATORS = Rows(
    "parties, officers and investigators",
    _add_parties_officers_and_investigators,
    lambda n: [f"Officer{n}", f"photo-{n}.png", f"Ivan Number{n}"],
)
ASSIGNED_CASES = Rows("assigned cases", _add_assigned_cases, lambda n: [f"ASG-2026-{n:05d}"])
# The staff home lists no cases for an investigator, only where to find them.
ASSIGNED_CASES_UNLISTED = Rows("assigned cases", _add_assigned_cases, lambda n: ["Complaints you can see"])
BOARD_CASES = Rows("cases before the board", _add_cases_before_the_board, lambda n: ["BRD-2026-00001"])
# The queue pages by 50, oldest first.
BOARD_QUEUE = Rows("cases before the board", _add_cases_before_the_board, lambda n: [f"BRD-2026-{min(n, 50):05d}"])
OVERDUE_RESPONSES = Rows("overdue responses", _add_overdue_responses, lambda n: ["DPR-2026-00001"])

UI, BR, DECIDED = S.UNDER_INVESTIGATION, S.BOARD_REVIEW, S.DECIDED

# (page, URL name, persona, the case's status, rows), by hand. A page known to cost more queries
# with more rows takes a sixth item, pytest.mark.xfail(strict=True, reason="..."), until it is fixed.
PAGES = [
    # Case tabs
    ("overview", "cases:overview", "supervisor", UI, PARTIES_OFFICERS_AND_INVESTIGATORS),
    ("overview", "cases:overview", "assigned_investigator", UI, PARTIES_OFFICERS_AND_INVESTIGATORS),
    ("overview", "cases:overview", "board_member", BR, PARTIES_OFFICERS_AND_INVESTIGATORS),
    ("timeline", "cases:timeline", "supervisor", UI, STATUS_CHANGES),
    ("timeline", "cases:timeline", "assigned_investigator", UI, STATUS_CHANGES),
    ("timeline", "cases:timeline", "board_member", BR, STATUS_CHANGES),
    ("notes", "cases:notes", "supervisor", UI, NOTES),
    ("notes", "cases:notes", "assigned_investigator", UI, NOTES),
    ("notes", "cases:notes", "board_member", BR, NOTES),
    ("interviews", "cases:interviews", "supervisor", UI, INTERVIEWS),
    ("interviews", "cases:interviews", "assigned_investigator", UI, INTERVIEWS),
    ("interviews", "cases:interviews", "board_member", BR, INTERVIEWS),
    ("evidence", "cases:evidence", "supervisor", UI, EVIDENCE),
    ("evidence", "cases:evidence", "assigned_investigator", UI, EVIDENCE),
    ("evidence", "cases:evidence", "board_member", BR, EVIDENCE),
    ("evidence item", "cases:evidence_detail", "supervisor", UI, CUSTODY),
    ("evidence item", "cases:evidence_detail", "assigned_investigator", UI, CUSTODY),
    ("evidence item", "cases:evidence_detail", "board_member", BR, CUSTODY),
    ("subpoenas", "cases:subpoenas", "supervisor", UI, SUBPOENAS),
    ("subpoenas", "cases:subpoenas", "assigned_investigator", UI, SUBPOENAS),
    ("subpoenas", "cases:subpoenas", "board_member", BR, SUBPOENAS),
    ("subpoena", "cases:subpoena_detail", "supervisor", UI, SUBPOENA_VOTES),
    ("subpoena", "cases:subpoena_detail", "assigned_investigator", UI, SUBPOENA_VOTES),
    ("subpoena", "cases:subpoena_detail", "board_member", BR, SUBPOENA_VOTES),
    ("subpoena", "cases:subpoena_detail", "board_chair", BR, SUBPOENA_VOTES),
    ("findings", "cases:findings", "supervisor", UI, FINDINGS),
    ("findings", "cases:findings", "assigned_investigator", UI, FINDINGS),
    ("findings", "cases:findings", "board_member", BR, FINDINGS),
    ("deadline", "cases:deadline", "supervisor", UI, TOLLING),
    ("deadline", "cases:deadline", "assigned_investigator", UI, TOLLING),
    ("deadline", "cases:deadline", "board_member", BR, TOLLING),
    ("history", "cases:history", "supervisor", UI, HISTORY),
    ("board review", "board:case", "supervisor", BR, BOARD_VOTES),
    ("board review", "board:case", "board_member", BR, BOARD_VOTES),
    ("board review", "board:case", "board_chair", BR, BOARD_VOTES),
    ("board review", "board:case", "board_chair", BR, RECUSALS),
    ("decision", "board:decision", "supervisor", DECIDED, DECIDED_FINDINGS),
    ("decision", "board:decision", "assigned_investigator", DECIDED, DECIDED_FINDINGS),
    ("decision", "board:decision", "board_member", DECIDED, DECIDED_FINDINGS),
    ("decision", "board:decision", "board_chair", BR, PROPOSALS),
    ("complaint", "complaints:detail", "supervisor", UI, PARTIES_AND_OFFICERS),
    ("complaint", "complaints:detail", "assigned_investigator", UI, PARTIES_AND_OFFICERS),
    ("complaint", "complaints:detail", "board_member", BR, PARTIES_AND_OFFICERS),
    # Staff lists (the case list and intake queue are counted in tests/complaints/test_list_scale.py)
    ("staff home", "staff:home", "supervisor", None, OVERDUE_RESPONSES),
    ("staff home", "staff:home", "assigned_investigator", None, ASSIGNED_CASES_UNLISTED),
    ("staff home", "staff:home", "board_member", None, BOARD_CASES),
    ("dashboard", "cases:dashboard", "supervisor", None, OVERDUE_RESPONSES),
    ("dashboard", "cases:dashboard", "assigned_investigator", None, ASSIGNED_CASES),
    ("dashboard", "cases:dashboard", "board_member", None, BOARD_CASES),
    ("board queue", "board:queue", "board_chair", None, BOARD_QUEUE),
]

WITHOUT_CASE = {"staff:home", "cases:dashboard", "board:queue"}
FIRST_ITEM = {"cases:evidence_detail", "cases:subpoena_detail"}


def _url(name: str, complaint: Complaint) -> str:
    if name in WITHOUT_CASE:
        return reverse(name)
    if name in FIRST_ITEM:
        return reverse(name, args=[complaint.tracking_number, 1])
    return reverse(name, args=[complaint.tracking_number])


def _shape(sql: str) -> str:
    """A query with its literal values taken out, so the same query for another row reads alike."""
    sql = re.sub(r'"s\d+_x\d+"', '"savepoint"', sql)
    sql = re.sub(r"'(?:[^']|'')*'", "'?'", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\((?:\?, )+\?\)", "(?, ...)", sql)


def _grown(before: list[str], after: list[str]) -> str:
    """The query shapes run a different number of times with 100 rows than with 10, most grown
    first: 'count at 10 -> count at 100: SQL'."""
    counts_before, counts_after = Counter(map(_shape, before)), Counter(map(_shape, after))
    shapes = counts_before.keys() | counts_after.keys()
    grown = [(counts_before[s], counts_after[s], s) for s in shapes if counts_after[s] != counts_before[s]]
    return "\n".join(f"{was} -> {now}: {shape}" for was, now, shape in sorted(grown, key=lambda g: g[0] - g[1]))


def _queries(client, url: str) -> tuple[int, list[str], str]:
    client.get(url)  # warm the per-process caches (content types) so both readings start alike
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries], response.content.decode()


def _param(page, url_name, persona, status, rows, *marks):
    return pytest.param(page, url_name, persona, status, rows, marks=marks, id=f"{page}-{persona}-{rows.name}")


@pytest.mark.parametrize(("page", "url_name", "persona", "status", "rows"), [_param(*row) for row in PAGES])
def test_page_takes_as_many_queries_with_100_rows_as_with_10(
    client, case, page, url_name, persona, status, rows, record_property
):
    _move_to(case, status)
    client.force_login(case.people[persona])
    url = _url(url_name, case.complaint)
    rows.add(case, range(1, 11))
    with_10, sql_10, body = _queries(client, url)
    for text in rows.shown(10):
        assert text in unescape(body), (page, persona, text)
    rows.add(case, range(11, 101))
    with_100, sql_100, body = _queries(client, url)
    for text in rows.shown(100):
        assert text in unescape(body), (page, persona, text)
    record_property("queries", f"{with_10} -> {with_100}")
    assert with_100 == with_10, f"{with_10} queries with 10 rows, {with_100} with 100:\n{_grown(sql_10, sql_100)}"


# --- Pages refused --------------------------------------------------------------------------------------

# (URL name, persona, status code), by hand: the case is in board review, referred to the board.
REFUSED = [
    ("cases:history", "assigned_investigator", 403),
    ("cases:history", "board_member", 403),
    ("cases:history", "board_chair", 403),
    ("board:case", "assigned_investigator", 404),
    ("board:queue", "supervisor", 404),
    ("board:queue", "assigned_investigator", 404),
]


@pytest.mark.parametrize(("url_name", "persona", "refused_with"), REFUSED)
def test_pages_refused_to_the_personas_who_may_not_open_them(client, case, url_name, persona, refused_with):
    _move_to(case, BR)
    client.force_login(case.people[persona])
    response = client.get(_url(url_name, case.complaint))
    assert response.status_code == refused_with
    assert case.complaint.narrative not in response.content.decode()
