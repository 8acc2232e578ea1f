from celery import shared_task
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, Party
from oversight.notifications import notify_once

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
        InvestigatorAssignment.objects.select_related("investigator", "investigation__complaint")
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
        language="en",
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


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_decision_notification(decision_id: int) -> bool:
    """Tell the complainant, in their language, the board's final finding on each allegation in
    plain words and what happens next. Nothing for anonymous or uncontactable complaints; nothing for
    a remand. A correction sends a new notice."""
    from .models import BoardDecision
    from .outcomes import OUTCOME_SENTENCES

    decision = (
        BoardDecision.objects.select_related("complaint")
        .prefetch_related("findings__finding__allegation__category")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or decision.kind == BoardDecision.Kind.REMAND:
        return False
    complaint = decision.complaint
    filer = _contactable_filer(complaint)
    if filer is None:
        return False
    language = filer.preferred_language or complaint.language
    outcomes = [
        {
            "category": (
                final.finding.allegation.category.localized_name(language)
                if final.finding.allegation.category_id
                else ""
            ),
            "disposition": final.get_final_disposition_display,
            "sentence": OUTCOME_SENTENCES.get(final.final_disposition, ""),
            "sustained": final.final_disposition == "sustained",
        }
        for final in sorted(decision.findings.all(), key=lambda f: f.finding.allegation_id)
    ]
    return notify_once(
        key=f"decision:{decision.pk}:{filer.email}",
        to=filer.email,
        template="investigations/email/complainant_decided",
        context={
            "name": filer.first_name,
            "tracking_number": complaint.tracking_number,
            "outcomes": outcomes,
            "any_sustained": any(o["sustained"] for o in outcomes),
            "corrected": decision.corrects_id is not None,
        },
        language=language,
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def build_board_packet(document_id: int) -> bool:
    """Build a large case's board packet into private storage for the member who asked for it."""
    import logging

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from .documents import BoardPacket
    from .models import GeneratedDocument

    document = GeneratedDocument.objects.select_related("complaint").filter(pk=document_id).first()
    if document is None or document.ready_at is not None:
        return False
    try:
        content = BoardPacket(document.complaint).render()
    except Exception:
        logging.getLogger(__name__).exception("Board packet %s could not be built", document_id)
        GeneratedDocument.objects.filter(pk=document_id).update(failed=True)
        raise
    document.file.save("packet.pdf", ContentFile(content), save=False)
    GeneratedDocument.objects.filter(pk=document_id).update(file=document.file.name, ready_at=timezone.now())
    return True
