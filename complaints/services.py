"""Every write to the complaint domain. Views, commands and other apps call these, never ``save()``."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight import audit, scanning
from oversight.storage import files_removed_on_failure, note_written

from . import status_codes, uploads
from .models import (
    Allegation,
    AllegationCategory,
    Attachment,
    Complaint,
    Party,
    PublicTimelineEntry,
    SubjectOfficer,
    TrackingSequence,
)
from .status_codes import normalise_status_code


def tracking_number_issue(*, received_at: datetime, prefix: str | None = None) -> str:
    """Issue the next tracking number for the year of ``received_at`` (local time).

    Must run inside the transaction that creates the complaint: the sequence row is locked until
    that transaction ends, so concurrent creations queue up, and a rollback gives the number back.
    Numbers are therefore unique and gap-free per prefix and year. Keep that transaction to the
    inserts: hash and store files before it, or every other creation waits for them.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("tracking_number_issue must run inside transaction.atomic()")
    prefix = prefix or settings.TRACKING_NUMBER_PREFIX
    year = timezone.localtime(received_at).year
    locked = TrackingSequence.objects.select_for_update()
    sequence = locked.filter(prefix=prefix, year=year).first()
    if sequence is None:
        # The year's first number: create the row (in a savepoint, as a concurrent first
        # creation may win the insert), then lock it like any other.
        try:
            with transaction.atomic():
                TrackingSequence.objects.get_or_create(prefix=prefix, year=year)
        except IntegrityError:
            pass  # Another transaction created the row first; it exists now.
        sequence = locked.get(prefix=prefix, year=year)
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
    plan = _complaint_plan(
        narrative=narrative,
        channel=channel,
        language=language,
        anonymity=anonymity,
        received_at=received_at,
        incident_date=incident_date,
        incident_date_precision=incident_date_precision,
        incident_time=incident_time,
        incident_time_precision=incident_time_precision,
        location_text=location_text,
        district_id=district_id,
        agency_id=agency_id,
        parties=parties or [],
        subjects=subjects or [],
        actor=actor,
        idempotency_key=idempotency_key,
    )
    try:
        with transaction.atomic():
            return _complaint_insert(plan, actor=actor)
    except IntegrityError:
        if idempotency_key:
            # The same submission won a race in another request: return what it created.
            existing = Complaint.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise


@dataclass
class _ComplaintPlan:
    """A complaint and its parts, validated and not yet saved: all that is left is to take a
    tracking number and insert the rows."""

    complaint: Complaint
    parties: list[Party]
    subjects: list[SubjectData]
    categories: dict[str, AllegationCategory]


