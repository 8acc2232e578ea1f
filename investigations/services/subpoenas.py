"""Subpoenas: drafting, and every move through their lifecycle (``subpoena_workflow.MOVES``)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from oversight import audit, hooks
from oversight.lifecycle import MoveContext, MoveRefused

from .. import subpoena_workflow as workflow
from ..models import EvidenceItem, Investigation, Subpoena, SubpoenaEvent
from ..selectors import can_work


class SubpoenaTransitionRefused(ValidationError):
    """A move the subpoena workflow will not make (not in the table from this status, or a page
    that is out of date)."""


_label = workflow._label


def subpoena_draft(
    *,
    complaint: Complaint,
    actor: Any,
    recipient_kind: str,
    recipient_name: str,
    recipient_address: str,
    demand: str,
    description: str,
    due_date: date,
) -> Subpoena:
    """Draft a subpoena on a case under investigation, numbered S-01, S-02, ... per case.

    Only someone who works the case may draft one; the due date may not be in the past.
    """
    if not can_work(actor, complaint):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if recipient_kind not in Subpoena.RecipientKind.values:
        errors["recipient_kind"] = [_("Choose the kind of recipient.")]
    if not (recipient_name or "").strip():
        errors["recipient_name"] = [_("Name the recipient.")]
    if demand not in Subpoena.Demand.values:
        errors["demand"] = [_("Choose what the subpoena demands.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what is requested.")]
    if due_date is None:
        errors["due_date"] = [_("Give a due date.")]
    elif due_date < timezone.localdate():
        errors["due_date"] = [_("The due date cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    with audit.service_atomic():
        # The complaint's row lock serialises numbering on this case.
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if (
            locked.status != Complaint.Status.UNDER_INVESTIGATION
            or not Investigation.objects.filter(complaint=locked).exists()
        ):
            raise ValidationError(_("Subpoenas can only be drafted while the case is under investigation."))
        number = (Subpoena.objects.filter(complaint=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        subpoena = Subpoena.objects.create(
            complaint=locked,
            number=number,
            recipient_kind=recipient_kind,
            recipient_name=recipient_name.strip(),
            recipient_address=(recipient_address or "").strip(),
            demand=demand,
            description=description.strip(),
            due_date=due_date,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            "subpoena.created",
            target=subpoena,
            target_label=_label(subpoena),
            actor=actor,
            data={"number": number, "recipient_kind": recipient_kind, "demand": demand, "due_date": due_date},
        )
        # Higher parts react here (board review lets the chair see a case whose subpoena it votes on).
        hooks.run("subpoena.drafted", subpoena=subpoena, actor=actor)
    return subpoena


def _return_items(subpoena: Subpoena, return_items: Iterable[Any]) -> list[EvidenceItem]:
    ids = {item.pk if isinstance(item, EvidenceItem) else int(item) for item in return_items}
    if not ids:
        return []
    items = list(EvidenceItem.objects.filter(pk__in=ids, complaint_id=subpoena.complaint_id))
    if len(items) != len(ids):
        raise ValidationError({"return_items": [_("Returns must be evidence items of this case.")]})
    return items


def subpoena_transition(
    *,
    subpoena: Subpoena,
    to_status: str,
    actor: Any,
    note: str = "",
    service_method: str | None = None,
    served_at: date | None = None,
    return_items: Iterable[Any] = (),
    params: dict[str, Any] | None = None,
    expected_status: str | None = None,
) -> SubpoenaEvent:
    """Move a subpoena to ``to_status`` through ``SUBPOENA_LIFECYCLE``.

    The lifecycle locks the row and refuses a pair not in the table or an actor the move's rule
    does not allow. Here: authorizing records who authorized it and how
    (``SUBPOENA_AUTHORIZATION``); issuing stamps ``issued_at``; recording service needs the method
    and a date that is not in the future nor before issue; recording (partial) compliance may link
    returned evidence items, which must belong to the same case. ``params`` carries what
    registered guards read (under "board_vote", board review's ``authorizing_vote``). Writes a
    SubpoenaEvent and the audit event.
    """
    return_items = list(return_items or ())

    def apply(ctx: MoveContext) -> None:
        _apply(ctx, service_method=service_method, served_at=served_at, return_items=return_items)

    try:
        return workflow.SUBPOENA_LIFECYCLE.run(
            obj=subpoena,
            target=to_status,
            actor=actor,
            reason=note,
            expected=expected_status,
            params=params,
            apply=apply,
        )
    except MoveRefused as refused:
        if refused.code == "forbidden":
            raise PermissionDenied(refused.message) from None
        if refused.code == "reason_required":
            raise ValidationError({"note": [refused.message]}) from None
        raise SubpoenaTransitionRefused(refused.message, code=refused.code) from None


def _apply(ctx: MoveContext, *, service_method: str | None, served_at: date | None, return_items: list[Any]) -> None:
    locked: Subpoena = ctx.obj
    move = ctx.move
    errors: dict[str, list[str]] = {}
    if workflow.needs_service(move):
        if service_method not in Subpoena.ServiceMethod.values:
            errors["service_method"] = [_("Choose how the subpoena was served.")]
        if served_at is None:
            errors["served_at"] = [_("Give the date it was served.")]
        elif served_at > timezone.localdate():
            errors["served_at"] = [_("The date served cannot be in the future.")]
        elif locked.issued_at and served_at < timezone.localtime(locked.issued_at).date():
            errors["served_at"] = [_("The date served cannot be before the subpoena was issued.")]
    elif service_method or served_at:
        errors["service_method"] = [_("Service is recorded only when the subpoena is served.")]
    items: list[EvidenceItem] = []
    if return_items and not workflow.takes_returns(move):
        errors["return_items"] = [_("Returns are recorded only with compliance.")]
    elif return_items:
        try:
            items = _return_items(locked, return_items)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if move.target == Subpoena.Status.AUTHORIZED:
        locked.authorized_by = ctx.actor
        locked.authorization_method = workflow.authorization_method()
        locked.authorized_at = ctx.now
        ctx.fields += ["authorized_by", "authorization_method", "authorized_at"]
        ctx.data["method"] = locked.authorization_method
    elif move.target == Subpoena.Status.ISSUED:
        locked.issued_at = ctx.now
        ctx.fields.append("issued_at")
    elif workflow.needs_service(move):
        locked.service_method = service_method
        locked.served_at = served_at
        ctx.fields += ["service_method", "served_at"]
        ctx.data.update(service_method=service_method, served_at=served_at)
    if items:
        locked.returns.add(*items)
        ctx.data["returns"] = sorted(item.label for item in items)
