"""Demo case work, created in bulk: an investigation for every case past triage, assignments
(with object access) for the open ones, and full case records (status changes, notes, evidence
with custody, interviews, subpoenas, findings, tolling) for the most recent ones. Older closed
cases get only their investigation record, which keeps 100,000 complaints within a minute."""

import hashlib
from datetime import timedelta

from django.utils import timezone

from complaints.models import Allegation, Complaint
from oversight import permissions
from oversight.demo import DemoContext, register

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
DISPOSITIONS = [
    (Disposition.SUSTAINED, 18),
    (Disposition.NOT_SUSTAINED, 35),
    (Disposition.EXONERATED, 15),
    (Disposition.UNFOUNDED, 20),
    (Disposition.POLICY_FAILURE, 4),
    (Disposition.OFFICER_UNIDENTIFIED, 5),
    (Disposition.WITHDRAWN, 3),
]


def _weighted(rng, pairs):
    return rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs])[0]


@register("investigations")
def seed_investigations(ctx: DemoContext) -> None:
    rng = ctx.rng
    users = ctx.shared.get("users", {})
    investigators = [users[name] for name in ("investigator", "investigator2") if name in users]
    supervisor = users.get("supervisor")
    complaints = list(
        Complaint.objects.filter(status__in=INVESTIGATED, investigation__isnull=True)
        .order_by("received_at")
        .only("id", "status", "received_at", "status_changed_at", "tracking_number")
    )
    if not complaints or not investigators:
        return
    investigations = [
        Investigation(
            complaint=c,
            priority=_weighted(rng, [("normal", 70), ("high", 20), ("low", 7), ("urgent", 3)]),
            discovery_date=timezone.localtime(c.received_at).date(),
            public_summary=PUBLIC_SUMMARY if c.status != S.UNDER_INVESTIGATION else "",
            findings_submitted_at=c.status_changed_at if c.status != S.UNDER_INVESTIGATION else None,
        )
        for c in complaints
    ]
    Investigation.objects.bulk_create(investigations, batch_size=2000)
    # Open cases are assigned (and their investigators hold object access); closed ones keep the
    # record of who worked them.
    assignments, grants = [], {u.pk: [] for u in investigators}
    recent = set(range(max(0, len(complaints) - DETAILED_CASES // 2), len(complaints)))
    later = [i for i, c in enumerate(complaints) if c.status in LATER_STAGES and i not in recent]
    detailed = recent | set(rng.sample(later, min(len(later), DETAILED_CASES - len(recent))))
    for index, (investigation, complaint) in enumerate(zip(investigations, complaints, strict=True)):
        investigator = investigators[rng.randrange(len(investigators))]
        is_open = complaint.status in OPEN
        if not is_open and index not in detailed:
            continue  # old closed cases: the investigation record is enough for the demo
        assignments.append(
            InvestigatorAssignment(
                investigation=investigation,
                investigator=investigator,
                is_lead=True,
                assigned_by=supervisor,
                ended_at=None if is_open else complaint.status_changed_at,
            )
        )
        if is_open:
            grants[investigator.pk].append(complaint)
    InvestigatorAssignment.objects.bulk_create(assignments, batch_size=2000)
    granted = 0
    for investigator in investigators:
        granted += permissions.grant_bulk(
            investigator, ["complaints.view_complaint", "complaints.change_complaint"], grants[investigator.pk]
        )
    ctx.count("investigations", len(investigations))
    ctx.count("case grants", granted)
    pairs = list(zip(investigations, complaints, strict=True))
    _detailed(ctx, [pairs[i] for i in sorted(detailed)], investigators, supervisor)


def _detailed(ctx: DemoContext, cases, investigators, supervisor) -> None:
    rng = ctx.rng
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                complaint=c,
                action="accept",
                from_status=S.IN_TRIAGE,
                to_status=S.UNDER_INVESTIGATION,
                actor=supervisor,
                actor_username=supervisor.username if supervisor else "",
                created_at=c.received_at + timedelta(days=rng.randint(1, 10)),
            )
            for _i, c in cases
        ],
        batch_size=2000,
    )

    notes, items, interviews, subpoenas, tolling = [], [], [], [], []
    for investigation, complaint in cases:
        author = investigators[rng.randrange(len(investigators))]
        for k in range(rng.randint(1, 3)):
            notes.append(
                CaseNote(
                    complaint=complaint,
                    kind=rng.choice(CaseNote.Kind.values),
                    body=rng.choice(NOTES),
                    author=author,
                    author_name=author.get_full_name(),
                    created_at=complaint.received_at + timedelta(days=3 + k * 5),
                )
            )
        for n in range(1, rng.randint(1, 3) + 1):
            fingerprint = hashlib.sha256(f"{complaint.tracking_number}-{n}".encode()).hexdigest()
            items.append(
                EvidenceItem(
                    complaint=complaint,
                    number=n,
                    kind=rng.choice(
                        [EvidenceItem.Kind.BODY_CAMERA, EvidenceItem.Kind.DOCUMENT, EvidenceItem.Kind.PHOTO]
                    ),
                    source=rng.choice(["Police department records unit", "Complainant", "Witness", "911 dispatch"]),
                    description=rng.choice(
                        ["Body-worn camera video, officer 1", "Incident report", "Photo of injuries", "Dispatch audio"]
                    ),
                    original_name=f"item-{n}.bin",
                    size=rng.randint(20_000, 900_000_000),
                    content_type="application/octet-stream",
                    sha256=fingerprint,
                    received_at=complaint.received_at + timedelta(days=7 + n),
                    received_by=author,
                )
            )
        if rng.random() < 0.6:
            interviews.append(
                Interview(
                    complaint=complaint,
                    person_name="Complainant",
                    role=Interview.Role.COMPLAINANT,
                    conducted_at=complaint.received_at + timedelta(days=12),
                    location="Commission office",
                    interviewer=author,
                    recorded=rng.random() < 0.7,
                    summary=INTERVIEW_SUMMARY,
                    created_by=author,
                )
            )
        if rng.random() < 0.12:
            status = rng.choice(SUBPOENA_STATUSES)
            subpoenas.append(
                Subpoena(
                    complaint=complaint,
                    number=1,
                    recipient_kind=Subpoena.RecipientKind.AGENCY,
                    recipient_name="Metro Police Department, Records Unit",
                    demand=Subpoena.Demand.DOCUMENTS,
                    description="All body-worn camera footage and CAD records for the incident.",
                    due_date=(complaint.received_at + timedelta(days=45)).date(),
                    status=status,
                    authorized_by=supervisor if status != Subpoena.Status.DRAFTED else None,
                    authorization_method="executive_director" if status != Subpoena.Status.DRAFTED else "",
                    authorized_at=complaint.received_at + timedelta(days=15)
                    if status != Subpoena.Status.DRAFTED
                    else None,
                    created_by=author,
                )
            )
        if rng.random() < 0.05:
            start = investigation.discovery_date + timedelta(days=rng.randint(20, 120))
            tolling.append(
                TollingPeriod(
                    investigation=investigation,
                    reason=rng.choice(TollingPeriod.Reason.values),
                    start=start,
                    end=None if rng.random() < 0.3 else start + timedelta(days=rng.randint(10, 90)),
                    created_by=supervisor,
                )
            )
    CaseNote.objects.bulk_create(notes, batch_size=2000)
    EvidenceItem.objects.bulk_create(items, batch_size=2000)
    CustodyEvent.objects.bulk_create(
        [
            CustodyEvent(
                evidence=item,
                action=CustodyEvent.Action.RECEIVED,
                actor=item.received_by,
                actor_username=item.received_by.username if item.received_by else "",
                occurred_at=item.received_at,
            )
            for item in items
        ],
        batch_size=2000,
    )
    Interview.objects.bulk_create(interviews, batch_size=2000)
    Subpoena.objects.bulk_create(subpoenas, batch_size=2000)
    TollingPeriod.objects.bulk_create(tolling, batch_size=2000)
    decided = [c.pk for _i, c in cases if c.status != S.UNDER_INVESTIGATION]
    findings = []
    for allegation in Allegation.objects.filter(complaint_id__in=decided).only("id", "complaint_id"):
        disposition = _weighted(rng, DISPOSITIONS)
        findings.append(
            Finding(
                allegation=allegation,
                proposed_disposition=disposition,
                rationale="Based on the video, the statements and the records reviewed.",
                proposed_by=investigators[0],
            )
        )
    Finding.objects.bulk_create(findings, batch_size=2000)
    findings_count = len(findings) + _findings_for_the_rest(ctx, investigators[0])
    for name, rows in (
        ("case notes", notes),
        ("evidence items", items),
        ("interviews", interviews),
        ("subpoenas", subpoenas),
        ("tolling periods", tolling),
    ):
        ctx.count(name, len(rows))
    ctx.count("findings", findings_count)


def _findings_for_the_rest(ctx: DemoContext, investigator) -> int:
    """Every case past investigation has a proposed finding on each allegation (the submit move
    needs them), not only the detailed ones: created in bulk, in chunks, at any demo size."""
    rng = ctx.rng
    # The ids first (a list of integers even at a million complaints): inserting findings while a
    # cursor still reads the allegations joined to them is not safe on SQLite.
    pending = list(
        Allegation.objects.filter(complaint__status__in=LATER_STAGES, finding__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    created, batch = 0, []
    for allegation_id in pending:
        batch.append(
            Finding(
                allegation_id=allegation_id,
                proposed_disposition=_weighted(rng, DISPOSITIONS),
                rationale="Based on the video, the statements and the records reviewed.",
                proposed_by=investigator,
            )
        )
        if len(batch) >= 5000:
            Finding.objects.bulk_create(batch, batch_size=2500)
            created, batch = created + len(batch), []
    Finding.objects.bulk_create(batch, batch_size=2500)
    return created + len(batch)
