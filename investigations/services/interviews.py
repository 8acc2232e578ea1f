"""Interviews: who was interviewed (role), when, where, by whom, whether recorded, a summary, and
the recordings, which are the case's own evidence items (upload the recording as evidence first,
so it has a hash and a chain of custody, then link it)."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, Party, SubjectOfficer
from oversight import audit

from ..models import EvidenceItem, Interview
from ..selectors import can_work


def _is_supervisor(user: Any) -> bool:
    return bool(user.has_perm("complaints.view_all_complaints"))


def _party_name(party: Party) -> str:
    return f"{party.first_name} {party.last_name}".strip() or party.description[:200]


def interview_record(
    *,
    complaint: Complaint,
    actor: Any,
    person_name: str,
    role: str,
    conducted_at: datetime,
    location: str,
    interviewer: Any,
    recorded: bool,
    summary: str,
    party: Party | None = None,
    subject_officer: SubjectOfficer | None = None,
    recording_items: Iterable[EvidenceItem] = (),
) -> Interview:
    """Record an interview that took place.

    Only someone who may work the case may record it. The interviewer must be able to work the
    case or be a supervisor. A party or subject officer named must belong to this complaint (and
    a subject officer's interview has the role "subject officer"); recordings must be evidence
    items of this case and mean the interview was recorded. An interview cannot be in the future.
    Writes ``interview.recorded`` to the audit log without the person's name.
    """
    if not can_work(actor, complaint):
        raise PermissionDenied
    errors: dict[str, str] = {}
    recordings = list(recording_items)
    if role not in Interview.Role.values:
        errors["role"] = _("Choose the role of the person interviewed.")
    if party is not None and subject_officer is not None:
        errors["person"] = _("Choose either a person on the complaint or a subject officer, not both.")
    elif party is not None and party.complaint_id != complaint.pk:
        errors["person"] = _("That person is not on this complaint.")
    elif subject_officer is not None and subject_officer.complaint_id != complaint.pk:
        errors["person"] = _("That officer is not named in this complaint.")
    elif subject_officer is not None and role != Interview.Role.SUBJECT_OFFICER:
        errors["role"] = _("An officer named in the complaint is interviewed as a subject officer.")
    elif party is not None and role == Interview.Role.SUBJECT_OFFICER:
        errors["role"] = _("A complainant or witness cannot be interviewed as a subject officer.")
    person_name = (person_name or "").strip()
    if not person_name and "person" not in errors:
        if party is not None:
            person_name = _party_name(party)
        elif subject_officer is not None:
            person_name = str(subject_officer)
    if not person_name:
        errors.setdefault("person_name", _("Give the name of the person interviewed."))
    if interviewer is None or not getattr(interviewer, "is_active", False):
        errors["interviewer"] = _("Choose who conducted the interview.")
    elif not (can_work(interviewer, complaint) or _is_supervisor(interviewer)):
        errors["interviewer"] = _("The interviewer must be assigned to this case or be a supervisor.")
    if conducted_at is None:
        errors["conducted_at"] = _("Give the date and time of the interview.")
    elif conducted_at > timezone.now() + timedelta(minutes=5):
        errors["conducted_at"] = _("Record an interview once it has taken place: the date cannot be in the future.")
    location = (location or "").strip()
    if not location:
        errors["location"] = _("Say where the interview took place.")
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = _("Write a summary of the interview.")
    if any(item.complaint_id != complaint.pk for item in recordings):
        errors["recordings"] = _("Recordings must be evidence items of this case.")
    elif recordings and not recorded:
        errors["recorded"] = _("Recordings are attached, so tick “recorded”.")
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        interview = Interview.objects.create(
            complaint=complaint,
            person_name=person_name[:200],
            role=role,
            party=party,
            subject_officer=subject_officer,
            conducted_at=conducted_at,
            location=location[:200],
            interviewer=interviewer,
            recorded=recorded,
            summary=summary,
            created_by=actor,
        )
        if recordings:
            interview.recordings.set(recordings)
        # No name, place or summary: they are personal data of the person interviewed.
        audit.record(
            "interview.recorded",
            target=complaint,
            actor=actor,
            data={
                "interview_id": interview.pk,
                "role": role,
                "recorded": recorded,
                "interviewer": interviewer.get_username(),
                "recordings": sorted(item.label for item in recordings),
            },
        )
    return interview
