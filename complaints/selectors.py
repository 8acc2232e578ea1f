"""Every read of complaints that a page makes, already scoped to the user asking."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from oversight import audit, permissions, personal_data
from oversight.pagination import Total, capped_count

from .models import Allegation, Complaint, ComplaintStatusCount, Party, SubjectOfficer

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


def complaint_visible_to(user: Any, complaint: Complaint) -> bool:
    """Whether ``user`` may see this one complaint: the rule of ``complaint_visible_queryset``
    asked of a single row, at the cost of one indexed read of the user's grants on it (shared with
    the request's other checks of the same case) rather than a scan of every case they were given."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_perm("complaints.view_all_complaints"):
        return True
    if user.has_perm("complaints.triage_complaint") and complaint.status in Complaint.TRIAGE_STATUSES:
        return True
    return permissions.user_can(user, "complaints.view_complaint", complaint)


# The columns the list tables show. Rows load these and nothing else: no narrative, no hashes.
LIST_COLUMNS = (
    "tracking_number",
    "received_at",
    "channel",
    "status",
    "district__name",
    # Police employees' reports (whistleblower channel): the list's badges, not who reported.
    "employee_relationship",
    "retaliation_concern",
)
INTAKE_COLUMNS = (
    *LIST_COLUMNS,
    "language",
    "entered_by__username",
    "entered_by__first_name",
    "entered_by__last_name",
)
# The case list's order; keyset pages walk it from a (received_at, id) cursor.
COMPLAINT_LIST_ORDER = ("-received_at", "-id")


def complaint_list_for_user(
    *, user: Any, status: str | None = None, district_id: int | None = None
) -> QuerySet[Complaint]:
    """The staff complaint list: visible complaints, optionally in one status and one district,
    newest first, loading only the columns the table shows (and the district's name)."""
    queryset = _visible_for_list(user)
    if status:
        queryset = queryset.filter(status=status)
    if district_id:
        queryset = queryset.filter(district_id=district_id)
    return queryset.select_related("district").only(*LIST_COLUMNS).order_by(*COMPLAINT_LIST_ORDER)


def _visible_for_list(user: Any) -> QuerySet[Complaint]:
    """``complaint_visible_queryset(user)`` in a shape a list can page through cheaply: the same
    rows. For intake coordinators "in intake or mediation, or granted" is one set of ids, a
    ``UNION ALL`` of two index reads, rather than an ``OR`` with a subquery, which the database can
    only test row by row while walking every complaint in list order."""
    if _sees_all(user) or not (user.is_active and user.has_perm("complaints.triage_complaint")):
        return complaint_visible_queryset(user)
    in_triage = Complaint.objects.filter(status__in=Complaint.TRIAGE_STATUSES).order_by().values("pk")
    granted = permissions.visible_for(user, "complaints.view_complaint", Complaint.objects.all())
    return Complaint.objects.filter(pk__in=in_triage.union(granted.order_by().values("pk"), all=True))


