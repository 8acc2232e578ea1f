"""Board review's background work: the complainant's decision notice, the members' referral emails
and large board packets."""

from celery import shared_task

from investigations.tasks import _contactable_filer
from oversight.notifications import notify_once


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_decision_notification(decision_id: int) -> bool:
    """Tell the complainant, in their language, the board's final finding on each allegation in
    plain words and what happens next. Nothing for anonymous or uncontactable complaints; nothing for
    a remand. A correction sends a new notice."""
    from investigations.outcomes import OUTCOME_SENTENCES

    from .models import BoardDecision

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
        template="board/email/complainant_decided",
        context={
            "name": filer.first_name,
            "tracking_number": complaint.tracking_number,
            "outcomes": outcomes,
            "any_sustained": any(o["sustained"] for o in outcomes),
            "corrected": decision.corrects_id is not None,
        },
        language=language,
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_referral_notifications(complaint_id: int, base_url: str = "") -> int:
    """Email the board members a case was referred to, once each per referral, in their language."""
    from .services.review import board_referral_notify

    return board_referral_notify(complaint_id=complaint_id, base_url=base_url)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def build_board_packet(document_id: int, language: str | None = None) -> bool:
    """Build a large case's board packet into private storage for the member who asked for it, in
    ``language`` (a task queued without one: the member's preferred language)."""
    import logging

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from investigations.models import GeneratedDocument
    from oversight.staff_accounts.selectors import preferred_language

    from .documents import BoardPacket

    document = (
        GeneratedDocument.objects.select_related("complaint", "requested_by__staff_preference")
        .filter(pk=document_id)
        .first()
    )
    if document is None or document.ready_at is not None:
        return False
    try:
        language = language or preferred_language(document.requested_by)
        content = BoardPacket(document.complaint, language=language).render()
    except Exception:
        logging.getLogger(__name__).exception("Board packet %s could not be built", document_id)
        GeneratedDocument.objects.filter(pk=document_id).update(failed=True)
        raise
    document.file.save("packet.pdf", ContentFile(content), save=False)
    GeneratedDocument.objects.filter(pk=document_id).update(file=document.file.name, ready_at=timezone.now())
    return True
