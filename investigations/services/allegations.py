from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Allegation, AllegationCategory, Complaint, SubjectOfficer
from oversight import audit
from oversight.models import Officer

from ..selectors import can_work

OPEN_FOR_CLASSIFICATION = {
    Complaint.Status.RECEIVED,
    Complaint.Status.IN_TRIAGE,
    Complaint.Status.UNDER_INVESTIGATION,
}


def _check(actor: Any, complaint: Complaint) -> None:
    if not (can_work(actor, complaint) or actor.has_perm("complaints.triage_complaint")):
        raise PermissionDenied
    if complaint.status not in OPEN_FOR_CLASSIFICATION:
        raise ValidationError(_("Allegations can be changed only before findings are submitted."))


@transaction.atomic
def allegation_add(
    *, complaint: Complaint, subject_officer: SubjectOfficer, category: AllegationCategory, actor: Any
) -> Allegation:
    _check(actor, complaint)
    if subject_officer.complaint_id != complaint.pk:
        raise ValidationError(_("That officer is not part of this complaint."))
    allegation = Allegation.objects.create(complaint=complaint, subject_officer=subject_officer, category=category)
    audit.record("investigation.updated", target=complaint, actor=actor, data={"allegation_added": allegation.pk})
    return allegation


@transaction.atomic
def allegation_reclassify(*, allegation: Allegation, category: AllegationCategory, actor: Any) -> Allegation:
    _check(actor, allegation.complaint)
    before = allegation.category.code if allegation.category_id else None
    allegation.category = category
    allegation.save(update_fields=["category", "updated_at"])
    audit.record(
        "investigation.updated",
        target=allegation.complaint,
        actor=actor,
        data={"allegation": allegation.pk, "category_from": before, "category_to": category.code},
    )
    return allegation


@transaction.atomic
def subject_officer_link(*, subject_officer: SubjectOfficer, badge_number: str, actor: Any) -> SubjectOfficer:
    """Link a described officer to the roster once identified (the agency's badge number)."""
    complaint = subject_officer.complaint
    _check(actor, complaint)
    officers = Officer.objects.filter(badge_number=badge_number)
    if complaint.agency_id:
        officers = officers.filter(agency_id=complaint.agency_id)
    officer = officers.first()
    if officer is None:
        raise ValidationError(_("No officer on the roster has that badge number."))
    subject_officer.officer = officer
    subject_officer.save(update_fields=["officer", "updated_at"])
    audit.record(
        "investigation.updated",
        target=complaint,
        actor=actor,
        data={"subject_officer": subject_officer.pk, "linked_officer": officer.pk},
    )
    return subject_officer
