"""Reads for the case workspace, scoped to the user asking: the case, its investigation, the
people and allegations on it, its investigators, notes and timeline.

Every ``*_get_for_case`` selector takes a case the caller already loaded through
``case_get_for_user`` and answers ``Http404`` for an object that is missing or belongs to
another case, so an id from another case reveals nothing.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from complaints.models import Allegation, Attachment, Complaint, Party, SubjectOfficer
from complaints.selectors import complaint_get_for_user, complaint_visible_to
from oversight import audit
from oversight.permissions import Role

from ..models import CaseNote, Investigation, InvestigatorAssignment, StatusChange
from ..workflow import COMPLAINT_LIFECYCLE, Transition, can_work
from ._lookup import get_or_404


def case_get_for_user(*, user: Any, tracking_number: str, work: bool = False) -> Complaint:
    """The case, 404 if the user may not see it, 403 if ``work`` is asked and they may only look."""
    complaint = complaint_get_for_user(user=user, tracking_number=tracking_number, related=("investigation",))
    if work and not can_work(user, complaint):
        audit.record("complaint.access_denied", target=complaint, outcome=audit.Outcome.DENIED, data={"perm": "work"})
        raise PermissionDenied
    return complaint


def case_visible_to(*, user: Any, complaint: Complaint) -> bool:
    """Whether ``user`` can still see ``complaint`` (a move may have taken it out of their sight)."""
    return complaint_visible_to(user, complaint)


def case_find_visible(*, user: Any, tracking_number: str) -> Complaint | None:
    """The case with this tracking number if ``user`` may see it, else None (no audit: a lookup
    made while filling in a form, such as naming the original of a duplicate)."""
    complaint = Complaint.objects.filter(tracking_number=tracking_number).first()
    return complaint if complaint is not None and complaint_visible_to(user, complaint) else None


def cases_assigned_to(user: Any) -> QuerySet[Complaint]:
    """Cases ``user`` is assigned to now (an assignment not ended), oldest received first.

    No ``DISTINCT``: an investigator holds at most one active assignment per investigation (the
    ``one_active_assignment_per_investigator`` constraint), so the join yields each case once and
    the database can stop after the first rows in order instead of de-duplicating the caseload."""
    return (
        Complaint.objects.filter(
            investigation__assignments__investigator=user, investigation__assignments__ended_at__isnull=True
        )
        .select_related("investigation", "district")
        .order_by("received_at", "id")
    )


def may_transition(user: Any, complaint: Complaint, transition: Transition) -> bool:
    return COMPLAINT_LIFECYCLE.may(user, complaint, transition)


def complaint_available_transitions(complaint: Complaint, user: Any) -> list[Transition]:
    """The moves this user may make on this case now: the buttons the case page draws."""
    return COMPLAINT_LIFECYCLE.available(complaint, user)


def case_investigation(complaint: Complaint) -> Investigation | None:
    """The case's investigation, or None before it is accepted.

    Read through the complaint's one-to-one relation, so the view and the case frame of one page
    share a single query (and an investigation created for this complaint instance is seen)."""
    try:
        return complaint.investigation
    except Investigation.DoesNotExist:
        return None


def investigation_get_for_case(*, complaint: Complaint) -> Investigation:
    """The case's investigation; ``Http404`` before the complaint is accepted for investigation."""
    investigation = case_investigation(complaint)
    if investigation is None:
        raise Http404("This case has no investigation")
    investigation.complaint = complaint
    return investigation


def case_parties(*, complaint: Complaint) -> QuerySet[Party]:
    """The people on the complaint, in role order, for a page that shows each through
    ``personal_data.person`` (a reader without ``view_personal_data`` reads their roles only)."""
    return Party.objects.filter(complaint=complaint).order_by("role", "id")


# --- Officers and allegations ----------------------------------------------------------------------


def case_subject_officers(*, complaint: Complaint) -> QuerySet[SubjectOfficer]:
    """The officers named in the case, with their roster entry, in one query."""
    return SubjectOfficer.objects.filter(complaint=complaint).select_related("officer").order_by("id")


def case_subjects_with_allegations(*, complaint: Complaint) -> QuerySet[SubjectOfficer]:
    """The officers named in the case with their allegations and categories: two queries."""
    return case_subject_officers(complaint=complaint).prefetch_related(
        Prefetch(
            "allegations",
            queryset=Allegation.objects.select_related("category", "category__parent").order_by("id"),
        )
    )


def subject_officer_get_for_case(*, complaint: Complaint, subject_officer_id: Any) -> SubjectOfficer:
    """One officer named in this case; ``Http404`` if missing or named in another case."""
    subject = get_or_404(SubjectOfficer.objects.select_related("officer"), pk=subject_officer_id, complaint=complaint)
    subject.complaint = complaint
    return subject


def allegation_get_for_case(*, complaint: Complaint, allegation_id: Any) -> Allegation:
    """One allegation of this case; ``Http404`` if missing or made in another case."""
    allegation = get_or_404(
        Allegation.objects.select_related("category", "subject_officer"), pk=allegation_id, complaint=complaint
    )
    allegation.complaint = complaint
    return allegation


def case_attachments(*, complaint: Complaint) -> QuerySet[Attachment]:
    """The files the complainant sent with the complaint."""
    return Attachment.objects.filter(complaint=complaint).order_by("id")


# --- Investigators -----------------------------------------------------------------------------------


def eligible_investigators() -> QuerySet:
    """Active users in the investigator role: the only people a case can be assigned to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.INVESTIGATOR)
        .order_by("last_name", "first_name", "username")
    )


def investigation_active_assignments(*, investigation: Investigation) -> QuerySet[InvestigatorAssignment]:
    """Who works the case now (lead first), with the investigator loaded."""
    return (
        InvestigatorAssignment.objects.filter(investigation=investigation, ended_at__isnull=True)
        .select_related("investigator")
        .order_by("-is_lead", "assigned_at", "id")
    )


def assignment_get_for_case(*, complaint: Complaint, assignment_id: Any) -> InvestigatorAssignment:
    """One assignment on this case (current or ended); ``Http404`` if missing or on another case."""
    assignment = get_or_404(
        InvestigatorAssignment.objects.select_related("investigator", "investigation"),
        pk=assignment_id,
        investigation__complaint=complaint,
    )
    assignment.investigation.complaint = complaint
    return assignment


# --- Notes and timeline ------------------------------------------------------------------------------


def case_notes(*, complaint: Complaint) -> QuerySet[CaseNote]:
    """The case's internal notes, newest first (the author's name is stored on the note)."""
    return CaseNote.objects.filter(complaint=complaint).order_by("-created_at", "-id")


def case_status_changes(*, complaint: Complaint) -> QuerySet[StatusChange]:
    """Every status move on the case, oldest first: the timeline."""
    return StatusChange.objects.filter(complaint=complaint).select_related("actor").order_by("created_at", "id")
