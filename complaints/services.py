"""Every write to the complaint domain. Views, commands and other apps call these, never ``save()``."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight import audit
from oversight.storage import files_removed_on_failure, note_written

from . import uploads
from .models import (
    Allegation,
    AllegationCategory,
    Attachment,
    Complaint,
    Party,
    SubjectOfficer,
    TrackingSequence,
)


def tracking_number_issue(*, received_at: datetime, prefix: str | None = None) -> str:
    """Issue the next tracking number for the year of ``received_at`` (local time).

    Must run inside the transaction that creates the complaint: the sequence row is locked until
    that transaction ends, so concurrent creations queue up, and a rollback gives the number back.
    Numbers are therefore unique and gap-free per prefix and year.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("tracking_number_issue must run inside transaction.atomic()")
    prefix = prefix or settings.TRACKING_NUMBER_PREFIX
    year = timezone.localtime(received_at).year
    try:
        with transaction.atomic():
            TrackingSequence.objects.get_or_create(prefix=prefix, year=year)
    except IntegrityError:
        pass  # Another transaction created the row first; it exists now.
    sequence = TrackingSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return format_tracking_number(prefix, year, sequence.last_number)


def format_tracking_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:05d}"


@dataclass
class PartyData:
    role: str
    first_name: str = ""
    last_name: str = ""
    description: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    preferred_contact: str = Party.ContactMethod.EMAIL
    preferred_language: str = "en"
    race_ethnicity: str = ""
    gender: str = ""
    age_range: str = ""


@dataclass
class SubjectData:
    officer_id: int | None = None
    name_as_given: str = ""
    badge_as_given: str = ""
    appearance: str = ""
    vehicle: str = ""
    unit_as_given: str = ""
    category_codes: list[str] = field(default_factory=list)


def complaint_create(
    *,
    narrative: str,
    channel: str = Complaint.Channel.WEB,
    language: str = "en",
    anonymity: str = Complaint.Anonymity.NAMED,
    received_at: datetime | None = None,
    incident_date: date | None = None,
    incident_date_precision: str = Complaint.Precision.EXACT,
    incident_time: time | None = None,
    incident_time_precision: str = Complaint.Precision.UNKNOWN,
    location_text: str = "",
    district_id: int | None = None,
    agency_id: int | None = None,
    parties: list[PartyData] | None = None,
    subjects: list[SubjectData] | None = None,
    actor: Any = None,
    idempotency_key: str | None = None,
) -> Complaint:
    """Create a complaint with its parties, subject officers and allegations in one transaction.

    Rules: the narrative is required; the language must be one the platform offers; an anonymous
    complaint stores no complainant or third-party identity at all (such parties are refused, not
    silently dropped). A second call with the same idempotency key returns the first complaint.
    """
    if idempotency_key:
        existing = Complaint.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationError({"narrative": _("Tell us what happened.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    parties = parties or []
    if anonymity == Complaint.Anonymity.ANONYMOUS and any(
        p.role in (Party.Role.COMPLAINANT, Party.Role.THIRD_PARTY) for p in parties
    ):
        raise ValidationError(_("An anonymous complaint cannot record who filed it."))
    received_at = received_at or timezone.now()
    try:
        with transaction.atomic():
            complaint = Complaint(
                tracking_number=tracking_number_issue(received_at=received_at),
                channel=channel,
                received_at=received_at,
                status_changed_at=received_at,
                incident_date=incident_date,
                incident_date_precision=incident_date_precision,
                incident_time=incident_time,
                incident_time_precision=incident_time_precision,
                location_text=location_text,
                district_id=district_id,
                agency_id=agency_id,
                narrative=narrative,
                language=language,
                anonymity=anonymity,
                entered_by=actor if getattr(actor, "is_authenticated", False) else None,
                idempotency_key=idempotency_key or None,
            )
            complaint.full_clean(exclude=["tracking_number", "idempotency_key"])
            complaint.save()
            for data in parties:
                party = Party(complaint=complaint, **data.__dict__)
                party.full_clean()
                party.save()
            _subjects_create(complaint, subjects or [])
            audit.record(
                "complaint.created",
                target=complaint,
                actor=actor,
                data={"channel": channel, "anonymity": anonymity, "language": language},
            )
    except IntegrityError:
        if idempotency_key:
            # The same submission won a race in another request: return what it created.
            existing = Complaint.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise
    return complaint


def _subjects_create(complaint: Complaint, subjects: list[SubjectData]) -> None:
    codes = {code for s in subjects for code in s.category_codes}
    categories = {c.code: c for c in AllegationCategory.objects.filter(code__in=codes, is_active=True)}
    unknown = codes - categories.keys()
    if unknown:
        raise ValidationError(_("Unknown misconduct category: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    for data in subjects:
        subject = SubjectOfficer.objects.create(
            complaint=complaint,
            officer_id=data.officer_id,
            name_as_given=data.name_as_given,
            badge_as_given=data.badge_as_given,
            appearance=data.appearance,
            vehicle=data.vehicle,
            unit_as_given=data.unit_as_given,
        )
        for code in data.category_codes or [None]:
            Allegation.objects.create(
                complaint=complaint,
                subject_officer=subject,
                category=categories.get(code) if code else None,
            )


def attachment_add(*, complaint: Complaint, stream: IO[bytes], original_name: str, actor: Any = None) -> Attachment:
    """Store one file for a complaint after checking what it really is.

    The type is sniffed from the bytes and must be on the allow-list; the size must be within
    ATTACHMENT_MAX_BYTES. The file is stored under a random key and its SHA-256 recorded once.
    Call inside ``files_removed_on_failure()`` so a failed transaction leaves no file behind.
    """
    info = uploads.inspect(stream)
    if info.size == 0:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": original_name})
    if info.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file %(name)s is too large. The limit is %(limit)d MB.")
            % {"name": original_name, "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    if info.content_type not in uploads.ALLOWED_TYPES:
        raise ValidationError(
            _("The file %(name)s is not a kind we can accept. Send photos, PDFs, audio, video or office documents.")
            % {"name": original_name}
        )
    attachment = Attachment(
        complaint=complaint,
        original_name=_safe_display_name(original_name),
        size=info.size,
        content_type=info.content_type,
        sha256=info.sha256,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    attachment.file.save("upload", File(stream), save=False)
    note_written(attachment.file.storage, attachment.file.name)
    attachment.save()
    audit.record(
        "attachment.stored",
        target=complaint,
        actor=actor,
        data={"sha256": info.sha256, "size": info.size, "content_type": info.content_type},
    )
    return attachment


def _safe_display_name(name: str) -> str:
    # Kept as data only; strip any path a browser or attacker sent along.
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (base or "file")[:255]


__all__ = [
    "PartyData",
    "SubjectData",
    "attachment_add",
    "complaint_create",
    "files_removed_on_failure",
    "format_tracking_number",
    "tracking_number_issue",
]