def _complaint_plan(
    *,
    narrative: str,
    channel: str,
    language: str,
    anonymity: str,
    received_at: datetime | None,
    incident_date: date | None,
    incident_date_precision: str,
    incident_time: time | None,
    incident_time_precision: str,
    location_text: str,
    district_id: int | None,
    agency_id: int | None,
    parties: list[PartyData],
    subjects: list[SubjectData],
    actor: Any,
    idempotency_key: str | None,
    status_code_hash: str = "",
    consent_id: int | None = None,
) -> _ComplaintPlan:
    """Validate everything a complaint needs, writing nothing; raises ValidationError."""
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationError({"narrative": _("Tell us what happened.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    if anonymity == Complaint.Anonymity.ANONYMOUS and any(
        p.role in (Party.Role.COMPLAINANT, Party.Role.THIRD_PARTY) for p in parties
    ):
        raise ValidationError(_("An anonymous complaint cannot record who filed it."))
    received_at = received_at or timezone.now()
    complaint = Complaint(
        narrative=narrative,
        channel=channel,
        language=language,
        anonymity=anonymity,
        received_at=received_at,
        status_changed_at=received_at,
        incident_date=incident_date,
        incident_date_precision=incident_date_precision,
        incident_time=incident_time,
        incident_time_precision=incident_time_precision,
        location_text=location_text,
        district_id=district_id,
        agency_id=agency_id,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        idempotency_key=idempotency_key or None,
        status_code_hash=status_code_hash,
        consent_id=consent_id,
    )
    complaint.full_clean(exclude=["tracking_number", "idempotency_key", "entered_by"])
    party_rows = []
    for data in parties:
        party = Party(**data.__dict__)
        party.full_clean(exclude=["complaint"])
        party_rows.append(party)
    codes = {code for s in subjects for code in s.category_codes}
    categories = {c.code: c for c in AllegationCategory.objects.filter(code__in=codes, is_active=True)}
    unknown = codes - categories.keys()
    if unknown:
        raise ValidationError(_("Unknown misconduct category: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    return _ComplaintPlan(complaint=complaint, parties=party_rows, subjects=subjects, categories=categories)


def _complaint_insert(plan: _ComplaintPlan, *, actor: Any) -> Complaint:
    """Take a tracking number and insert a planned complaint and its parts; raises IntegrityError
    on a duplicate idempotency key. The sequence row stays locked until the caller's transaction
    ends, so nothing slow may follow this inside it."""
    complaint = plan.complaint
    complaint.tracking_number = tracking_number_issue(received_at=complaint.received_at)
    complaint.save()
    for party in plan.parties:
        party.complaint = complaint
        party.save()
    for data in plan.subjects:
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
                category=plan.categories.get(code) if code else None,
            )
    audit.record(
        "complaint.created",
        target=complaint,
        actor=actor,
        data={"channel": complaint.channel, "anonymity": complaint.anonymity, "language": complaint.language},
    )
    return complaint


def attachment_add(*, complaint: Complaint, stream: IO[bytes], original_name: str, actor: Any = None) -> Attachment:
    """Store one file for a complaint after checking what it really is.

    The type is sniffed from the bytes and must be on the allow-list; an image, PDF or text file
    holding web page or script markup anywhere is refused; the size must be within
    ATTACHMENT_MAX_BYTES. The file is stored under a random key and its SHA-256 recorded once. It
    stays in quarantine until the virus scan, queued for after commit, finds it clean.
    Call inside ``files_removed_on_failure()`` so a failed transaction leaves no file behind.
    """
    info = _attachment_check(stream, original_name)
    attachment = _attachment_store(stream, original_name, info, actor=actor)
    return _attachment_record(attachment, complaint=complaint, actor=actor)


@dataclass(frozen=True)
class CheckedFile:
    """A file that was sniffed, measured and hashed when the resident uploaded it (to an intake
    draft): its stream, the name they gave it, and what ``uploads.inspect`` found then.

    ``complaint_submit`` stores it without a separate checking pass: it is hashed as it is copied,
    and refused if the copy no longer matches what was found.
    """

    stream: IO[bytes]
    name: str
    inspected: uploads.Inspected


def _attachment_check(stream: IO[bytes], original_name: str) -> uploads.Inspected:
    """Sniff, measure and hash a file; raises ValidationError when it may not be accepted."""
    info = uploads.inspect(stream)
    _attachment_refuse(info, original_name)
    return info


def _attachment_refuse(info: uploads.Inspected, original_name: str) -> None:
    """Raise ValidationError when a file like ``info`` may not be accepted."""
    if info.size == 0:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": original_name})
    if info.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file %(name)s is too large. The limit is %(limit)d MB.")
            % {"name": original_name, "limit": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        )
    if info.content_type == uploads.MARKUP_TYPE:
        raise ValidationError(
            _(
                "The file %(name)s contains web page or script code, so we cannot accept it. "
                "Send the photo, document or recording itself, or a screenshot of a web page."
            )
            % {"name": original_name}
        )
    if info.content_type not in uploads.ALLOWED_TYPES:
        raise ValidationError(
            _("The file %(name)s is not a kind we can accept. Send photos, PDFs, audio, video or office documents.")
            % {"name": original_name}
        )


def _attachment_store(stream: IO[bytes], original_name: str, info: uploads.Inspected, *, actor: Any) -> Attachment:
    """Write a checked file to private storage and return its row, not yet saved or linked.

    The write is noted for ``files_removed_on_failure()``, which must surround this call.
    """
    attachment = Attachment(
        original_name=safe_display_name(original_name),
        size=info.size,
        content_type=info.content_type,
        sha256=info.sha256,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        scan_state=scanning.initial_state(),
    )
    attachment.file.save("upload", File(stream), save=False)
    note_written(attachment.file.storage, attachment.file.name)
    return attachment


def _attachment_store_checked(checked: CheckedFile, *, actor: Any) -> Attachment:
    """Store a file checked at upload, hashing it as it is copied; raises ValidationError (after
    the copy, so inside ``files_removed_on_failure()``, which removes it) if the bytes copied are
    not the bytes that were checked. Should the storage not read the stream once from start to
    end, the stream is read again to check it."""
    reader = uploads.HashingReader(checked.stream)
    attachment = _attachment_store(reader, checked.name, checked.inspected, actor=actor)
    if reader.sequential:
        copied = (reader.bytes_read, reader.hexdigest())
    else:
        again = uploads.inspect(checked.stream)
        copied = (again.size, again.sha256)
    if copied != (checked.inspected.size, checked.inspected.sha256):
        raise ValidationError(
            _("The file %(name)s changed after it was added. Remove it and add it again.") % {"name": checked.name}
        )
    return attachment


def _attachment_record(attachment: Attachment, *, complaint: Complaint, actor: Any) -> Attachment:
    """Save the row and, when a scanner is configured, queue its virus scan for after commit."""
    attachment.complaint = complaint
    attachment.save()
    audit.record(
        "attachment.stored",
        target=complaint,
        actor=actor,
        data={
            "sha256": attachment.sha256,
            "size": attachment.size,
            "content_type": attachment.content_type,
            "scan_state": attachment.scan_state,
        },
    )
    if attachment.scan_state == scanning.ScanState.PENDING:
        scanning.scan_queue(attachment.file.name)
    return attachment


def safe_display_name(name: str) -> str:
    # Kept as data only; strip any path a browser or attacker sent along.
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (base or "file")[:255]


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _time_or_none(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _parties_from_form(
    about: dict[str, Any], witnesses: list[dict[str, Any]], language: str
) -> tuple[str, list[PartyData]]:
    filing_as = about.get("filing_as", "self")
    contact = {
        "email": about.get("email", ""),
        "phone": about.get("phone", ""),
        "address": about.get("address", ""),
        "preferred_contact": about.get("preferred_contact") or Party.ContactMethod.EMAIL,
        "preferred_language": about.get("preferred_language") or language,
    }
    demographics = {key: about.get(key, "") for key in ("race_ethnicity", "gender", "age_range")}
    parties: list[PartyData] = []
    if filing_as == "anonymous":
        anonymity = Complaint.Anonymity.ANONYMOUS
    else:
        anonymity = Complaint.Anonymity.CONFIDENTIAL if about.get("confidential") else Complaint.Anonymity.NAMED
        role = Party.Role.THIRD_PARTY if filing_as == "someone_else" else Party.Role.COMPLAINANT
        parties.append(
            PartyData(
                role=role,
                first_name=about.get("first_name", ""),
                last_name=about.get("last_name", ""),
                **contact,
                **demographics,
            )
        )
        if filing_as == "someone_else" and (about.get("victim_first_name") or about.get("victim_last_name")):
            parties.append(
                PartyData(
                    role=Party.Role.VICTIM,
                    first_name=about.get("victim_first_name", ""),
                    last_name=about.get("victim_last_name", ""),
                    description=about.get("victim_contact", ""),
                    preferred_contact=Party.ContactMethod.NONE,
                    preferred_language=language,
                )
            )
    for witness in witnesses:
        parties.append(
            PartyData(
                role=Party.Role.WITNESS,
                first_name=witness.get("first_name", ""),
                last_name=witness.get("last_name", ""),
                email=witness.get("email", ""),
                phone=witness.get("phone", ""),
                description=witness.get("description", ""),
                preferred_contact=Party.ContactMethod.NONE,
                preferred_language=language,
            )
        )
    return anonymity, parties


def _subjects_from_form(officers: list[dict[str, Any]], kinds: list[str]) -> list[SubjectData]:
    from .taxonomy import CATEGORY_FOR_KIND

    codes = [CATEGORY_FOR_KIND[kind] for kind in kinds if kind in CATEGORY_FOR_KIND]
    officers = officers or [{"known": "unknown"}]
    return [
        SubjectData(
            name_as_given=o.get("name", ""),
            badge_as_given=o.get("badge", ""),
            appearance=o.get("appearance", ""),
            vehicle=o.get("vehicle", ""),
            unit_as_given=o.get("unit", ""),
            category_codes=codes,
        )
        for o in officers
    ]


def complaint_form_plan(
    form_data: dict[str, Any],
    *,
    parties: list[PartyData],
    anonymity: str,
    channel: str,
    language: str,
    received_at: datetime | None,
    actor: Any,
    idempotency_key: str,
    status_code: str,
) -> _ComplaintPlan:
    """The complaint the intake form's answers describe, with ``parties``, validated and not
    saved: the first half of every public submission (``complaint_submit``, and the police
    employee's report in ``whistleblower``)."""
    incident = form_data.get("incident", {})
    return _complaint_plan(
        narrative=incident.get("narrative", ""),
        channel=channel,
        language=language,
        anonymity=anonymity,
        received_at=received_at,
        incident_date=_date_or_none(incident.get("date")),
        incident_date_precision=incident.get("date_precision") or Complaint.Precision.EXACT,
        incident_time=_time_or_none(incident.get("time")),
        incident_time_precision=incident.get("time_precision") or Complaint.Precision.UNKNOWN,
        location_text=incident.get("location", ""),
        district_id=incident.get("district_id"),
        agency_id=None,
        parties=parties,
        subjects=_subjects_from_form(form_data.get("officers", []), form_data.get("kinds", [])),
        actor=actor,
        idempotency_key=idempotency_key,
        status_code_hash=status_codes.status_code_digest(status_code),
        consent_id=form_data.get("consent", {}).get("consent_id"),
    )


def complaint_submit(
    *,
    form_data: dict[str, Any],
    files: list[tuple[IO[bytes], str] | CheckedFile],
    language: str,
    idempotency_key: str,
    status_code: str,
    channel: str = Complaint.Channel.WEB,
    actor: Any = None,
    received_at: datetime | None = None,
) -> Complaint:
    """File a complaint from the intake form, with its files, exactly once.

    The slow work comes first and outside any transaction: the status code is hashed, every part
    is validated and every file is checked, hashed and stored (a ``CheckedFile``, checked when it
    was uploaded, is hashed as it is copied, in the same pass). Then one short transaction takes
    the tracking number (which locks the sequence row until it ends, so every other submission
    waits for it) and inserts the complaint, its parties, officers, allegations, attachments, the
    first public timeline entry and the audit event. Call it outside any transaction, or the lock
    lasts as long as the caller's.

    The file writes and the transaction share one ``files_removed_on_failure()`` guard, so a
    failure at any point, commit included, leaves neither a row nor a file. A second call with
    the same idempotency key (a double click, a retry after a timeout, a second tab) returns the
    first complaint and keeps nothing of its own. The status code is kept only as a keyed HMAC.
    The receipt email is queued after commit.
    """
    from oversight.tasks import enqueue

    from .tasks import send_receipt_email

    existing = Complaint.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    anonymity, parties = _parties_from_form(form_data.get("about", {}), form_data.get("witnesses", []), language)
    plan = complaint_form_plan(
        form_data,
        parties=parties,
        anonymity=anonymity,
        channel=channel,
        language=language,
        received_at=received_at,
        actor=actor,
        idempotency_key=idempotency_key,
        status_code=status_code,
    )
    return complaint_planned_file(
        plan,
        files,
        actor=actor,
        submitted={"channel": channel, "anonymity": anonymity, "language": language, "files": len(files)},
        on_insert=lambda complaint: enqueue(send_receipt_email, complaint.pk),
    )


def complaint_planned_file(
    plan: _ComplaintPlan,
    files: list[tuple[IO[bytes], str] | CheckedFile],
    *,
    actor: Any,
    submitted: dict[str, Any],
    on_insert: Callable[[Complaint], None] | None = None,
) -> Complaint:
    """The second half of every public submission (a resident's complaint, a police employee's
    report): check and store the files, then insert the planned complaint, its files, the first
    public timeline entry and ``complaint.submitted`` (with ``submitted`` as its data) in one
    transaction, and call ``on_insert`` inside it. A failure leaves neither a row nor a file; losing
    a race on the plan's idempotency key returns the winner."""
    from .stages import PublicStage

    idempotency_key = plan.complaint.idempotency_key
    # (file, whether its copy must be checked against what was found at upload)
    checked: list[tuple[CheckedFile, bool]] = []
    for file in files:
        if isinstance(file, CheckedFile):
            _attachment_refuse(file.inspected, file.name)
            checked.append((file, True))
        else:
            stream, name = file
            checked.append((CheckedFile(stream, name, _attachment_check(stream, name)), False))
    try:
        with files_removed_on_failure():
            stored = [
                _attachment_store_checked(file, actor=actor)
                if verify
                else _attachment_store(file.stream, file.name, file.inspected, actor=actor)
                for file, verify in checked
            ]
            with transaction.atomic():
                complaint = _complaint_insert(plan, actor=actor)
                for attachment in stored:
                    _attachment_record(attachment, complaint=complaint, actor=actor)
                PublicTimelineEntry.objects.create(
                    complaint=complaint, stage=PublicStage.RECEIVED, occurred_at=complaint.received_at
                )
                audit.record("complaint.submitted", target=complaint, actor=actor, data=submitted)
                if on_insert is not None:
                    on_insert(complaint)
    except IntegrityError:
        # The same submission won a race in another request: that one is the complaint.
        existing = Complaint.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
    return complaint


STATUS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def status_code_new() -> str:
    """A fresh status code like ``K7QM-2XPD-9TRA`` (60 bits), for the resident to keep."""
    import secrets

    raw = "".join(secrets.choice(STATUS_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def complaint_status_code_check(*, complaint: Complaint | None, code: str) -> bool:
    """Whether ``code`` opens ``complaint``'s public status.

    A missing complaint costs the same HMAC as a wrong code, so the timing does not tell a wrong
    number from a wrong code. A code still stored as a password hash from before the HMAC form is
    checked at that hash's cost and, when right, rewritten in the HMAC form, so the slow path
    goes away as residents come back. The rewrite is conditional on the old value, so two
    concurrent lookups cannot overwrite anything else.
    """
    stored = complaint.status_code_hash if complaint is not None else ""
    if not status_codes.status_code_matches(code, stored):
        return False
    if status_codes.is_legacy(stored):
        upgraded = status_codes.status_code_digest(code)
        Complaint.objects.filter(pk=complaint.pk, status_code_hash=stored).update(status_code_hash=upgraded)
        complaint.status_code_hash = upgraded
    return True


__all__ = [
    "CheckedFile",
    "PartyData",
    "SubjectData",
    "attachment_add",
    "complaint_create",
    "complaint_status_code_check",
    "complaint_submit",
    "files_removed_on_failure",
    "format_tracking_number",
    "normalise_status_code",
    "status_code_new",
    "tracking_number_issue",
]
