"""Every write of the retention part: placing and releasing legal holds, destroying a case's
records, and the periodic review that tells supervisors what has become due."""

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.selectors import complaint_visible_to
from oversight import audit, context
from oversight.lifecycle import MoveContext, MoveRefused
from oversight.notifications import notify_once
from oversight.permissions import Role
from oversight.staff_accounts.selectors import preferred_language

from .models import LegalHold, RetentionRecord, RetentionReview
from .selectors import HOLD_PERM, case_standing, cases_due, cases_newly_due
from .workflow import DESTROY, DESTRUCTION, HOLD_LIFECYCLE, RETENTION_LIFECYCLE

logger = logging.getLogger(__name__)

RetentionRefused = MoveRefused
REFERENCE_MAX = LegalHold._meta.get_field("reference").max_length


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _record_for(complaint: Complaint, actor: Any) -> RetentionRecord:
    """The case's retention record, created if it has none yet (a concurrent creator is absorbed)."""
    record = RetentionRecord.objects.filter(complaint=complaint).first()
    if record is not None:
        return record
    try:
        with transaction.atomic():
            record = RetentionRecord(complaint=complaint)
            record._history_user = _user(actor)
            record.save()
            return record
    except IntegrityError:
        return RetentionRecord.objects.get(complaint=complaint)


def _destroyed_message(record: RetentionRecord) -> str:
    when = timezone.localtime(record.destroyed_at).date().isoformat() if record.destroyed_at else ""
    return _("The records of this case were already destroyed on %(date)s under the retention schedule.") % {
        "date": when
    }


# --- Legal holds -------------------------------------------------------------------------------------


def legal_hold_place(*, complaint: Complaint, actor: Any, kind: str, reason: str, reference: str = "") -> LegalHold:
    """Place a legal hold on a case: while it is in force the case's records cannot be destroyed.

    Only a supervisor (``retention.manage_legal_holds``) who can see the case may; a refusal is
    audited. A hold needs its kind and a reason. It is placed under the same lock the destruction
    takes, so a hold and a destruction never cross; a case already destroyed has nothing to hold.
    """
    user = _user(actor)
    if user is None or not user.is_active or not user.has_perm(HOLD_PERM) or not complaint_visible_to(user, complaint):
        audit.record_refusal(
            "legal_hold.placed",
            target=complaint,
            actor=actor,
            data={"refused": "forbidden"},
        )
        raise PermissionDenied(_("Only a supervisor can place a legal hold."))
    reason = (reason or "").strip()
    reference = (reference or "").strip()
    errors: dict[str, str] = {}
    if kind not in LegalHold.Kind.values:
        errors["kind"] = _("Choose the kind of hold.")
    if not reason:
        errors["reason"] = _("Say why the records must be kept.")
    if len(reference) > REFERENCE_MAX:
        errors["reference"] = _("Keep the reference to %(max)d characters.") % {"max": REFERENCE_MAX}
    if errors:
        raise ValidationError(errors)
    with audit.service_atomic():
        record = RetentionRecord.objects.select_for_update().get(pk=_record_for(complaint, user).pk)
        if record.is_destroyed:
            raise ValidationError(_destroyed_message(record))
        hold = LegalHold(
            complaint=complaint,
            kind=kind,
            reference=reference,
            reason=reason,
            placed_by=user,
            placed_by_name=user.get_username(),
            placed_at=timezone.now(),
        )
        hold._history_user = user
        hold.save()
        # The reference and reason stay out of the audit data: they may name people.
        audit.record(
            "legal_hold.placed",
            target=hold,
            target_label=f"{complaint.tracking_number} hold {hold.pk}",
            actor=user,
            data={"hold": hold.pk, "kind": kind},
        )
    return hold


def legal_hold_release(*, hold: LegalHold, actor: Any, reason: str) -> LegalHold:
    """Release a hold in force, with a reason (the hold stays on record as released). Only a
    supervisor who can see the case may; refusals are audited by the lifecycle."""
    HOLD_LIFECYCLE.run(
        obj=hold, target=LegalHold.Status.RELEASED, actor=actor, reason=reason, expected=LegalHold.Status.ACTIVE
    )
    hold.refresh_from_db()
    return hold


# --- Destruction ---------------------------------------------------------------------------------------


