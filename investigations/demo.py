"""Demo case work, created in bulk: an investigation for every case past triage, assignments
(with object access) for the open ones, a proposed finding on every allegation of a case past
investigation, and full case records (status changes, notes, evidence with custody, interviews,
subpoenas, tolling) for a couple of thousand cases. Older closed cases get only their
investigation record and findings.

Complaints are read back a page at a time and the rows streamed out through ``oversight.bulk``
writers (COPY on PostgreSQL), so a million complaints stay within minutes and flat memory."""

import hashlib
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db.models import Max, Min
from django.utils import timezone

from complaints.models import Allegation, Complaint, ComplaintUserObjectPermission
from oversight.bulk import TableWriter, pages
from oversight.demo import DemoContext, Weighted, register
from oversight.permissions import Role

from .models import (
    CaseNote,
    CustodyEvent,
    Disposition,
    EvidenceItem,
    Finding,
    Interview,
    Investigation,
    InvestigatorAssignment,
    StatusChange,
    Subpoena,
    TollingPeriod,
)

S = Complaint.Status
INVESTIGATED = [S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, S.BOARD_REVIEW, S.DECIDED, S.CLOSED]
OPEN = {S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, S.BOARD_REVIEW}
DETAILED_CASES = 2000  # full case records for this many investigations: half the most recent, half
# drawn from cases past investigation, so every stage has complete examples at any demo size
LATER_STAGES = {S.FINDINGS_PROPOSED, S.BOARD_REVIEW, S.DECIDED, S.CLOSED}
PUBLIC_SUMMARY = "A resident reported an encounter with officers; the investigation reviewed video and statements."
INTERVIEW_SUMMARY = "Described the stop, the search and the officers' words; consistent with the complaint."

NOTES = [
    "Called the complainant to confirm the date and place; they will send photos.",
    "Requested body-worn camera footage from the department's records unit.",
    "Left a voicemail for the witness; will try again Thursday.",
    "Reviewed the dispatch log: the call came in at the time the complainant said.",
]
SUBPOENA_STATUSES = [
    Subpoena.Status.DRAFTED,
    Subpoena.Status.AUTHORIZED,
    Subpoena.Status.ISSUED,
    Subpoena.Status.SERVED,
    Subpoena.Status.COMPLIED,
    Subpoena.Status.PARTIALLY_COMPLIED,
    Subpoena.Status.NOT_COMPLIED,
    Subpoena.Status.WITHDRAWN,
]
DISPOSITIONS = Weighted(
    [
        (Disposition.SUSTAINED, 18),
        (Disposition.NOT_SUSTAINED, 35),
        (Disposition.EXONERATED, 15),
        (Disposition.UNFOUNDED, 20),
        (Disposition.POLICY_FAILURE, 4),
        (Disposition.OFFICER_UNIDENTIFIED, 5),
        (Disposition.WITHDRAWN, 3),
    ]
)
PRIORITIES = Weighted([("normal", 70), ("high", 20), ("low", 7), ("urgent", 3)])
RATIONALE = "Based on the video, the statements and the records reviewed."
GRANTED = ["view_complaint", "change_complaint"]  # what an assigned investigator holds on the case
EVIDENCE_KINDS = [EvidenceItem.Kind.BODY_CAMERA, EvidenceItem.Kind.DOCUMENT, EvidenceItem.Kind.PHOTO]
EVIDENCE_SOURCES = ["Police department records unit", "Complainant", "Witness", "911 dispatch"]
EVIDENCE_DESCRIPTIONS = ["Body-worn camera video, officer 1", "Incident report", "Photo of injuries", "Dispatch audio"]

