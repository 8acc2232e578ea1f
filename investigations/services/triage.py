"""Intake decisions on a new complaint. Each is one transition plus what the decision records."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Allegation, Complaint, Party, SubjectOfficer

from ..models import Investigation
from ..workflow import TRIAGE_ACCEPT, TRIAGE_CLOSE, TRIAGE_REFER
from .evidence import evidence_from_attachments
from .transitions import complaint_transition

S = Complaint.Status


def triage_claim(*, complaint: Complaint, actor: Any, expected_status: str | None = None):
    """Start triage: the complaint is now under review."""
    return complaint_transition(
        complaint=complaint, to_status=S.IN_TRIAGE, actor=actor, expected_status=expected_status
    )


def triage_accept(
    *,
    complaint: Complaint,
    actor: Any,
    priority: str = Investigation.Priority.NORMAL,
    discovery_date: date | None = None,
    expected_status: str | None = None,
):
    """Accept for investigation: creates the Investigation (the deadline clock starts at the
    discovery date, by default the date received) and turns the resident's attachments into
    evidence items that keep their original hashes."""

    def apply(locked: Complaint) -> None:
        start = discovery_date or timezone.localtime(locked.received_at).date()
        if start > timezone.localdate():
            raise ValidationError(_("The discovery date cannot be in the future."))
        Investigation.objects.create(complaint=locked, priority=priority, discovery_date=start)
        evidence_from_attachments(complaint=locked, actor=actor)

    return complaint_transition(
        complaint=complaint,
        to_status=S.UNDER_INVESTIGATION,
        actor=actor,
        expected_status=expected_status,
        apply=apply,
        via=TRIAGE_ACCEPT,
    )


def triage_refer(*, complaint: Complaint, actor: Any, agency: str, reason: str, expected_status: str | None = None):
    """Refer to the agency with jurisdiction. The agency's name is shown to the resident."""
    agency = (agency or "").strip()
    if not agency:
        raise ValidationError(_("Name the agency the complaint is referred to."))

    def apply(locked: Complaint) -> None:
        locked.referred_to = agency[:200]
        locked.save(update_fields=["referred_to", "updated_at"])

    return complaint_transition(
        complaint=complaint,
        to_status=S.REFERRED,
        actor=actor,
        reason=reason,
        data={"agency": agency},
        expected_status=expected_status,
        public_detail=_("Referred to %(agency)s") % {"agency": agency},
        apply=apply,
        via=TRIAGE_REFER,
    )


def triage_mediate(*, complaint: Complaint, actor: Any, expected_status: str | None = None):
    return complaint_transition(
        complaint=complaint, to_status=S.IN_MEDIATION, actor=actor, expected_status=expected_status
    )


def mediation_succeeded(*, complaint: Complaint, actor: Any, expected_status: str | None = None):
    return complaint_transition(
        complaint=complaint,
        to_status=S.MEDIATED,
        actor=actor,
        expected_status=expected_status,
        public_detail=_("Resolved through mediation"),
    )


def mediation_failed(*, complaint: Complaint, actor: Any, reason: str, expected_status: str | None = None):
    """Mediation did not resolve it: investigate (the move opens the investigation if there is none)."""
    return complaint_transition(
        complaint=complaint,
        to_status=S.UNDER_INVESTIGATION,
        actor=actor,
        reason=reason,
        expected_status=expected_status,
    )


def triage_close(
    *, complaint: Complaint, actor: Any, reason_code: str, note: str = "", expected_status: str | None = None
):
    """Close without investigation, with one of the closure reasons (and a note for staff)."""
    if reason_code not in Complaint.ClosureReason.values:
        raise ValidationError(_("Choose why the complaint is closed."))

    def apply(locked: Complaint) -> None:
        locked.closure_reason = reason_code
        locked.save(update_fields=["closure_reason", "updated_at"])

    label = Complaint.ClosureReason(reason_code).label
    return complaint_transition(
        complaint=complaint,
        to_status=S.ADMINISTRATIVELY_CLOSED,
        actor=actor,
        reason=note.strip() or str(label),
        data={"reason_code": reason_code},
        expected_status=expected_status,
        public_detail=str(label),
        apply=apply,
        via=TRIAGE_CLOSE,
    )


def triage_mark_duplicate(*, complaint: Complaint, original: Complaint, actor: Any, expected_status: str | None = None):
    """Close ``complaint`` as a duplicate of ``original``, carrying its parties, officers and
    allegations over to the surviving complaint so nothing the resident said is lost."""
    if original.pk == complaint.pk:
        raise ValidationError(_("A complaint cannot be a duplicate of itself."))
    if original.duplicate_of_id:
        raise ValidationError(_("That complaint is itself a duplicate; choose the one it duplicates."))

    def apply(locked: Complaint) -> None:
        locked.duplicate_of = original
        locked.closure_reason = Complaint.ClosureReason.DUPLICATE
        locked.save(update_fields=["duplicate_of", "closure_reason", "updated_at"])
        for party in Party.objects.filter(complaint=locked):
            party.pk = None
            party._state.adding = True
            party.complaint = original
            party.description = (party.description + f" (from {locked.tracking_number})").strip()
            party.save()
        for subject in SubjectOfficer.objects.filter(complaint=locked).prefetch_related("allegations"):
            allegations = list(subject.allegations.all())
            subject.pk = None
            subject._state.adding = True
            subject.complaint = original
            subject.save()
            for allegation in allegations:
                Allegation.objects.create(
                    complaint=original,
                    subject_officer=subject,
                    category=allegation.category,
                    description=(allegation.description + f" (from {locked.tracking_number})").strip(),
                )

    return complaint_transition(
        complaint=complaint,
        to_status=S.ADMINISTRATIVELY_CLOSED,
        actor=actor,
        reason=_("Duplicate of %(number)s") % {"number": original.tracking_number},
        data={"reason_code": "duplicate", "duplicate_of": original.tracking_number},
        expected_status=expected_status,
        public_detail=str(Complaint.ClosureReason.DUPLICATE.label),
        apply=apply,
        via=TRIAGE_CLOSE,
    )