def complaint_list_total(*, user: Any, status: str | None = None, district_id: int | None = None) -> Total:
    """How many complaints the case list holds for these filters, without counting a million rows.

    Without a district filter the figure is exact, from ``complaint_counts_by_status`` (the counts
    table for what a user sees in full, a count of their own cases for the rest). With one, the
    rows are counted, stopping after ``COUNT_CAP``: exact for a scoped user's few cases; a big
    district seen by a supervisor shows "more than 10,000".
    """
    if not district_id:
        counts = complaint_counts_by_status(user=user)
        return Total(counts.get(status, 0) if status else sum(counts.values()))
    return capped_count(complaint_list_for_user(user=user, status=status, district_id=district_id))


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
    first, so the longest-waiting complaint is handled first.

    The filter on exactly ``Complaint.INTAKE_STATUSES`` and the order on (received_at, id), either
    way, are what let the database read the queue from ``complaint_intake_queue_idx``, a partial
    index holding only those rows, instead of walking every complaint ever received.
    """
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
    return queryset.select_related("district", "entered_by").only(*INTAKE_COLUMNS).order_by(*order)


def intake_queue_counts(*, queue: QuerySet[Complaint]) -> dict[str, int]:
    """How many complaints of ``queue`` (from ``intake_queue_for_user``) are in each intake status.

    Exact, in one grouped read of the queue's partial index: its size is the intake backlog, which
    does not grow with the number of complaints ever filed.
    """
    counts = dict(queue.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in Complaint.INTAKE_STATUSES}


# --- Counts by status ---------------------------------------------------------------------------


def complaint_status_counts() -> dict[str, int]:
    """How many complaints there are in each status (statuses with none are absent), in all.

    Read from ``ComplaintStatusCount``, one row per status that database triggers on the
    complaints table keep exact through every insert, status change and delete, whoever makes it
    (services, ``QuerySet.update``, bulk demo seeding, the admin, raw SQL). Reading it costs the
    same at a thousand complaints or a million.
    """
    return dict(ComplaintStatusCount.objects.filter(total__gt=0).values_list("status", "total"))


def complaint_counts_by_status(*, user: Any) -> dict[str, int]:
    """How many complaints ``user`` can see in each status (statuses with none are absent).

    Mirrors ``complaint_visible_queryset`` branch by branch so that no branch counts a big set:

    * who sees every complaint (supervisors): the status counts table, whatever the size;
    * intake coordinators: the table for the intake and mediation statuses (they see all of
      those), plus their own grants in any other status, counted;
    * everyone else (investigators, board members): their grants, counted exactly; a caseload,
      not the table, found through the indexed direct permission rows.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    if _sees_all(user):
        return complaint_status_counts()
    granted = permissions.visible_for(user, "complaints.view_complaint", Complaint.objects.all())
    if user.has_perm("complaints.triage_complaint"):
        everywhere = complaint_status_counts()
        counts = {status: everywhere[status] for status in Complaint.TRIAGE_STATUSES if everywhere.get(status)}
        counts.update(_by_status(granted.exclude(status__in=Complaint.TRIAGE_STATUSES)))
        return counts
    return _by_status(granted)


def _sees_all(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active) and user.has_perm(
        "complaints.view_all_complaints"
    )


def _by_status(queryset: QuerySet[Complaint]) -> dict[str, int]:
    return dict(queryset.order_by().values_list("status").annotate(n=Count("id")))


def complaint_get_for_user(
    *, user: Any, tracking_number: str, perm: str = "view", related: tuple[str, ...] = ()
) -> Complaint:
    """The complaint, or ``Http404`` if ``user`` may not see it (never 403: that would confirm it
    exists), or ``PermissionDenied`` if they may see it but not ``perm`` it. Denials are audited.

    ``related`` names further one-to-one relations to load in the same query (the case pages
    load the investigation with the complaint)."""
    complaint = (
        Complaint.objects.select_related("district", "agency", *related).filter(tracking_number=tracking_number).first()
    )
    if complaint is not None and not complaint_visible_to(user, complaint):
        complaint = None
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
    """Parties of a complaint the user may already see; empty unless they may see personal data.

    The police employee who reported through the whistleblower channel is left out for a user
    without ``complaints.view_whistleblower_identity`` (``personal_data.EMPLOYEE_KIND``): a list of
    parties names each one (a page, the interview form's choices)."""
    if not personal_data.may_view(user, "parties"):
        return complaint.parties.none()
    parties = complaint.parties.all()
    if not personal_data.may_view(user, personal_data.EMPLOYEE_KIND):
        parties = parties.exclude(role=Party.Role.EMPLOYEE)
    return parties


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
    wrong number from a wrong code. A right code still stored in the old password-hash form is
    rewritten in the HMAC form on the way (``complaint_status_code_check``).
    """
    from .services import complaint_status_code_check
    from .stages import CLOSING_REASONS, USUAL_PATH, PublicStage, public_stage

    complaint = Complaint.objects.filter(tracking_number=tracking_number).first()
    if not complaint_status_code_check(complaint=complaint, code=code):
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
