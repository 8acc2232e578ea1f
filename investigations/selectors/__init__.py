"""Reads for the case workspace, scoped to the user asking, split by subject.

Views load what they show from here: each selector returns a queryset already narrowed to the
case (and related rows loaded for the page that uses it), or one object, or ``Http404``.
"""

from ..workflow import can_work
from .case import (
    allegation_get_for_case,
    assignment_get_for_case,
    case_attachments,
    case_find_visible,
    case_get_for_user,
    case_investigation,
    case_notes,
    case_parties,
    case_status_changes,
    case_subject_officers,
    case_subjects_with_allegations,
    case_visible_to,
    cases_assigned_to,
    complaint_available_transitions,
    eligible_investigators,
    investigation_active_assignments,
    investigation_get_for_case,
    may_transition,
    subject_officer_get_for_case,
)
from .dashboard import (
    DeadlineWatch,
    case_counts_by_status,
    cases_assigned_with_deadlines,
    cases_sent_back_count,
    investigations_overdue_or_due_soon,
)
from .deadlines import investigation_tolling_periods, tolling_period_get_for_case
from .evidence import custody_chain, evidence_choices_for_case, evidence_get_for_case, evidence_list_for_case
from .findings import findings_allegations_for_case, findings_last_sent_back, findings_missing
from .history import HistoryEntry, case_history_entries
from .interviews import interview_list_for_case, interviewers_for_case
from .subpoenas import (
    subpoena_events,
    subpoena_evidence_choices,
    subpoena_get_for_case,
    subpoena_list_for_case,
    subpoena_returns,
)

__all__ = [
    "DeadlineWatch",
    "HistoryEntry",
    "allegation_get_for_case",
    "assignment_get_for_case",
    "can_work",
    "case_attachments",
    "case_counts_by_status",
    "case_find_visible",
    "case_get_for_user",
    "case_history_entries",
    "case_investigation",
    "case_notes",
    "case_parties",
    "case_status_changes",
    "case_subject_officers",
    "case_subjects_with_allegations",
    "case_visible_to",
    "cases_assigned_to",
    "cases_assigned_with_deadlines",
    "cases_sent_back_count",
    "complaint_available_transitions",
    "custody_chain",
    "eligible_investigators",
    "evidence_choices_for_case",
    "evidence_get_for_case",
    "evidence_list_for_case",
    "findings_allegations_for_case",
    "findings_last_sent_back",
    "findings_missing",
    "interview_list_for_case",
    "interviewers_for_case",
    "investigation_active_assignments",
    "investigation_get_for_case",
    "investigation_tolling_periods",
    "investigations_overdue_or_due_soon",
    "may_transition",
    "subject_officer_get_for_case",
    "subpoena_evidence_choices",
    "subpoena_events",
    "subpoena_get_for_case",
    "subpoena_list_for_case",
    "subpoena_returns",
    "tolling_period_get_for_case",
]
