"""Publishing an office's imported decided cases in one run, through the same pipeline as any other
case: each is drafted (the redactor runs on its public summary), approved and published, with every
check of the lifecycle, by one publication officer who gives the reason.

Rules enforced here and in the lifecycle (``workflow``):

* Only someone holding all three of the publication officer's permissions (draft, approve, publish)
  runs it, and only with a reason: both are checked before any case is touched.
* Only imported cases (``investigations.importing``) are published this way. The officer approves
  the versions they drafted themselves, which the two-person rule lets through only as a bulk import
  approval (``workflow.BULK_IMPORT``): the case is imported, the reason given and the text untouched.
  The approval keeps the reason on the version and says in its audit event that it was one.
* A case that already has a published version, or a version someone is preparing, is left alone.
* Each case is drafted, approved and published in a transaction of its own: a case any step refuses
  (its eligibility, the disclosure policy, the redactor run again, someone else acting on it at the
  same time) keeps no trace of the run but the refusal in the audit trail, and the run goes on.

The report counts what happened, by reason: it never holds case data, so a command may print it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Complaint
from investigations.importing.models import ImportedCase
from oversight import audit
from oversight.lifecycle import MoveRefused

from .models import Publication
from .services import PublicationRefused, publication_draft
from .workflow import APPROVE_PERM, BULK_IMPORT, DRAFT_PERM, PUBLICATION_LIFECYCLE, PUBLISH_PERM

P = Publication.Status
AUDIT_ACTION = "publication.bulk_published"
PERMISSIONS = (DRAFT_PERM, APPROVE_PERM, PUBLISH_PERM)

# Why a case was not published, as the report counts it.
NOT_FOUND = "not_found"
NOT_IMPORTED = "not_imported"
ALREADY_PUBLISHED = "already_published"
IN_PREPARATION = "in_preparation"
NOT_ELIGIBLE = "not_eligible"
REFUSED_BY_CHECK = "refused_by_check"
FORBIDDEN = "forbidden"
CONFLICT = "conflict"
SKIP_LABELS = {
    NOT_FOUND: gettext_lazy("no such case"),
    NOT_IMPORTED: gettext_lazy("not an imported case"),
    ALREADY_PUBLISHED: gettext_lazy("already published"),
    IN_PREPARATION: gettext_lazy("a version is already being prepared"),
    NOT_ELIGIBLE: gettext_lazy("not eligible for publication"),
    REFUSED_BY_CHECK: gettext_lazy("refused by a publication check"),
    FORBIDDEN: gettext_lazy("not allowed"),
    CONFLICT: gettext_lazy("changed by someone else during the run"),
}


@dataclass
class BulkPublicationReport:
    """What a run did: how many cases it published, and how many it left, by reason."""

    published: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def processed(self) -> int:
        return self.published + sum(self.skipped.values())

    def lines(self) -> list[str]:
        """The report in words, one line per outcome, for a command or a page to show."""
        lines = [_("Published: %(count)d") % {"count": self.published}]
        for reason, count in sorted(self.skipped.items()):
            lines.append(
                _("Not published, %(reason)s: %(count)d") % {"reason": SKIP_LABELS.get(reason, reason), "count": count}
            )
        return lines


def _refused_category(error: Exception) -> str:
    """The report's reason for a case a step refused."""
    if isinstance(error, PublicationRefused):
        if error.existing is None:
            return NOT_ELIGIBLE
        return ALREADY_PUBLISHED if error.existing.status == P.PUBLISHED else IN_PREPARATION
    if isinstance(error, MoveRefused):
        if error.code == "precondition":
            return REFUSED_BY_CHECK
        return FORBIDDEN if error.code == "forbidden" else CONFLICT
    if isinstance(error, ValidationError):  # a guard's field error: a check all the same
        return REFUSED_BY_CHECK
    if isinstance(error, PermissionDenied):
        return FORBIDDEN
    return CONFLICT  # IntegrityError: another officer drafted or published the case meanwhile


def _publish_one(complaint_id: int, *, actor: Any, reason: str) -> str | None:
    """Draft, approve and publish one imported case in one transaction; the reason it was not
    published, or None once it is."""
    with audit.service_atomic():
        complaint = Complaint.objects.filter(pk=complaint_id).first()
        if complaint is None:
            return NOT_FOUND
        if not ImportedCase.objects.filter(complaint_id=complaint_id).exists():
            return NOT_IMPORTED
        publication = publication_draft(complaint=complaint, actor=actor)
        PUBLICATION_LIFECYCLE.run(
            obj=publication,
            target=P.APPROVED,
            actor=actor,
            reason=reason,
            expected=P.DRAFT,
            via=BULK_IMPORT,
        )
        PUBLICATION_LIFECYCLE.run(
            obj=publication,
            target=P.PUBLISHED,
            actor=actor,
            reason=reason,
            expected=P.APPROVED,
            data={"bulk_import": True},
        )
    return None


def publish_imported(
    *,
    complaint_ids: Iterable[int],
    actor: Any,
    reason: str,
    progress: Callable[[int], None] | None = None,
) -> BulkPublicationReport:
    """Publish the imported decided cases ``complaint_ids`` through the publication pipeline, as
    ``actor`` with ``reason``; ``progress`` is told how many cases are done after each one.

    Refused before any case is touched: an actor without the publication officer's permissions to
    draft, approve and publish (``PermissionDenied``, recorded in the audit trail) and a blank reason
    (``ValidationError`` on ``reason``). An id given twice is done once. The run is recorded as one
    ``publication.bulk_published`` event with the counts and the reason's length, besides each
    case's own drafted, approved and published events."""
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and all(actor.has_perm(perm) for perm in PERMISSIONS)
    ):
        audit.record_refusal(AUDIT_ACTION, actor=actor, data={"refused": "forbidden"})
        raise PermissionDenied(_("Only a publication officer can publish imported cases."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for publishing these imported cases.")]})
    report = BulkPublicationReport()
    seen: set[int] = set()
    for complaint_id in complaint_ids:
        complaint_id = int(complaint_id)
        if complaint_id in seen:
            continue
        seen.add(complaint_id)
        try:
            skipped = _publish_one(complaint_id, actor=actor, reason=reason)
        except (PublicationRefused, MoveRefused, ValidationError, PermissionDenied, IntegrityError) as error:
            skipped = _refused_category(error)
        if skipped is None:
            report.published += 1
        else:
            report.skipped[skipped] += 1
        if progress is not None:
            progress(report.processed)
    audit.record(
        AUDIT_ACTION,
        actor=actor,
        data={"published": report.published, "skipped": dict(report.skipped), "reason_length": len(reason)},
    )
    return report


__all__ = ["BulkPublicationReport", "SKIP_LABELS", "publish_imported"]