def case_destroy(*, complaint: Complaint, actor: Any, reason: str) -> RetentionRecord:
    """Destroy a closed case's records once its period under the retention schedule has run out.

    Only a supervisor (``retention.destroy_case_records``) who can see the case may, with a
    reason. Refused, with a message that says why (and audited): a case that is not closed, not
    due yet, under a legal hold, or already destroyed. The complaint row is locked for the checks
    and the work, so the case cannot be reopened or held meanwhile. Personal data and free text go
    from every table, history included (``destruction.py``); the files go after commit. What stays
    is the tombstone: the complaint's number, dates, status, district, channel, allegations with
    their categories and final dispositions, and this record of who destroyed it, when and why.
    """

    def lock_and_read(ctx: MoveContext) -> None:
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        ctx.params["standing"] = case_standing(locked)

    if not RETENTION_LIFECYCLE.may(actor, RetentionRecord(complaint=complaint), DESTROY):
        # Refused before any row is made for the case (the lifecycle would refuse it again).
        audit.record_refusal("retention.destroyed", target=complaint, actor=actor, data={"refused": "forbidden"})
        raise MoveRefused(str(RETENTION_LIFECYCLE.denied_message), code="forbidden")
    with audit.service_atomic():
        record = _record_for(complaint, actor)
        try:
            RETENTION_LIFECYCLE.run(
                obj=record,
                target=RetentionRecord.Status.DESTROYED,
                actor=actor,
                reason=reason,
                expected=RetentionRecord.Status.KEPT,
                via=DESTRUCTION,
                apply=lock_and_read,
            )
        except MoveRefused as refused:
            if refused.code != "conflict":
                raise
            current = RetentionRecord.objects.get(pk=record.pk)
            audit.record_refusal(
                "retention.destroyed",
                target=current,
                target_label=complaint.tracking_number,
                actor=actor,
                data={"refused": "already_destroyed"},
            )
            raise MoveRefused(_destroyed_message(current), code="already_destroyed") from None
    record.refresh_from_db()
    return record


# --- The periodic review --------------------------------------------------------------------------------

# How many tracking numbers the email lists; the Retention page lists them all.
NOTICE_SAMPLE = 20


class RetentionNoticeFailed(OSError):
    """Some notices could not be sent; running the review again sends just those."""


@dataclass
class ReviewOutcome:
    review: RetentionReview
    failures: int = 0

    def raise_for_failures(self) -> None:
        if self.failures:
            raise RetentionNoticeFailed(f"{self.failures} retention notice(s) could not be sent")


def _supervisors() -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SUPERVISOR)
        .exclude(email="")
        .select_related("staff_preference")
        .order_by("pk")
        .distinct()
    )


def retention_review_run(*, today: date | None = None, run_by: Any = None) -> ReviewOutcome:
    """Review the schedule on ``today`` (default: the local date): count what is due, and tell every
    active supervisor, once a day, about the cases that became due since the last review (every due
    case at the first review). Records the run. Safe to run more than once a day: no email twice."""
    today = today or timezone.localdate()
    previous = RetentionReview.objects.filter(as_of__lt=today).order_by("-as_of", "-id").first()
    with context.acting_as(_user(run_by)):
        due = cases_due(today=today)
        total = due.count()
        held = due.filter(held=True).count()
        newly = cases_newly_due(today=today, since=previous.as_of if previous else None)
        newly_count = newly.count()
        sample = list(newly.values_list("tracking_number", flat=True)[:NOTICE_SAMPLE])
        sent = failures = 0
        if newly_count:
            for user in _supervisors():
                try:
                    sent += int(
                        notify_once(
                            key=f"retention-due:{today.isoformat()}:{user.pk}",
                            to=user.email,
                            template="retention/email/due",
                            context={
                                "name": user.first_name or user.get_username(),
                                "count": newly_count,
                                "total": total,
                                "held": held,
                                "tracking_numbers": sample,
                                "more": max(0, newly_count - len(sample)),
                                "as_of": today,
                            },
                            language=preferred_language(user),
                        )
                    )
                except Exception:
                    failures += 1
                    logger.exception("Retention notice to user %s failed", user.pk)
        review = RetentionReview.objects.create(
            as_of=today, due=total, newly_due=newly_count, held=held, notified=sent, run_by=_user(run_by)
        )
    return ReviewOutcome(review=review, failures=failures)
