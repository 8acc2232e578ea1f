"""Proposed findings, the public summary, and submitting them for the supervisor's approval."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Allegation, Complaint
from oversight import audit

from ..models import Disposition, Finding, Investigation, StatusChange
from ..selectors import can_work
from ..workflow import FINDINGS_SUBMIT
from .transitions import TransitionRefused, complaint_transition

S = Complaint.Status


def _lock_for_findings(complaint: Complaint) -> Complaint:
    # Holding the complaint's row lock orders proposals against a concurrent submit.
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status != S.UNDER_INVESTIGATION:
        raise ValidationError(
            _("Findings can only be changed while the case is under investigation; it is now “%(status)s”.")
            % {"status": locked.get_status_display()},
            code="not_under_investigation",
        )
    return locked


def finding_propose(*, allegation: Allegation, actor: Any, disposition: str, rationale: str) -> Finding:
    """Propose (or revise) the finding on one allegation, with a rationale.

    Only someone who works the case may, and only while it is under investigation: once findings
    are submitted they are read-only until a supervisor sends them back (or the board remands).
    """
    complaint = allegation.complaint
    if not can_work(actor, complaint):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if disposition not in Disposition.values:
        errors["disposition"] = [_("Choose a disposition.")]
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = [_("Explain the evidence and reasoning behind this finding.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_for_findings(complaint)
        finding, created = Finding.objects.update_or_create(
            allegation=allegation,
            defaults={"proposed_disposition": disposition, "rationale": rationale, "proposed_by": actor},
        )
        audit.record(
            "finding.proposed",
            target=complaint,
            actor=actor,
            data={"allegation": allegation.pk, "disposition": disposition, "revised": not created},
        )
    return finding


def investigation_public_summary_set(*, investigation: Investigation, actor: Any, text: str) -> Investigation:
    """Write the plain-language summary the public will read (after redaction), while the case is
    under investigation."""
    complaint = investigation.complaint
    if not can_work(actor, complaint):
        raise PermissionDenied
    with transaction.atomic():
        _lock_for_findings(complaint)
        investigation.public_summary = (text or "").strip()
        investigation.save(update_fields=["public_summary", "updated_at"])
        audit.record("investigation.updated", target=complaint, actor=actor, data={"fields": ["public_summary"]})
    return investigation


def findings_submit(*, complaint: Complaint, actor: Any, expected_status: str | None = None) -> StatusChange:
    """Submit the proposed findings for approval: the case moves to ``findings_proposed``.

    The rules (every allegation has a proposed finding with a rationale, the public summary is
    written, the case is under investigation, nobody changed it meanwhile, the actor works the
    case) are the lifecycle's own: the ``submit`` move's guards.
    """
    if not can_work(actor, complaint):
        raise PermissionDenied

    def apply(locked: Complaint) -> None:
        investigation = Investigation.objects.select_for_update().get(complaint=locked)
        investigation.findings_submitted_at = timezone.now()
        investigation.save(update_fields=["findings_submitted_at", "updated_at"])

    with audit.service_atomic():
        try:
            change = complaint_transition(
                complaint=complaint,
                to_status=S.FINDINGS_PROPOSED,
                actor=actor,
                expected_status=expected_status,
                apply=apply,
                via=FINDINGS_SUBMIT,
            )
        except TransitionRefused as refused:
            if refused.code == "precondition":
                # What is missing, for the findings page to show beside the form.
                raise ValidationError(refused.message, code="incomplete") from None
            raise
        dispositions = dict(
            Finding.objects.filter(allegation__complaint=complaint)
            .values_list("proposed_disposition")
            .annotate(n=Count("id"))
            .order_by()
        )
        audit.record(
            "finding.submitted",
            target=complaint,
            actor=actor,
            data={"allegations": sum(dispositions.values()), "dispositions": dispositions},
        )
    return change
