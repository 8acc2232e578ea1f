from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight import audit, permissions
from oversight.tasks import enqueue

from ..models import Investigation, InvestigatorAssignment
from ..selectors import eligible_investigators

CASE_PERMS = ("complaints.view_complaint", "complaints.change_complaint")


@transaction.atomic
def investigator_assign(
    *, investigation: Investigation, investigator: Any, actor: Any, lead: bool = False
) -> InvestigatorAssignment:
    """Assign an investigator to a case: grants them view and change on the complaint (object
    permissions), audits it and emails them after commit. Assigning a lead makes any other lead
    a co-investigator."""
    if not actor.has_perm("complaints.assign_complaint"):
        raise PermissionDenied
    if not eligible_investigators().filter(pk=investigator.pk).exists():
        raise ValidationError(_("Only active investigators can be assigned."))
    current = investigation.assignments.filter(investigator=investigator, ended_at__isnull=True).first()
    if current is not None:
        if lead and not current.is_lead:
            investigation.assignments.filter(ended_at__isnull=True, is_lead=True).update(is_lead=False)
            current.is_lead = True
            current.save(update_fields=["is_lead"])
        return current
    if lead:
        investigation.assignments.filter(ended_at__isnull=True, is_lead=True).update(is_lead=False)
    assignment = InvestigatorAssignment.objects.create(
        investigation=investigation, investigator=investigator, is_lead=lead, assigned_by=actor
    )
    for perm in CASE_PERMS:
        permissions.grant(investigator, perm, investigation.complaint)
    audit.record(
        "case.assigned",
        target=investigation.complaint,
        actor=actor,
        data={"investigator": investigator.get_username(), "lead": lead},
    )
    from ..tasks import send_assignment_notification

    enqueue(send_assignment_notification, assignment.pk)
    return assignment


@transaction.atomic
def investigator_unassign(*, assignment: InvestigatorAssignment, actor: Any) -> None:
    """End an assignment and revoke the investigator's access to the case at once."""
    if not actor.has_perm("complaints.assign_complaint"):
        raise PermissionDenied
    if assignment.ended_at is not None:
        return
    assignment.ended_at = timezone.now()
    assignment.ended_by = actor
    assignment.save(update_fields=["ended_at", "ended_by"])
    complaint = assignment.investigation.complaint
    for perm in CASE_PERMS:
        permissions.revoke(assignment.investigator, perm, complaint)
    audit.record(
        "case.unassigned", target=complaint, actor=actor, data={"investigator": assignment.investigator.get_username()}
    )
