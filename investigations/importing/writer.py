"""Writing a checked ``Reading``: cases in batches, each batch one transaction.

For each batch of cases, in the order of the cases file:

- a case new to this system is created; a case whose fingerprint changed since the last run has
  its imported records replaced (the complaint row and its tracking number stay); a case whose
  fingerprint is unchanged is left alone, so a second run changes nothing and a failed run resumes
  where it stopped;
- a case staff have worked on since it was imported (a status move of their own, a note, an
  assignment, a vote, or what a higher part reports through the ``import.worked_on`` hook, such as
  a publication), or whose records were destroyed under the retention schedule, is never
  overwritten: the report lists how many were left as they are;
- every record written is marked with its source file and line (``SourceRecord``);
- the cases enter the status their data implies through the lifecycle's import path
  (``COMPLAINT_LIFECYCLE.enter``), which checks them as ``workflow_check`` would and sends nothing;
- one audit event records the batch (counts and the first and last source ids, never case data),
  and ``cases_written`` tells the parts above (the search index) which cases changed.

Rows are written in bulk (``oversight.bulk.insert_rows``: COPY on PostgreSQL) with no per-row
history: the audit events and the source records say what the import wrote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from complaints.models import Allegation, Attachment, Complaint, Party, PublicTimelineEntry, SubjectOfficer
from investigations.board.models import BoardDecision, DecisionFinding, DepartmentResponse, Recusal, Vote
from investigations.models import (
    CaseNote,
    EvidenceItem,
    Finding,
    Interview,
    Investigation,
    InvestigatorAssignment,
    StatusChange,
    Subpoena,
)
from investigations.retention.models import RetentionRecord
from investigations.workflow import COMPLAINT_LIFECYCLE
from oversight import audit, bulk, hooks
from oversight.lifecycle import Entered
from oversight.models import District, Officer

from .mapping import Mapping, normalize
from .models import ImportedCase, ImportRun, SourceRecord
from .reading import CasePlan, Reading
from .signals import cases_written

S = Complaint.Status
VIA = "import_cases"
WORKED = (S.UNDER_INVESTIGATION, S.DECIDED, S.CLOSED)
DECIDED = (S.DECIDED, S.CLOSED)


@dataclass
class Outcome:
    counts: Counter = field(default_factory=Counter)
    complaint_ids: list[int] = field(default_factory=list)


def plan_changes(mapping: Mapping, reading: Reading) -> tuple[list[CasePlan], dict[str, int], Counter]:
    """Which cases to write: new ones and changed ones (with the complaint id they keep), and the
    counts of those left alone (unchanged, or worked on here since they were imported)."""
    counts: Counter = Counter()
    known: dict[str, tuple[int, str]] = {}
    ids = list(reading.cases)
    for start in range(0, len(ids), 5000):
        rows = ImportedCase.objects.filter(system=mapping.system, source_id__in=ids[start : start + 5000])
        known.update(
            {source_id: (pk, fp) for source_id, pk, fp in rows.values_list("source_id", "complaint_id", "fingerprint")}
        )
    changed_ids = [pk for source_id, (pk, fp) in known.items() if reading.cases[source_id].fingerprint() != fp]
    worked = worked_on(changed_ids)
    todo: list[CasePlan] = []
    keep: dict[str, int] = {}
    for source_id, case in reading.cases.items():
        if source_id not in known:
            todo.append(case)
            continue
        pk, fingerprint = known[source_id]
        if case.fingerprint() == fingerprint:
            counts["unchanged"] += 1
        elif pk in worked:
            counts["worked_on_here"] += 1
        else:
            todo.append(case)
            keep[source_id] = pk
    return todo, keep, counts


# How each record staff add points at its case, where not by ``complaint_id``.
_COMPLAINT_OF = {
    InvestigatorAssignment: "investigation__complaint_id",
    DepartmentResponse: "finding__allegation__complaint_id",
}


def worked_on(complaint_ids: list[int]) -> set[int]:
    """The complaints of ``complaint_ids`` that staff have worked on here since they were imported
    (anything an import does not write), or that were destroyed under the retention schedule."""
    found: set[int] = set()
    for start in range(0, len(complaint_ids), 5000):
        ids = complaint_ids[start : start + 5000]
        for queryset in (
            StatusChange.objects.filter(complaint_id__in=ids).exclude(action="import"),
            CaseNote.objects.filter(complaint_id__in=ids),
            Interview.objects.filter(complaint_id__in=ids),
            EvidenceItem.objects.filter(complaint_id__in=ids),
            Subpoena.objects.filter(complaint_id__in=ids),
            Attachment.objects.filter(complaint_id__in=ids),
            InvestigatorAssignment.objects.filter(investigation__complaint_id__in=ids),
            DepartmentResponse.objects.filter(finding__allegation__complaint_id__in=ids),
            Recusal.objects.filter(complaint_id__in=ids),
            Vote.objects.filter(complaint_id__in=ids),
            # Destroyed under the retention schedule: never brought back from the source.
            RetentionRecord.objects.filter(complaint_id__in=ids, status=RetentionRecord.Status.DESTROYED),
        ):
            found |= set(queryset.values_list(_COMPLAINT_OF.get(queryset.model, "complaint_id"), flat=True))
        for extra in hooks.run("import.worked_on", ids):
            found |= set(extra)
    return found


def tracking_conflicts(mapping: Mapping, cases: list[CasePlan], keep: dict[str, int]) -> list[tuple[CasePlan, str]]:
    """New cases whose tracking number another complaint already has, or another new case gets too
    (source ids that agree in the 32 characters a tracking number keeps)."""
    wanted: dict[str, CasePlan] = {}
    taken: list[tuple[CasePlan, str]] = []
    for case in cases:
        if case.source_id in keep:
            continue
        number = tracking_number(mapping, case)
        if number in wanted:
            taken.append((case, number))
        else:
            wanted[number] = case
    numbers = list(wanted)
    for start in range(0, len(numbers), 5000):
        for number in Complaint.objects.filter(tracking_number__in=numbers[start : start + 5000]).values_list(
            "tracking_number", flat=True
        ):
            taken.append((wanted[number], number))
    return taken


def tracking_number(mapping: Mapping, case: CasePlan) -> str:
    return mapping.tracking_number.format(source_id=case.source_id, year=case.received.year)[:32]


class Writer:
    def __init__(self, mapping: Mapping, *, actor: Any, run: ImportRun) -> None:
        self.mapping = mapping
        self.actor = actor
        self.run = run
        self.actor_name = actor.get_username() if actor is not None else ""
        self.districts: dict[str, int] = {}
        self.roster: dict[str, int] = {}

    def prepare(self, reading: Reading) -> None:
        """The agency, the districts the cases name (created when the mapping says so) and the
        roster's badges, read once."""
        mapping = self.mapping
        agency = mapping.agency
        if agency is None:
            return
        if not agency.pk:
            agency.save()
            audit.record("import.agency_created", target=agency, actor=self.actor, data={"run": self.run.pk})
        existing = {
            normalize(code): pk for code, pk in District.objects.filter(agency=agency).values_list("code", "pk")
        }
        wanted = {case.district for case in reading.cases.values() if case.district}
        missing = sorted({code for code in wanted if normalize(code) not in existing})
        if missing and mapping.create_districts:
            District.objects.bulk_create([District(agency=agency, code=code, name=code) for code in missing])
            audit.record(
                "import.districts_created", actor=self.actor, data={"run": self.run.pk, "districts": len(missing)}
            )
            existing = {normalize(c): pk for c, pk in District.objects.filter(agency=agency).values_list("code", "pk")}
        self.districts = existing
        badges = {o.badge for case in reading.cases.values() for o in case.officers if o.badge}
        if badges:
            self.roster = {
                normalize(badge): pk
                for badge, pk in Officer.objects.filter(agency=agency).values_list("badge_number", "pk")
                if normalize(badge) in {normalize(b) for b in badges}
            }

    def write_batch(self, cases: list[CasePlan], keep: dict[str, int]) -> Outcome:
        outcome = Outcome()
        with audit.service_atomic():
            replaced = [keep[c.source_id] for c in cases if c.source_id in keep]
            if replaced:
                self._clear(replaced)
            complaints = self._complaints(cases, keep)
            by_source = {c.source_id: complaints[c.source_id] for c in cases}
            self._records(cases, by_source, outcome)
            entered = [
                Entered(
                    pk=by_source[c.source_id],
                    status=c.status(self.mapping),
                    at=c.status_date(self.mapping),
                    reason=f"Imported from {self.mapping.system}: case {c.source_id}, "
                    f"{self.mapping.files[c.file].path.name} line {c.line}.",
                )
                for c in cases
            ]
            COMPLAINT_LIFECYCLE.enter(entered, actor=self.actor, via=VIA, data={"run": self.run.pk})
            outcome.counts["created"] = len(cases) - len(replaced)
            outcome.counts["updated"] = len(replaced)
            outcome.complaint_ids = list(by_source.values())
            audit.record(
                "import.batch_written",
                actor=self.actor,
                data={
                    "run": self.run.pk,
                    "system": self.mapping.system,
                    "first": cases[0].source_id,
                    "last": cases[-1].source_id,
                    **dict(outcome.counts),
                },
            )
            cases_written.send(sender=Writer, complaint_ids=outcome.complaint_ids)
        return outcome

    # --- Replacing a changed case's imported records ---------------------------------------------

    def _clear(self, ids: list[int]) -> None:
        DecisionFinding.objects.filter(decision__complaint_id__in=ids).delete()
        BoardDecision.objects.filter(complaint_id__in=ids).delete()
        Finding.objects.filter(allegation__complaint_id__in=ids).delete()
        Allegation.objects.filter(complaint_id__in=ids).delete()
        SubjectOfficer.objects.filter(complaint_id__in=ids).delete()
        Party.objects.filter(complaint_id__in=ids).delete()
        Investigation.objects.filter(complaint_id__in=ids).delete()
        StatusChange.objects.filter(complaint_id__in=ids, action="import").delete()
        PublicTimelineEntry.objects.filter(complaint_id__in=ids).delete()
        # The entry effect stores the closing date again if the case still enters a closed status.
        RetentionRecord.objects.filter(complaint_id__in=ids, status=RetentionRecord.Status.KEPT).update(
            closed_on=None, schedule=""
        )
        SourceRecord.objects.filter(case__complaint_id__in=ids).delete()

    # --- Writing ---------------------------------------------------------------------------------

    def _complaint_fields(self, case: CasePlan) -> dict[str, Any]:
        status = case.status(self.mapping)
        return {
            "channel": case.channel,
            "received_at": case.received,
            "incident_date": case.incident,
            "incident_date_precision": case.incident_precision if case.incident else Complaint.Precision.UNKNOWN,
            "location_text": case.location,
            "district_id": self.districts.get(normalize(case.district)) if case.district else None,
            "agency_id": self.mapping.agency.pk if self.mapping.agency is not None else None,
            "narrative": case.narrative,
            "language": case.language,
            "anonymity": Complaint.Anonymity.NAMED if case.parties else Complaint.Anonymity.ANONYMOUS,
            "closure_reason": self.mapping.closure_reason if status == S.ADMINISTRATIVELY_CLOSED else "",
            "entered_by_id": self.actor.pk if self.actor is not None else None,
        }

    def _complaints(self, cases: list[CasePlan], keep: dict[str, int]) -> dict[str, int]:
        found: dict[str, int] = {}
        new = [c for c in cases if c.source_id not in keep]
        names = list(self._complaint_fields(cases[0]))
        fields = ["tracking_number", "status", "status_changed_at", *names]
        ids = bulk.insert_rows(
            Complaint,
            fields,
            [
                (tracking_number(self.mapping, case), S.RECEIVED, case.received, *self._complaint_fields(case).values())
                for case in new
            ],
        )
        found.update(zip((case.source_id for case in new), ids, strict=True))
        updated = [Complaint(pk=keep[c.source_id], **self._complaint_fields(c)) for c in cases if c.source_id in keep]
        if updated:
            Complaint.objects.bulk_update(updated, names, batch_size=500)
            found.update({c.source_id: keep[c.source_id] for c in cases if c.source_id in keep})
        return found

    def _records(self, cases: list[CasePlan], by_source: dict[str, int], outcome: Outcome) -> None:
        """Everything a batch's cases hold besides the complaint row, as plain rows in bulk."""
        mapping = self.mapping
        now = timezone.now()
        system = mapping.system
        actor_id = self.actor.pk if self.actor is not None else None
        names = {key: source.path.name for key, source in mapping.files.items()}
        statuses = {case.source_id: case.status(mapping) for case in cases}

        # The imported case rows: new ones inserted, earlier ones brought up to date.
        earlier = dict(
            ImportedCase.objects.filter(complaint_id__in=list(by_source.values())).values_list("complaint_id", "pk")
        )
        fresh = [case for case in cases if by_source[case.source_id] not in earlier]
        fresh_ids = bulk.insert_rows(
            ImportedCase,
            [
                "complaint_id",
                "system",
                "source_id",
                "source_file",
                "source_line",
                "fingerprint",
                "run_id",
                "imported_at",
            ],
            [
                (by_source[c.source_id], system, c.source_id, names[c.file], c.line, c.fingerprint(), self.run.pk, now)
                for c in fresh
            ],
        )
        case_of = {**earlier, **dict(zip((by_source[c.source_id] for c in fresh), fresh_ids, strict=True))}
        again = [
            ImportedCase(
                pk=earlier[by_source[c.source_id]],
                source_file=names[c.file],
                source_line=c.line,
                fingerprint=c.fingerprint(),
                run_id=self.run.pk,
                imported_at=now,
            )
            for c in cases
            if by_source[c.source_id] in earlier
        ]
        if again:
            ImportedCase.objects.bulk_update(
                again, ["source_file", "source_line", "fingerprint", "run", "imported_at"], batch_size=500
            )
        sources: list[tuple] = []

        def source(case: CasePlan, model: str, pk: int, file: str, line: int) -> None:
            sources.append((case_of[by_source[case.source_id]], model, pk, names[file], line))

        for case in cases:
            source(case, "complaints.complaint", by_source[case.source_id], case.file, case.line)

        worked = [c for c in cases if statuses[c.source_id] in WORKED]
        bulk.insert_rows(
            Investigation,
            ["complaint_id", "discovery_date", "public_summary", "findings_submitted_at"],
            [
                (
                    by_source[c.source_id],
                    timezone.localdate(c.received),
                    # The source's narrative is what the public summary is drafted from; the
                    # redactor takes names and details out when a publication is drafted.
                    c.narrative if statuses[c.source_id] in DECIDED else "",
                    c.decision_date(mapping) if statuses[c.source_id] in DECIDED else None,
                )
                for c in worked
            ],
        )

        subject_rows, subject_of = [], []
        for case in cases:
            for officer in case.officers:
                roster = self.roster.get(normalize(officer.badge)) if officer.badge else None
                subject_rows.append(
                    (by_source[case.source_id], roster, officer.name, officer.badge, officer.unit,
                     officer.race, officer.gender)
                )  # fmt: skip
                subject_of.append((case, officer))
        subject_ids = bulk.insert_rows(
            SubjectOfficer,
            ["complaint_id", "officer_id", "name_as_given", "badge_as_given", "unit_as_given", "race_as_given",
             "gender_as_given"],
            subject_rows,
        )  # fmt: skip
        officer_ids: dict[str, list[int]] = {}
        for (case, officer), pk in zip(subject_of, subject_ids, strict=True):
            officer_ids.setdefault(case.source_id, []).append(pk)
            source(case, "complaints.subjectofficer", pk, officer.file, officer.line)

        allegation_of = [(case, plan) for case in cases for plan in case.allegations]
        allegation_ids = bulk.insert_rows(
            Allegation,
            ["complaint_id", "subject_officer_id", "category_id", "description"],
            [
                (
                    by_source[case.source_id],
                    officer_ids[case.source_id][plan.officer],
                    mapping.categories.get(plan.category) if plan.category else None,
                    plan.description,
                )
                for case, plan in allegation_of
            ],
        )
        for (case, plan), pk in zip(allegation_of, allegation_ids, strict=True):
            source(case, "complaints.allegation", pk, plan.file, plan.line)

        # The source decided these allegations: their findings are final, also in a case still
        # under investigation for its other allegations.
        rationale = f"Finding as recorded in {system}, imported."
        finding_of = [
            (case, plan, pk) for (case, plan), pk in zip(allegation_of, allegation_ids, strict=True) if plan.disposition
        ]
        finding_ids = bulk.insert_rows(
            Finding,
            ["allegation_id", "proposed_disposition", "rationale", "proposed_by_id", "final_disposition"],
            [(pk, plan.disposition, rationale, actor_id, plan.disposition) for _case, plan, pk in finding_of],
        )
        for (case, plan, _pk), pk in zip(finding_of, finding_ids, strict=True):
            source(case, "investigations.finding", pk, plan.file, plan.line)

        decided = [c for c in cases if statuses[c.source_id] in DECIDED]
        decision_ids = bulk.insert_rows(
            BoardDecision,
            ["complaint_id", "kind", "instructions", "recorded_by_id", "votes_counted", "created_at"],
            [
                (
                    by_source[c.source_id],
                    BoardDecision.Kind.ADOPT,
                    f"Decided before this system; findings as recorded in {system}, imported.",
                    actor_id,
                    {"imported": True},
                    c.decision_date(mapping),
                )
                for c in decided
            ],
        )
        decision_of = dict(zip((c.source_id for c in decided), decision_ids, strict=True))
        bulk.insert_rows(
            DecisionFinding,
            ["decision_id", "finding_id", "final_disposition", "rationale", "recommended_discipline"],
            [
                (decision_of[case.source_id], pk, plan.disposition, "",
                 plan.discipline if plan.disposition == "sustained" else "")
                for (case, plan, _a), pk in zip(finding_of, finding_ids, strict=True)
                if case.source_id in decision_of
            ],
        )  # fmt: skip

        party_of = [(case, plan) for case in cases for plan in case.parties]
        party_ids = bulk.insert_rows(
            Party,
            ["complaint_id", "role", "last_name", "preferred_contact", "preferred_language", "race_ethnicity",
             "gender", "age_range"],
            [
                # A person the source knows by initials only is recorded with them as the name, so
                # the masker and the redactor know them.
                (by_source[case.source_id], plan.role, plan.name, Party.ContactMethod.NONE, case.language,
                 plan.race, plan.gender, plan.age_range)
                for case, plan in party_of
            ],
        )  # fmt: skip
        for (case, plan), pk in zip(party_of, party_ids, strict=True):
            source(case, "complaints.party", pk, plan.file, plan.line)

        bulk.insert_rows(SourceRecord, ["case_id", "model", "object_id", "source_file", "source_line"], sources)
        outcome.counts.update(
            allegations=len(allegation_ids),
            findings=len(finding_ids),
            officers=len(subject_ids),
            parties=len(party_ids),
        )


def batches(cases: list[CasePlan], size: int) -> Iterable[list[CasePlan]]:
    for start in range(0, len(cases), size):
        yield cases[start : start + size]


def write(
    mapping: Mapping,
    reading: Reading,
    *,
    actor: Any,
    run: ImportRun,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Write every new or changed case of ``reading``; returns the counts and the complaints written."""
    todo, keep, counts = plan_changes(mapping, reading)
    writer = Writer(mapping, actor=actor, run=run)
    with transaction.atomic():
        writer.prepare(reading)
    outcome = Outcome(counts=counts)
    for batch in batches(todo, batch_size):
        written = writer.write_batch(batch, keep)
        outcome.counts.update(written.counts)
        outcome.complaint_ids += written.complaint_ids
        run.counts = dict(outcome.counts)
        run.save(update_fields=["counts"])
        if progress is not None:
            progress(len(batch))
    return outcome
