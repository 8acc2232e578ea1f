"""Contradictions between a complaint's status and its records, for ``manage.py workflow_check``.

Each check is one set-based query (an ``Exists`` subquery over the whole table), so the command
stays a handful of queries at any size. Higher parts add their own checks through the
``workflow.checks`` hook (board review: decided with no decision).
"""

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from complaints.models import Allegation, Complaint

from .models import Finding, Investigation

S = Complaint.Status
WORKED = (S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, S.BOARD_REVIEW, S.DECIDED, S.CLOSED)
FINDINGS_MADE = (S.FINDINGS_PROPOSED, S.BOARD_REVIEW, S.DECIDED, S.CLOSED)
DECIDED = (S.DECIDED, S.CLOSED)

Problem = tuple[str, str, str]


def problem_rows(queryset: QuerySet[Complaint], problem: str) -> Iterator[Problem]:
    """Each complaint of ``queryset`` as a ``(tracking number, status, problem)`` row, in id order
    (shared by the checks higher parts register)."""
    for tracking_number, status in queryset.order_by("id").values_list("tracking_number", "status").iterator():
        yield tracking_number, status, problem


def contradictions() -> Iterator[Problem]:
    """Case work's own: the investigation, proposals, finals and closure details each status needs."""
    investigation = Investigation.objects.filter(complaint=OuterRef("pk"))
    yield from problem_rows(
        Complaint.objects.filter(status__in=WORKED).filter(~Exists(investigation)),
        _("past triage but has no investigation"),
    )
    without_proposal = Allegation.objects.filter(complaint=OuterRef("pk")).filter(
        ~Exists(
            Finding.objects.filter(allegation=OuterRef("pk")).exclude(proposed_disposition="").exclude(rationale="")
        )
    )
    yield from problem_rows(
        Complaint.objects.filter(status__in=FINDINGS_MADE).filter(Exists(without_proposal)),
        _("findings were submitted but an allegation has no proposed finding with a rationale"),
    )
    yield from problem_rows(
        Complaint.objects.filter(status__in=FINDINGS_MADE).filter(
            ~Exists(Allegation.objects.filter(complaint=OuterRef("pk")))
        ),
        _("findings were submitted but the case has no allegations"),
    )
    yield from problem_rows(
        Complaint.objects.filter(status__in=FINDINGS_MADE).filter(Exists(investigation.filter(Q(public_summary="")))),
        _("findings were submitted without the public summary"),
    )
    without_final = Allegation.objects.filter(complaint=OuterRef("pk")).filter(
        ~Exists(Finding.objects.filter(allegation=OuterRef("pk")).exclude(final_disposition=""))
    )
    yield from problem_rows(
        Complaint.objects.filter(status__in=DECIDED).filter(Exists(without_final)),
        _("decided or closed but an allegation has no final finding"),
    )
    yield from problem_rows(
        Complaint.objects.filter(status=S.REFERRED, referred_to=""), _("referred but names no agency")
    )
    yield from problem_rows(
        Complaint.objects.filter(status=S.ADMINISTRATIVELY_CLOSED, closure_reason=""),
        _("closed in triage without a reason"),
    )
