"""Every write to comment periods and residents' comments.

The board's chair or a supervisor (whoever may record recommendations) opens a proposed
recommendation's comment period with a closing date and may close it early. A resident comments
from the public portal while the period is open: the comment is stored exactly once per form (its
token is the idempotency key), as plain text, and held for moderation. A publication officer or a
supervisor approves or rejects it (a rejection says why). Every write is audited; a refused
attempt is audited too. The resident's comment is audited as the public visitor's: no account, no
network address, no browser, and neither their name nor their email in the event.
"""

import re
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight import audit
from oversight.input_guard import has_control_characters, is_storable
from oversight.permissions import Role, has_role
from public_portal.models import PolicyRecommendation
from public_portal.transparency.recommendations import may_record_recommendations

from .models import NAME_MAX_LENGTH, TEXT_MAX_LENGTH, CommentPeriod, PublicComment

State = PublicComment.State
# The longest period the board may open at once.
PERIOD_MAX_DAYS = 180
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

# The moderation moves: a held comment is approved or rejected; an approved one may still be
# taken down (rejected) if it turns out to break the rules. A rejection is final.
MOVES: dict[tuple[str, str], str] = {
    (State.PENDING, State.APPROVED): "comment.approved",
    (State.PENDING, State.REJECTED): "comment.rejected",
    (State.APPROVED, State.REJECTED): "comment.rejected",
}


# --- Who may ----------------------------------------------------------------------------------------


def may_manage_periods(user: Any) -> bool:
    """The board's current chair, or a supervisor: those who record recommendations."""
    return may_record_recommendations(user)


