"""Every read of complaints that a page makes, already scoped to the user asking."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from oversight import audit, permissions

from .models import Allegation, Complaint, SubjectOfficer

_ACTION_PERMS = {"view": "complaints.view_complaint", "change": "complaints.change_complaint"}


def complaint_visible_queryset(user: Any) -> QuerySet[Complaint]:
    """The complaints ``user`` may see.

    * ``complaints.view_all_complaints`` (supervisors): every complaint.
    * ``complaints.triage_complaint`` (intake coordinators): every complaint still in intake or in
      mediation, plus any they were given.
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
        return base.filter(Q(status__in=Complaint.TRIAGE_STATUSES) | Q(pk__in=granted.values("pk")))
    return granted


def complaint_list_for_user(*, user: Any, status: str | None = None) -> QuerySet[Complaint]:
    """The staff complaint list: visible complaints with what the table shows, newest first."""
    queryset = complaint_visible_queryset(user).select_related("district", "agency")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-received_at", "-id")


def intake_queue_for_user(
    *,
    user: Any,
    received_from: Any = None,
    received_to: Any = None,
    channel: str = "",
    district_id: int | None = None,
    language: str = "",
    newest_first: bool = False,
) -> QuerySet[Complaint]:
    """New complaints (received or in triage) this user may see, filtered; by default oldest
    first, so the longest-waiting complaint is handled first."""
    queryset = complaint_visible_queryset(user).filter(status__in=Complaint.INTAKE_STATUSES)
    if received_from:
        queryset = queryset.filter(received_at__date__gte=received_from)
    if received_to:
        queryset = queryset.filter(received_at__date__lte=received_to)
    if channel:
        queryset = queryset.filter(channel=channel)
    if district_id:
        queryset = queryset.filter(district_id=district_id)
    if language:
        queryset = queryset.filter(language=language)
    order = ("-received_at", "-id") if newest_first else ("received_at", "id")
    return queryset.select_related("district", "entered_by").order_by(*order)


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


@dataclass(frozen=True)
class PublicStatus:
    """What a resident may see about their complaint: stages and dates, nothing internal."""

    complaint_id: int
    tracking_number: str
    received_at: Any
    stage: str
    stage_label: str
    timeline: list[tuple[str, str, Any, str]]  # (stage, label, when, public detail)
    closing_reason: str
    path: list[tuple[str, str, str]]  # (stage, label, state: done | current | upcoming)


def complaint_status_for_public(*, tracking_number: str, code: str) -> PublicStatus | None:
    """The public status of a complaint, or None when the number or the code is wrong.

    Both failures return the same None after the same hashing work, so callers cannot tell a
    wrong number from a wrong code.
    """
    from .services import status_code_matches
    from .stages import CLOSING_REASONS, USUAL_PATH, PublicStage, public_stage

    complaint = Complaint.objects.filter(tracking_number=tracking_number).first()
    if not status_code_matches(complaint, code):
        return None
    stage = public_stage(complaint.status)
    labels = dict(PublicStage.choices)
    entries = list(complaint.timeline.order_by("occurred_at", "id"))
    entries_view = [(e.stage, labels.get(e.stage, e.stage), e.occurred_at, e.detail) for e in entries]
    if not any(e.stage == PublicStage.RECEIVED for e in entries):
        entries_view.insert(0, (PublicStage.RECEIVED, labels[PublicStage.RECEIVED], complaint.received_at, ""))
    reached = {entry[0] for entry in entries_view} | {stage}
    path_stages = list(USUAL_PATH)
    if stage == PublicStage.IN_MEDIATION or PublicStage.IN_MEDIATION in reached:
        path_stages.insert(2, PublicStage.IN_MEDIATION)
    current_index = path_stages.index(stage) if stage in path_stages else 0
    path = []
    for index, item in enumerate(path_stages):
        state = "done" if index < current_index else "current" if index == current_index else "upcoming"
        if stage == PublicStage.CLOSED and item != PublicStage.CLOSED and item not in reached:
            continue  # a complaint closed early skipped these stages
        path.append((item, labels[item], state))
    return PublicStatus(
        complaint_id=complaint.pk,
        tracking_number=complaint.tracking_number,
        received_at=complaint.received_at,
        stage=stage,
        stage_label=labels[stage],
        timeline=entries_view,
        closing_reason=str(CLOSING_REASONS.get(complaint.status, "")) if stage == PublicStage.CLOSED else "",
        path=path,
    )


# --- The resident's own record ------------------------------------------------------------------
#
# These reads take a tracking number the caller has already been allowed to use (the browser
# session that filed the complaint holds it); they do no scoping of their own, so they belong
# behind such a check and never behind a form a stranger can fill in.


def complaint_receipt_queryset() -> QuerySet[Complaint]:
    """Complaints with everything the receipt shows (district, officers with their roster entry and
    allegations with their category, parties, files) loaded in a fixed number of queries."""
    allegations = Allegation.objects.select_related("category").order_by("id")
    subjects = SubjectOfficer.objects.select_related("officer").prefetch_related(
        Prefetch("allegations", queryset=allegations)
    )
    return Complaint.objects.select_related("district").prefetch_related(
        Prefetch("subject_officers", queryset=subjects), "parties", "attachments"
    )


def complaint_get_for_receipt(*, tracking_number: str) -> Complaint:
    """The complaint with everything its receipt shows, or ``Http404`` if there is none."""
    complaint = complaint_receipt_queryset().filter(tracking_number=tracking_number).first()
    if complaint is None:
        raise Http404("No complaint found")
    return complaint


def complaint_get_filed(*, tracking_number: str) -> Complaint:
    """The complaint alone (tracking number, dates, language), as the confirmation page shows it
    just after filing, or ``Http404`` if there is none."""
    complaint = Complaint.objects.filter(tracking_number=tracking_number).first()
    if complaint is None:
        raise Http404("No complaint found")
    return complaint