# Column order of the rows the writers below are given.
INVESTIGATION_FIELDS = ["id", "complaint_id", "priority", "discovery_date", "public_summary", "findings_submitted_at"]
ASSIGNMENT_FIELDS = ["investigation_id", "investigator_id", "is_lead", "assigned_by_id", "ended_at"]
GRANT_FIELDS = ["user_id", "permission_id", "content_object_id"]
STATUS_CHANGE_FIELDS = [
    "complaint_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_username",
    "created_at",
]
NOTE_FIELDS = ["complaint_id", "kind", "body", "author_id", "author_name", "created_at"]
EVIDENCE_FIELDS = [
    "id",
    "complaint_id",
    "number",
    "kind",
    "source",
    "description",
    "original_name",
    "size",
    "content_type",
    "sha256",
    "received_at",
    "received_by_id",
]
CUSTODY_FIELDS = ["evidence_id", "action", "actor_id", "actor_username", "occurred_at"]
INTERVIEW_FIELDS = [
    "complaint_id",
    "person_name",
    "role",
    "conducted_at",
    "location",
    "interviewer_id",
    "recorded",
    "summary",
    "created_by_id",
]
SUBPOENA_FIELDS = [
    "complaint_id",
    "number",
    "recipient_kind",
    "recipient_name",
    "recipient_address",
    "demand",
    "description",
    "due_date",
    "status",
    "authorized_by_id",
    "authorization_method",
    "authorized_at",
    "created_by_id",
]
TOLLING_FIELDS = ["investigation_id", "reason", "start", "end", "created_by_id"]
FINDING_FIELDS = ["allegation_id", "proposed_disposition", "rationale", "proposed_by_id", "final_disposition"]
DECIDED = {S.DECIDED, S.CLOSED}


class Case(NamedTuple):
    """What the detailed records need of a case: its investigation and complaint."""

    investigation_id: int
    discovery_date: date
    complaint_id: int
    status: str
    received_at: datetime
    tracking_number: str