def may_moderate(user: Any) -> bool:
    """A publication officer or a supervisor."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return has_role(user, Role.PUBLISHER) or has_role(user, Role.SUPERVISOR)


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username())[:150]


def out_of_date() -> str:
    return _("This form is out of date. Check your comment and send it again.")


# --- Comment periods -------------------------------------------------------------------------------


def period_open(*, recommendation: PolicyRecommendation, actor: Any, closes_on: date | None) -> CommentPeriod:
    """Open a proposed recommendation for public comment from today through ``closes_on``. A
    recommendation has one comment period: once closed, it is not opened again."""
    if not may_manage_periods(actor):
        audit.record_refusal("comment.period_opened", target=recommendation, actor=actor)
        raise PermissionDenied
    today = timezone.localdate()
    if closes_on is None:
        raise ValidationError({"closes_on": [_("Give the last day comments are taken.")]})
    if closes_on < today:
        raise ValidationError({"closes_on": [_("The last day cannot be in the past.")]})
    if closes_on > today + timedelta(days=PERIOD_MAX_DAYS):
        raise ValidationError(
            {"closes_on": [_("A comment period can last up to %(days)d days.") % {"days": PERIOD_MAX_DAYS}]}
        )
    with audit.service_atomic():
        locked = PolicyRecommendation.objects.select_for_update().get(pk=recommendation.pk)
        if locked.stage != PolicyRecommendation.Stage.PROPOSED:
            raise ValidationError(_("Only a proposed recommendation can be opened for comment."))
        if CommentPeriod.objects.filter(recommendation=locked).exists():
            raise ValidationError(_("This recommendation already has a comment period."))
        period = CommentPeriod.objects.create(
            recommendation=locked,
            opened_on=today,
            closes_on=closes_on,
            opened_by=actor,
            opened_by_name=_person(actor),
        )
        locked.save(update_fields=["updated_at"])  # its public page changed
        audit.record(
            "comment.period_opened",
            target=locked,
            actor=actor,
            data={"period": period.pk, "opened_on": today, "closes_on": closes_on},
        )
    return period


def period_close(*, period: CommentPeriod, actor: Any) -> CommentPeriod:
    """Close an open comment period before its last day (the chair or a supervisor)."""
    if not may_manage_periods(actor):
        audit.record_refusal("comment.period_closed", target=period.recommendation, actor=actor)
        raise PermissionDenied
    with audit.service_atomic():
        locked = CommentPeriod.objects.select_for_update().select_related("recommendation").get(pk=period.pk)
        if not locked.is_open():
            raise ValidationError(_("This comment period is already closed."))
        locked.closed_early_at = timezone.now()
        locked.closed_by = actor
        locked.closed_by_name = _person(actor)
        locked.save(update_fields=["closed_early_at", "closed_by", "closed_by_name", "updated_at"])
        PolicyRecommendation.objects.filter(pk=locked.recommendation_id).update(updated_at=timezone.now())
        audit.record(
            "comment.period_closed",
            target=locked.recommendation,
            actor=actor,
            data={"period": locked.pk, "closes_on": locked.closes_on},
        )
    return locked


# --- A resident's comment --------------------------------------------------------------------------


def _key(idempotency_key: str) -> str:
    if not isinstance(idempotency_key, str) or not _TOKEN.fullmatch(idempotency_key):
        raise ValidationError(out_of_date())
    return idempotency_key


def _already(key: str, recommendation: PolicyRecommendation) -> PublicComment | None:
    """The comment this form already stored, if it did; a token used on another recommendation is
    stale, never a way to that comment."""
    existing = PublicComment.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.recommendation_id != recommendation.pk:
        raise ValidationError(out_of_date())
    return existing


def _plain(value: str, *, field: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("Write your comment.")})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it under %(limit)d characters.") % {"limit": limit}})
    if not is_storable(text) or has_control_characters(text):
        raise ValidationError({field: _("This contains characters we cannot store. Type it again.")})
    return text


def _language(language: str) -> str:
    known = [code for code, _name in settings.LANGUAGES]
    return language if language in known else settings.LANGUAGE_CODE


def comment_submit(
    *,
    recommendation: PolicyRecommendation,
    text: str,
    name: str = "",
    email: str = "",
    language: str,
    idempotency_key: str,
) -> PublicComment:
    """Store a resident's comment on a proposed recommendation, held for moderation, exactly once.

    Taken only while the recommendation's comment period is open. The name and the contact email
    are optional; the text is plain text. The same form sent twice (a double click, a retry)
    returns the first comment. Nothing about where it came from is kept.
    """
    key = _key(idempotency_key)
    existing = _already(key, recommendation)
    if existing is not None:
        return existing
    period = CommentPeriod.objects.filter(recommendation=recommendation).select_related("recommendation").first()
    if period is None or not period.is_open():
        raise ValidationError(_("This recommendation is not taking comments now."))
    body = _plain(text, field="text", limit=TEXT_MAX_LENGTH, required=True)
    shown_name = _plain(name, field="name", limit=NAME_MAX_LENGTH, required=False)
    contact = (email or "").strip()
    if contact:
        try:
            validate_email(contact)
        except ValidationError:
            raise ValidationError(
                {"email": _("Enter an email address like name@example.com, or leave it empty.")}
            ) from None
    try:
        with transaction.atomic():
            comment = PublicComment.objects.create(
                recommendation=recommendation,
                name=shown_name,
                email=contact,
                text=body,
                language=_language(language),
                idempotency_key=key,
            )
            audit.record(
                "comment.received",
                target=recommendation,
                data={"comment_id": comment.pk, "language": comment.language},
            )
    except IntegrityError:
        # The same comment won a race in another request: that one is the comment.
        existing = _already(key, recommendation)
        if existing is None:
            raise
        return existing
    return comment


# --- Moderation ------------------------------------------------------------------------------------


def comment_moderate(*, comment: PublicComment, actor: Any, to_state: str, reason: str = "") -> PublicComment:
    """Approve or reject a comment (a publication officer or a supervisor). A rejection needs a
    reason, which stays with the staff; an approved comment shows on the recommendation's page."""
    action = MOVES.get((comment.state, to_state)) or (
        "comment.rejected" if to_state == State.REJECTED else "comment.approved"
    )
    if not may_moderate(actor):
        audit.record_refusal(action, target=comment.recommendation, actor=actor, data={"comment_id": comment.pk})
        raise PermissionDenied
    reason = (reason or "").strip()
    if to_state == State.REJECTED and not reason:
        raise ValidationError({"reason": [_("Say why the comment is rejected.")]})
    if not is_storable(reason) or has_control_characters(reason):
        raise ValidationError({"reason": [_("This contains characters we cannot store. Type it again.")]})
    with audit.service_atomic():
        locked = PublicComment.objects.select_for_update().get(pk=comment.pk)
        move = MOVES.get((locked.state, to_state))
        if move is None:
            raise ValidationError(
                _("This comment is already %(state)s.") % {"state": State(locked.state).label.lower()}
            )
        locked.state = to_state
        locked.moderated_at = timezone.now()
        locked.moderated_by = actor
        locked.moderated_by_name = _person(actor)
        locked.moderation_reason = reason
        locked.save(update_fields=["state", "moderated_at", "moderated_by", "moderated_by_name", "moderation_reason"])
        PolicyRecommendation.objects.filter(pk=locked.recommendation_id).update(updated_at=timezone.now())
        audit.record(
            move,
            target=comment.recommendation,
            actor=actor,
            data={"comment_id": locked.pk, "from": comment.state, "reason": reason},
        )
    return locked
