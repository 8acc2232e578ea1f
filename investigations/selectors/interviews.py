"""Reads for the interviews page. The case itself is already scoped by ``case_get_for_user``."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from complaints.models import Complaint
from oversight import permissions

from ..models import EvidenceItem, Interview


def interview_list_for_case(*, complaint: Complaint) -> QuerySet[Interview]:
    """A case's interviews, newest first, with interviewer and recordings loaded in fixed queries."""
    return (
        Interview.objects.filter(complaint=complaint)
        .select_related("interviewer", "party", "subject_officer__officer")
        .prefetch_related(Prefetch("recordings", queryset=EvidenceItem.objects.order_by("number")))
        .order_by("-conducted_at", "-id")
    )


def interviewers_for_case(*, complaint: Complaint) -> QuerySet:
    """Active users who may be named as interviewer: those who may work the case, and supervisors."""
    workers = [u.pk for u in permissions.users_with_access(complaint, "complaints.change_complaint")]
    supervisors = Q(
        groups__permissions__codename="view_all_complaints",
        groups__permissions__content_type__app_label="complaints",
    ) | Q(
        user_permissions__codename="view_all_complaints",
        user_permissions__content_type__app_label="complaints",
    )
    return (
        get_user_model()
        .objects.filter(Q(pk__in=workers) | supervisors, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
