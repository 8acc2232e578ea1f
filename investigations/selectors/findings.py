"""Reads for the findings page. The case itself is already scoped by ``case_get_for_user``."""

from typing import Any

from django.db.models import Count

from complaints.models import Allegation, Complaint

from ..models import Investigation, StatusChange

S = Complaint.Status


def findings_allegations_for_case(*, complaint: Complaint) -> list[Allegation]:
    """The case's allegations with officer, category and finding loaded, in one query."""
    return list(
        Allegation.objects.filter(complaint=complaint)
        .select_related("subject_officer__officer", "category__parent", "finding", "finding__proposed_by")
        .order_by("subject_officer_id", "id")
    )


def findings_last_sent_back(*, complaint: Complaint) -> StatusChange | None:
    """The supervisor's latest send-back (with its reason), if the findings are back with the investigator."""
    if complaint.status != S.UNDER_INVESTIGATION:
        return None
    latest = (
        StatusChange.objects.filter(complaint=complaint, to_status=S.UNDER_INVESTIGATION)
        .order_by("-created_at", "-id")
        .first()
    )
    return latest if latest is not None and latest.action in {"send_back", "remand"} else None


def findings_missing(*, complaint: Complaint) -> dict[str, Any]:
    """What still stops the findings being submitted: allegations without a proposal, a missing
    public summary. Two queries."""
    counts = Allegation.objects.filter(complaint=complaint).aggregate(total=Count("id"), proposed=Count("finding"))
    summary = Investigation.objects.filter(complaint=complaint).values_list("public_summary", flat=True).first() or ""
    return {
        "allegations": counts["total"],
        "without_proposal": counts["total"] - counts["proposed"],
        "summary_missing": not summary.strip(),
    }
