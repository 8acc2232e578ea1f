from celery import shared_task
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, Party
from oversight.notifications import notify_once
from oversight.staff_accounts.selectors import preferred_language

from .models import InvestigatorAssignment, StatusChange

S = Complaint.Status

# Which moves the complainant hears about, and the email for each.
COMPLAINANT_NOTICES = {
    S.UNDER_INVESTIGATION: "accepted",
    S.REFERRED: "referred",
    S.IN_MEDIATION: "mediation",
    S.ADMINISTRATIVELY_CLOSED: "closed",
    S.MEDIATED: "closed",
    S.CLOSED: "closed",
}

CLOSURE_SENTENCES = {
    "no_jurisdiction": _("The complaint is about something outside what we are allowed to investigate."),
    "duplicate": _("The same events are already being handled in another complaint."),
    "withdrawn": _("You asked us to withdraw the complaint."),
    "insufficient_information": _("We did not have enough information to investigate."),
}


def _contactable_filer(complaint: Complaint) -> Party | None:
    if complaint.is_anonymous:
        return None
    return (
        complaint.parties.filter(role__in=[Party.Role.COMPLAINANT, Party.Role.THIRD_PARTY])
        .exclude(email="")
        .exclude(preferred_contact=Party.ContactMethod.NONE)
        .order_by("id")
        .first()
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_status_notifications(status_change_id: int) -> int:
    """Tell the complainant, in their language, when their complaint is accepted, referred,
    offered mediation or closed. No internal details; nothing for anonymous complaints."""
    change = StatusChange.objects.select_related("complaint").filter(pk=status_change_id).first()
    if change is None:
        return 0
    kind = COMPLAINANT_NOTICES.get(change.to_status)
    if kind is None or change.action in {"send_back", "reopen", "remand"}:
        return 0
    complaint = change.complaint
    filer = _contactable_filer(complaint)
    if filer is None:
        return 0
    sent = notify_once(
        key=f"status:{change.pk}:{filer.email}",
        to=filer.email,
        template=f"investigations/email/complainant_{kind}",
        context={
            "name": filer.first_name,
            "tracking_number": complaint.tracking_number,
            "referred_to": complaint.referred_to,
            "closure_sentence": CLOSURE_SENTENCES.get(complaint.closure_reason, ""),
            "mediated": change.to_status == S.MEDIATED,
        },
        language=filer.preferred_language or complaint.language,
    )
    return int(sent)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_assignment_notification(assignment_id: int) -> bool:
    assignment = (
        InvestigatorAssignment.objects.select_related("investigator__staff_preference", "investigation__complaint")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not assignment.investigator.email:
        return False
    return notify_once(
        key=f"assignment:{assignment.pk}",
        to=assignment.investigator.email,
        template="investigations/email/investigator_assigned",
        context={
            "name": assignment.investigator.first_name or assignment.investigator.get_username(),
            "tracking_number": assignment.investigation.complaint.tracking_number,
            "is_lead": assignment.is_lead,
        },
        language=preferred_language(assignment.investigator),
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_deadline_reminders(today: str | None = None) -> int:
    """The daily deadline reminders (investigations/reminders.py). A failed email raises so the task
    is retried; a retry sends only what failed. Returns the number of emails sent."""
    from datetime import date

    from .reminders import deadline_reminders_send

    run = deadline_reminders_send(today=date.fromisoformat(today) if today else None)
    run.raise_for_failures()
    return run.emails
