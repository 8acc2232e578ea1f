"""Every read of complaints that a page makes, already scoped to the user asking."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from oversight import audit, permissions

from .models import Complaint

_ACTION_PERMS = {"view": "complaints.view_complaint", "change": "complaints.change_complaint"}


def complaint_visible_queryset(user: Any) -> QuerySet[Complaint]:
    """The complaints ``user`` may see.

    * ``complaints.view_all_complaints`` (supervisors): every complaint.
    * ``complaints.triage_complaint`` (intake coordinators): every complaint still in intake, plus
      any they were given.
    * everyone else: only complaints they hold an object permission on (assigned investigators,
      board members on referred cases). A model-level view permission does not widen this.
    """
    base = Complaint.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return base.none()
    if user.has_perm("complaints.view_all_complaints"):
        return base
    granted = permissions.visible_for(user, "complaints.view_complaint", base)
    if user.has_perm("complaints.triage_complaint"):
        return base.filter(Q(status__in=Complaint.INTAKE_STATUSES) | Q(pk__in=granted.values("pk")))
    return granted


def complaint_list_for_user(*, user: Any, status: str | None = None) -> QuerySet[Complaint]:
    """The staff complaint list: visible complaints with what the table shows, newest first."""
    queryset = complaint_visible_queryset(user).select_related("district", "agency")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-received_at", "-id")


def complaint_get_for_user(*, user: Any, tracking_number: str, perm: str = "view") -> Complaint:
    """The complaint, or ``Http404`` if ``user`` may not see it (never 403: that would confirm it
    exists), or ``PermissionDenied`` if they may see it but not ``perm`` it. Denials are audited."""
    complaint = (
        complaint_visible_queryset(user)
        .select_related("district", "agency")
        .filter(tracking_number=tracking_number)
        .first()
    )
    if complaint is None:
        audit.record(
            "complaint.access_denied",
            target_label=tracking_number[:64],
            outcome=audit.Outcome.DENIED,
            data={"perm": perm},
        )
        raise Http404("No complaint found")
    if perm != "view" and not _may(user, perm, complaint):
        audit.record(
            "complaint.access_denied",
            target=complaint,
            outcome=audit.Outcome.DENIED,
            data={"perm": perm},
        )
        raise PermissionDenied
    return complaint


def _may(user: Any, perm: str, complaint: Complaint) -> bool:
    full = _ACTION_PERMS.get(perm, perm)
    if user.has_perm("complaints.view_all_complaints") and user.has_perm(full):
        return True
    return permissions.user_can(user, full, complaint)


def complaint_parties_for_user(*, user: Any, complaint: Complaint) -> QuerySet:
    """Parties of a complaint the user may already see; empty unless they may see personal data."""
    if not user.has_perm("complaints.view_personal_data"):
        return complaint.parties.none()
    return complaint.parties.all()
