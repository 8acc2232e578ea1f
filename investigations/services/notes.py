from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from complaints.models import Complaint
from oversight import audit

from ..models import CaseNote
from ..selectors import can_work


def note_add(*, complaint: Complaint, actor: Any, body: str, kind: str = CaseNote.Kind.NOTE) -> CaseNote:
    """Add a note to a case. Notes are internal: they never reach a public page."""
    if not can_work(actor, complaint):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note.")})
    if kind not in CaseNote.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of note.")})
    note = CaseNote.objects.create(
        complaint=complaint,
        kind=kind,
        body=body,
        author=actor,
        author_name=actor.get_full_name() or actor.get_username(),
    )
    audit.record("note.added", target=complaint, actor=actor, data={"kind": kind, "note_id": note.pk})
    return note