@register("investigations")
def seed_investigations(ctx: DemoContext) -> None:
    rng = ctx.rng
    users = ctx.shared.get("users", {})
    logins = [users[name] for name in ("investigator", "investigator2") if name in users]
    supervisor = users.get("supervisor")
    if not logins:
        return
    # Open cases are shared among enough investigators for a caseload one person carries; the demo
    # logins are two of them.
    investigators = logins + _staff_investigators(ctx, Complaint.objects.filter(status__in=OPEN).count(), len(logins))
    candidates = Complaint.objects.filter(status__in=INVESTIGATED, investigation__isnull=True)
    # Full case records for half the most recent cases and half drawn from those past investigation.
    recent = set(candidates.order_by("-received_at", "-id").values_list("id", flat=True)[: DETAILED_CASES // 2])
    later = [
        pk
        for pk in candidates.filter(status__in=LATER_STAGES).order_by("id").values_list("id", flat=True)
        if pk not in recent
    ]
    detailed = recent | set(rng.sample(later, min(len(later), DETAILED_CASES - len(recent))))
    del later
    permission_ids = list(
        Permission.objects.filter(content_type__app_label="complaints", codename__in=GRANTED)
        .order_by("codename")
        .values_list("id", flat=True)
    )
    supervisor_id = supervisor.pk if supervisor else None
    tz = timezone.get_current_timezone()
    cases: list[Case] = []
    with (
        TableWriter(Investigation, INVESTIGATION_FIELDS) as investigations,
        TableWriter(InvestigatorAssignment, ASSIGNMENT_FIELDS) as assignments,
        TableWriter(ComplaintUserObjectPermission, GRANT_FIELDS) as grants,
    ):
        # Complaints that had an investigation before are skipped here rather than in each page's
        # query: the investigations written meanwhile are not in the planner's statistics yet, and
        # an anti-join against them could read the whole growing table for every page.
        have = set(Investigation.objects.values_list("complaint_id", flat=True))
        fields = ("id", "status", "received_at", "status_changed_at", "tracking_number")
        for page in pages(Complaint.objects.filter(status__in=INVESTIGATED), fields, size=20_000):
            for pk, status, received_at, changed_at, tracking_number in page:
                if pk in have:
                    continue
                investigation_id = investigations.next_id()
                discovery_date = received_at.astimezone(tz).date()
                worked = status != S.UNDER_INVESTIGATION
                investigations.add(
                    (
                        investigation_id,
                        pk,
                        PRIORITIES(rng),
                        discovery_date,
                        PUBLIC_SUMMARY if worked else "",
                        changed_at if worked else None,
                    )
                )
                # Open cases are assigned (and their investigators hold object access); closed
                # ones keep the record of who worked them.
                investigator = investigators[rng.randrange(len(investigators))]
                is_open = status in OPEN
                if pk in detailed:
                    cases.append(Case(investigation_id, discovery_date, pk, status, received_at, tracking_number))
                elif not is_open:
                    continue  # old closed cases: the investigation record is enough for the demo
                assignments.add(
                    (investigation_id, investigator.pk, True, supervisor_id, None if is_open else changed_at)
                )
                if is_open:
                    for permission_id in permission_ids:
                        grants.add((investigator.pk, permission_id, pk))
    ctx.count("investigations", investigations.count)
    ctx.count("case grants", grants.count)
    _detailed(ctx, cases, logins, supervisor)
    ctx.count("findings", _findings(ctx, logins[0]))


# Open cases per investigator: a heavy but real caseload.
CASELOAD = 150


def _staff_investigators(ctx: DemoContext, open_cases: int, logins: int) -> list:
    """Investigators besides the demo logins, enough that each carries about ``CASELOAD`` open
    cases (none for a small demo). They cannot sign in (no usable password). Created once: a
    second run finds them."""
    wanted = max(0, -(-open_cases // CASELOAD) - logins)
    if not wanted:
        return []
    User = get_user_model()
    group = Group.objects.get(name=Role.INVESTIGATOR)
    first_names = [ctx.faker.first_name() for _ in range(200)]
    last_names = [ctx.faker.last_name() for _ in range(300)]
    names = [f"staff-investigator-{n:04d}" for n in range(1, wanted + 1)]
    User.objects.bulk_create(
        [
            User(
                username=name,
                first_name=ctx.rng.choice(first_names),
                last_name=ctx.rng.choice(last_names),
                email=f"{name}@oversight.example",
                password=make_password(None),
            )
            for name in names
        ],
        ignore_conflicts=True,
    )
    staff = list(User.objects.filter(username__in=names).order_by("username"))
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in staff], ignore_conflicts=True
    )
    ctx.count("staff investigators", len(staff))
    return staff


def _detailed(ctx: DemoContext, cases: list[Case], investigators, supervisor) -> None:
    rng = ctx.rng
    supervisor_id = supervisor.pk if supervisor else None
    supervisor_name = supervisor.username if supervisor else ""
    names = {user.pk: user.get_full_name() for user in investigators}
    # One subpoena in three calls a witness to testify: a person with a home address, which only
    # readers with view_personal_data see (board members read "A person subpoenaed").
    witnesses = [
        (f"{ctx.faker.first_name()} {ctx.faker.last_name()}", f"{ctx.faker.street_address()}\nPhiladelphia, PA")
        for _ in range(40)
    ]
    with (
        TableWriter(StatusChange, STATUS_CHANGE_FIELDS) as changes,
        TableWriter(CaseNote, NOTE_FIELDS) as notes,
        TableWriter(EvidenceItem, EVIDENCE_FIELDS) as items,
        TableWriter(CustodyEvent, CUSTODY_FIELDS) as custody,
        TableWriter(Interview, INTERVIEW_FIELDS) as interviews,
        TableWriter(Subpoena, SUBPOENA_FIELDS) as subpoenas,
        TableWriter(TollingPeriod, TOLLING_FIELDS) as tolling,
    ):
        for case in cases:
            changes.add(
                (
                    case.complaint_id,
                    "accept",
                    S.IN_TRIAGE,
                    S.UNDER_INVESTIGATION,
                    supervisor_id,
                    supervisor_name,
                    case.received_at + timedelta(days=rng.randint(1, 10)),
                )
            )
        for case in cases:
            author = investigators[rng.randrange(len(investigators))]
            for k in range(rng.randint(1, 3)):
                notes.add(
                    (
                        case.complaint_id,
                        rng.choice(CaseNote.Kind.values),
                        rng.choice(NOTES),
                        author.pk,
                        names[author.pk],
                        case.received_at + timedelta(days=3 + k * 5),
                    )
                )
            for n in range(1, rng.randint(1, 3) + 1):
                item_id = items.next_id()
                received_at = case.received_at + timedelta(days=7 + n)
                items.add(
                    (
                        item_id,
                        case.complaint_id,
                        n,
                        rng.choice(
                            [EvidenceItem.Kind.BODY_CAMERA, EvidenceItem.Kind.DOCUMENT, EvidenceItem.Kind.PHOTO]
                        ),
                        rng.choice(["Police department records unit", "Complainant", "Witness", "911 dispatch"]),
                        rng.choice(
                            [
                                "Body-worn camera video, officer 1",
                                "Incident report",
                                "Photo of injuries",
                                "Dispatch audio",
                            ]
                        ),
                        f"item-{n}.bin",
                        rng.randint(20_000, 900_000_000),
                        "application/octet-stream",
                        hashlib.sha256(f"{case.tracking_number}-{n}".encode()).hexdigest(),
                        received_at,
                        author.pk,
                    )
                )
                custody.add((item_id, CustodyEvent.Action.RECEIVED, author.pk, author.username, received_at))
            if rng.random() < 0.6:
                interviews.add(
                    (
                        case.complaint_id,
                        "Complainant",
                        Interview.Role.COMPLAINANT,
                        case.received_at + timedelta(days=12),
                        "Commission office",
                        author.pk,
                        rng.random() < 0.7,
                        INTERVIEW_SUMMARY,
                        author.pk,
                    )
                )
            if rng.random() < 0.12:
                status = rng.choice(SUBPOENA_STATUSES)
                authorized = status != Subpoena.Status.DRAFTED
                if rng.random() < 1 / 3:
                    name, address = rng.choice(witnesses)
                    recipient = (Subpoena.RecipientKind.PERSON, name, address, Subpoena.Demand.TESTIMONY)
                    request = "Testimony about what the witness saw of the stop and the search."
                else:
                    recipient = (
                        Subpoena.RecipientKind.AGENCY,
                        "Metro Police Department, Records Unit",
                        "",
                        Subpoena.Demand.DOCUMENTS,
                    )
                    request = "All body-worn camera footage and CAD records for the incident."
                subpoenas.add(
                    (
                        case.complaint_id,
                        1,
                        *recipient,
                        request,
                        (case.received_at + timedelta(days=45)).date(),
                        status,
                        supervisor_id if authorized else None,
                        "executive_director" if authorized else "",
                        case.received_at + timedelta(days=15) if authorized else None,
                        author.pk,
                    )
                )
            if rng.random() < 0.05:
                start = case.discovery_date + timedelta(days=rng.randint(20, 120))
                tolling.add(
                    (
                        case.investigation_id,
                        rng.choice(TollingPeriod.Reason.values),
                        start,
                        None if rng.random() < 0.3 else start + timedelta(days=rng.randint(10, 90)),
                        supervisor_id,
                    )
                )
    for name, writer in (
        ("case notes", notes),
        ("evidence items", items),
        ("interviews", interviews),
        ("subpoenas", subpoenas),
        ("tolling periods", tolling),
    ):
        ctx.count(name, writer.count)


def _findings(ctx: DemoContext, investigator) -> int:
    """Every case past investigation has a proposed finding on each allegation (the submit move
    needs them), and a decided or closed case's findings are final: the board adopted the proposals
    (the board's seeder records those decisions, and changes the few it modified). Allegations are
    read a range of complaint ids at a time (the allegations' index on the complaint serves each
    range), so memory stays flat at any demo size."""
    rng = ctx.rng
    span = Complaint.objects.filter(status__in=LATER_STAGES).aggregate(low=Min("id"), high=Max("id"))
    if span["low"] is None:
        return 0
    step = 20_000
    # Allegations with a finding already are skipped here rather than by an anti-join in each
    # range's query, which the findings written meanwhile (not in the planner's statistics yet)
    # could turn into a read of the whole growing table for every range.
    have = set(Finding.objects.values_list("allegation_id", flat=True))
    with TableWriter(Finding, FINDING_FIELDS) as findings:
        for low in range(span["low"], span["high"] + 1, step):
            # The range stated on both sides of the join (the complaints' primary key and the
            # allegations' index on the complaint), so the plan reads only the range: the planner
            # carries no range across a join, and would otherwise scan every allegation each time.
            in_range = Complaint.objects.filter(id__gte=low, id__lt=low + step, status__in=LATER_STAGES)
            pending = (
                Allegation.objects.filter(complaint_id__gte=low, complaint_id__lt=low + step, complaint__in=in_range)
                .order_by("id")
                .values_list("id", "complaint__status")
            )
            for allegation_id, status in list(pending):
                if allegation_id in have:
                    continue
                disposition = DISPOSITIONS(rng)
                final = disposition if status in DECIDED else ""
                findings.add((allegation_id, disposition, RATIONALE, investigator.pk, final))
    return findings.count
