"""A small office whose every measure is worked out by hand (``office``), and helpers to build cases
at known days.

Every moment is local noon of a day counted back from today (``day(k)``: k days ago), so the numbers
do not depend on the date the tests run. The cases, in the office's two districts:

| case | district | category | received | status now | story |
|---|---|---|---|---|---|
| C1 | North | force | 400 d ago | under investigation | Ana leads; clock overdue; subpoena withdrawn |
| C2 | North | discourtesy | 200 | findings proposed | Ana leads, Ben helps; two subpoenas |
| C3 | South | force | 340 | board review | Ben leads; clock due soon; subpoena past due |
| C4 | South | discourtesy | 380 | under investigation | Ben leads; tolled 10 days, overdue; subpoena refused |
| C5 | North | force | 20 | received | |
| C6 | South | discourtesy | 45 | in triage | |
| C7 | North | force + disc. | 90 | closed 10 d ago | Ana led; decided (a correction); subpoena late |
| C8 | South | discourtesy | 70 | mediated 30 d ago | |
| C9 | North | force | 30 | closed at intake 28 d ago | |
| C10 | South | force + disc. | 150 | closed 50 d ago | Ana led; decided 60 d ago |
| C11 | North | discourtesy | 15 | referred 5 d ago | |
| C12 | North | discourtesy | 50 | under investigation | Ana helps (first assigned 44 d ago) |
| C13 | South | — | 300 | closed 30 d ago, by import | |

Cy is an investigator with no case.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from complaints.models import AllegationCategory, Complaint
from investigations.board.models import BoardDecision, DecisionFinding, DepartmentResponse
from investigations.models import (
    Finding,
    Investigation,
    InvestigatorAssignment,
    StatusChange,
    Subpoena,
    SubpoenaEvent,
    TollingPeriod,
)
from oversight.permissions import Role

from ..factories import AllegationFactory, ComplaintFactory, DistrictFactory, SubjectOfficerFactory, UserFactory

S = Complaint.Status
SS = Subpoena.Status


def today() -> date:
    return timezone.localdate()


def day(k: int, hour: int = 12) -> datetime:
    """Local ``hour`` o'clock, ``k`` days ago."""
    return datetime.combine(today() - timedelta(days=k), time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def date_ago(k: int) -> date:
    return today() - timedelta(days=k)


@dataclass
class Builder:
    """Writes case records as rows, at the days given (k days ago)."""

    cases: dict[str, Complaint] = field(default_factory=dict)
    investigations: dict[str, Investigation] = field(default_factory=dict)
    allegations: dict[str, Any] = field(default_factory=dict)
    subpoena_numbers: dict[int, int] = field(default_factory=dict)

    def case(self, name: str, *, received: int, district=None, categories=(), status: str = S.RECEIVED, changed=None):
        complaint = ComplaintFactory(received_at=day(received), district=district)
        subject = SubjectOfficerFactory(complaint=complaint) if categories else None
        for n, code in enumerate(categories):
            self.allegations[f"{name}.{n + 1}"] = AllegationFactory(
                subject_officer=subject, category=AllegationCategory.objects.get(code=code)
            )
        Complaint.objects.filter(pk=complaint.pk).update(
            status=status, status_changed_at=day(changed) if changed is not None else day(received)
        )
        complaint.refresh_from_db()
        self.cases[name] = complaint
        return complaint

    def moves(self, name: str, *steps: tuple[str, str, int], action: str = "move") -> None:
        for from_status, to_status, k in steps:
            StatusChange.objects.create(
                complaint=self.cases[name],
                action=action,
                from_status=from_status,
                to_status=to_status,
                created_at=day(k),
            )

    def investigation(self, name: str, *, discovered: int) -> Investigation:
        investigation = Investigation.objects.create(complaint=self.cases[name], discovery_date=date_ago(discovered))
        self.investigations[name] = investigation
        return investigation

    def assign(self, name: str, user, *, at: int, lead: bool = False, ended: int | None = None) -> None:
        InvestigatorAssignment.objects.create(
            investigation=self.investigations[name],
            investigator=user,
            is_lead=lead,
            assigned_at=day(at),
            ended_at=day(ended) if ended is not None else None,
        )

    def subpoena(self, name: str, *, status: str, due: int, issued: int | None, events=()) -> Subpoena:
        complaint = self.cases[name]
        number = self.subpoena_numbers.get(complaint.pk, 0) + 1
        self.subpoena_numbers[complaint.pk] = number
        subpoena = Subpoena.objects.create(
            complaint=complaint,
            number=number,
            recipient_kind=Subpoena.RecipientKind.AGENCY,
            recipient_name="Records unit",
            demand=Subpoena.Demand.DOCUMENTS,
            description="Dispatch records",
            due_date=date_ago(due),
            status=status,
            issued_at=day(issued) if issued is not None else None,
        )
        for from_status, to_status, k in events:
            SubpoenaEvent.objects.create(
                subpoena=subpoena, from_status=from_status, to_status=to_status, occurred_at=day(k)
            )
        return subpoena

    def finding(self, allegation: str, disposition: str = "sustained") -> Finding:
        return Finding.objects.create(
            allegation=self.allegations[allegation],
            proposed_disposition=disposition,
            rationale="The video shows it.",
            final_disposition=disposition,
        )

    def decision(self, name: str, *, at: int, finals, corrects=None) -> BoardDecision:
        decision = BoardDecision.objects.create(
            complaint=self.cases[name], kind=BoardDecision.Kind.ADOPT, created_at=day(at), corrects=corrects
        )
        for finding, discipline in finals:
            DecisionFinding.objects.create(
                decision=decision,
                finding=finding,
                final_disposition=finding.final_disposition,
                recommended_discipline=discipline,
            )
        return decision


@dataclass
class Office:
    build: Builder
    north: Any
    south: Any
    ana: Any
    ben: Any
    cy: Any


@pytest.fixture
def measures_settings(settings):
    settings.DEADLINE_DAYS = 365
    settings.DEADLINE_DUE_SOON_DAYS = 30
    return settings


@pytest.fixture
def office(db, measures_settings) -> Office:
    b = Builder()
    north = DistrictFactory(name="North")
    south = DistrictFactory(name="South", agency=north.agency)
    ana = UserFactory(username="ana_alvarez", first_name="Ana", last_name="Alvarez", roles=[Role.INVESTIGATOR])
    ben = UserFactory(username="ben_brooks", first_name="Ben", last_name="Brooks", roles=[Role.INVESTIGATOR])
    cy = UserFactory(username="cy_chen", first_name="Cy", last_name="Chen", roles=[Role.INVESTIGATOR])
    force, disc = "force-physical", "disc-words"

    # C1: under investigation since long ago; the clock ran out 35 days ago (400 - 365).
    b.case("C1", received=400, district=north, categories=[force], status=S.UNDER_INVESTIGATION, changed=396)
    b.moves("C1", (S.RECEIVED, S.IN_TRIAGE, 398), (S.IN_TRIAGE, S.UNDER_INVESTIGATION, 396))
    b.investigation("C1", discovered=400)
    b.assign("C1", ana, at=395, lead=True)
    b.subpoena("C1", status=SS.WITHDRAWN, due=0, issued=30, events=[(SS.ISSUED, SS.WITHDRAWN, 20)])

    # C2: findings proposed 50 days ago, after 145 days under investigation.
    b.case("C2", received=200, district=north, categories=[disc], status=S.FINDINGS_PROPOSED, changed=50)
    b.moves(
        "C2",
        (S.RECEIVED, S.IN_TRIAGE, 199),
        (S.IN_TRIAGE, S.UNDER_INVESTIGATION, 195),
        (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, 50),
    )
    b.investigation("C2", discovered=200)
    b.assign("C2", ana, at=190, lead=True)
    b.assign("C2", ben, at=60)
    b.subpoena("C2", status=SS.PARTIALLY_COMPLIED, due=20, issued=50, events=[(SS.SERVED, SS.PARTIALLY_COMPLIED, 22)])
    b.subpoena("C2", status=SS.COMPLIED, due=170, issued=200, events=[(SS.SERVED, SS.COMPLIED, 180)])

    # C3: with the board; due in 25 days (340 - 365).
    b.case("C3", received=340, district=south, categories=[force], status=S.BOARD_REVIEW, changed=70)
    b.moves(
        "C3",
        (S.RECEIVED, S.IN_TRIAGE, 339),
        (S.IN_TRIAGE, S.UNDER_INVESTIGATION, 335),
        (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, 80),
        (S.FINDINGS_PROPOSED, S.BOARD_REVIEW, 70),
    )
    b.investigation("C3", discovered=340)
    b.assign("C3", ben, at=330, lead=True)
    b.subpoena("C3", status=SS.SERVED, due=10, issued=40)

    # C4: due 15 days ago, but tolled for 10 days: due 5 days ago, overdue.
    b.case("C4", received=380, district=south, categories=[disc], status=S.UNDER_INVESTIGATION, changed=378)
    b.moves("C4", (S.RECEIVED, S.IN_TRIAGE, 379), (S.IN_TRIAGE, S.UNDER_INVESTIGATION, 378))
    investigation = b.investigation("C4", discovered=380)
    TollingPeriod.objects.create(
        investigation=investigation,
        reason=TollingPeriod.Reason.CRIMINAL_PROCEEDING,
        start=date_ago(100),
        end=date_ago(91),
    )
    b.assign("C4", ben, at=370, lead=True)
    b.subpoena(
        "C4",
        status=SS.ENFORCEMENT_REFERRED,
        due=40,
        issued=70,
        events=[(SS.SERVED, SS.NOT_COMPLIED, 45), (SS.NOT_COMPLIED, SS.ENFORCEMENT_REFERRED, 35)],
    )

    # C5 and C6: new complaints.
    b.case("C5", received=20, district=north, categories=[force])
    b.case("C6", received=45, district=south, categories=[disc], status=S.IN_TRIAGE, changed=40)
    b.moves("C6", (S.RECEIVED, S.IN_TRIAGE, 40))

    # C7: the whole way, closed 10 days ago, 80 days after it came in.
    b.case("C7", received=90, district=north, categories=[force, disc], status=S.CLOSED, changed=10)
    b.moves(
        "C7",
        (S.RECEIVED, S.IN_TRIAGE, 88),
        (S.IN_TRIAGE, S.UNDER_INVESTIGATION, 85),
        (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, 40),
        (S.FINDINGS_PROPOSED, S.BOARD_REVIEW, 30),
        (S.BOARD_REVIEW, S.DECIDED, 20),
        (S.DECIDED, S.CLOSED, 10),
    )
    b.investigation("C7", discovered=90)
    b.assign("C7", ana, at=85, lead=True, ended=10)
    b.subpoena("C7", status=SS.COMPLIED, due=30, issued=60, events=[(SS.SERVED, SS.COMPLIED, 25)])
    a1, a2 = b.finding("C7.1"), b.finding("C7.2")
    first = b.decision("C7", at=21, finals=[(a1, "termination"), (a2, "written_reprimand")])
    b.decision("C7", at=20, finals=[(a1, "suspension"), (a2, "written_reprimand")], corrects=first)
    DepartmentResponse.objects.create(
        finding=a1, due_date=date_ago(-10), response=DepartmentResponse.Response.ACCEPTED, responded_on=date_ago(5)
    )
    DepartmentResponse.objects.create(finding=a2, due_date=date_ago(-10))

    # C8: mediated; C9: closed at intake; C11: referred.
    b.case("C8", received=70, district=south, categories=[disc], status=S.MEDIATED, changed=30)
    b.moves("C8", (S.RECEIVED, S.IN_TRIAGE, 68), (S.IN_TRIAGE, S.IN_MEDIATION, 60), (S.IN_MEDIATION, S.MEDIATED, 30))
    b.case("C9", received=30, district=north, categories=[force], status=S.ADMINISTRATIVELY_CLOSED, changed=28)
    b.moves("C9", (S.RECEIVED, S.IN_TRIAGE, 29), (S.IN_TRIAGE, S.ADMINISTRATIVELY_CLOSED, 28))
    b.case("C11", received=15, district=north, categories=[disc], status=S.REFERRED, changed=5)
    b.moves("C11", (S.RECEIVED, S.IN_TRIAGE, 14), (S.IN_TRIAGE, S.REFERRED, 5))

    # C10: decided 60 days ago after 40 days with the board; closed 50 days ago.
    b.case("C10", received=150, district=south, categories=[disc, force, disc], status=S.CLOSED, changed=50)
    b.moves(
        "C10",
        (S.RECEIVED, S.IN_TRIAGE, 149),
        (S.IN_TRIAGE, S.UNDER_INVESTIGATION, 148),
        (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, 110),
        (S.FINDINGS_PROPOSED, S.BOARD_REVIEW, 100),
        (S.BOARD_REVIEW, S.DECIDED, 60),
        (S.DECIDED, S.CLOSED, 50),
    )
    b.investigation("C10", discovered=150)
    b.assign("C10", ana, at=145, lead=True, ended=50)
    b1, b2, b3 = b.finding("C10.1"), b.finding("C10.2"), b.finding("C10.3", "not_sustained")
    b.decision("C10", at=60, finals=[(b1, "training"), (b2, "suspension"), (b3, "")])
    DepartmentResponse.objects.create(finding=b1, due_date=date_ago(30))
    DepartmentResponse.objects.create(
        finding=b2, due_date=date_ago(30), response=DepartmentResponse.Response.REJECTED, responded_on=date_ago(20)
    )

    # C12: accepted 45 days ago; Ana, the first investigator on it, joined a day later.
    b.case("C12", received=50, district=north, categories=[disc], status=S.UNDER_INVESTIGATION, changed=45)
    b.moves("C12", (S.RECEIVED, S.IN_TRIAGE, 48), (S.IN_TRIAGE, S.UNDER_INVESTIGATION, 45))
    b.investigation("C12", discovered=50)
    b.assign("C12", ana, at=44)
    b.subpoena("C12", status=SS.ISSUED, due=-20, issued=10)
    b.subpoena("C12", status=SS.DRAFTED, due=-30, issued=None)

    # C13: brought in by an import, already closed: the import's change ends no stay.
    b.case("C13", received=300, district=south, status=S.CLOSED, changed=30)
    b.moves("C13", (S.RECEIVED, S.CLOSED, 30), action="import")
    return Office(build=b, north=north, south=south, ana=ana, ben=ben, cy=cy)
