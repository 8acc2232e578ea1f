"""Decided cases for the publication tests, built row by row.

``decided_case(allegations=[...], summary=...)`` makes a complaint in ``decided`` (or ``status``)
with an investigation holding ``summary`` as its public summary, a board decision (``kind``), and one
allegation per ``Alleged(officer, category code, final disposition, discipline, response)``: its
finding (final), the decision's final finding with the recommended discipline, and, for a sustained
one with a ``response``, the department's response. ``officer`` is a key: allegations with the same
key are against the same subject officer; ``None`` makes a new one.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from complaints.models import AllegationCategory, Complaint
from investigations.board.models import BoardDecision, DecisionFinding, DepartmentResponse
from investigations.models import Disposition, Finding, Investigation
from oversight.models import Officer
from tests.factories import AllegationFactory, ComplaintFactory, DistrictFactory, OfficerFactory, SubjectOfficerFactory

S = Complaint.Status
D = Disposition

SUMMARY = "A resident reported being stopped near the park. The investigation reviewed the video and two statements."


@dataclass
class Alleged:
    officer: str | None = "a"
    category: str = "force-physical"
    disposition: str = D.SUSTAINED
    discipline: str = ""
    response: str = ""  # "", "accepted", "modified", "rejected"
    imposed: str = ""


def decided_case(
    *,
    allegations: list[Alleged] | None = None,
    summary: str = SUMMARY,
    status: str = S.DECIDED,
    kind: str = BoardDecision.Kind.ADOPT,
    officers: dict[str, Officer | None] | None = None,
    incident_date: date | None = date(2025, 11, 23),
    decided_at: datetime = datetime(2026, 5, 6, 16, 0, tzinfo=UTC),
    **complaint_fields,
) -> Complaint:
    complaint_fields.setdefault("district", DistrictFactory())
    complaint = ComplaintFactory(status=status, incident_date=incident_date, **complaint_fields)
    Investigation.objects.create(
        complaint=complaint, discovery_date=complaint.received_at.date(), public_summary=summary
    )
    decision = BoardDecision.objects.create(complaint=complaint, kind=kind, created_at=decided_at)
    subjects = {}
    officers = dict(officers or {})
    for alleged in allegations if allegations is not None else [Alleged()]:
        key = alleged.officer
        if key is None or key not in subjects:
            officer = officers.get(key, OfficerFactory()) if key is not None else OfficerFactory()
            subject = SubjectOfficerFactory(complaint=complaint, officer=officer)
            if key is not None:
                subjects[key] = subject
        else:
            subject = subjects[key]
        allegation = AllegationFactory(
            complaint=complaint,
            subject_officer=subject,
            category=AllegationCategory.objects.get(code=alleged.category),
        )
        finding = Finding.objects.create(
            allegation=allegation,
            proposed_disposition=alleged.disposition,
            rationale="The video.",
            final_disposition=alleged.disposition,
        )
        DecisionFinding.objects.create(
            decision=decision,
            finding=finding,
            final_disposition=alleged.disposition,
            recommended_discipline=alleged.discipline,
        )
        if alleged.disposition == D.SUSTAINED and (alleged.discipline or alleged.response):
            DepartmentResponse.objects.create(
                finding=finding,
                due_date=date(2026, 6, 5),
                response=alleged.response,
                responded_on=date(2026, 5, 30) if alleged.response else None,
                discipline_imposed=alleged.imposed,
            )
    return complaint
