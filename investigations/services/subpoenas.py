"""Subpoenas: drafting, and every move through their lifecycle (``subpoena_workflow.MOVES``)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from oversight import audit, permissions

from .. import quorum
from .. import subpoena_workflow as workflow
from ..board import current_memberships
from ..models import BoardMeeting, EvidenceItem, Investigation, Recusal, Subpoena, SubpoenaEvent, SubpoenaVote
from ..selectors import can_work


class SubpoenaTransitionRefused(ValidationError):
    """A move the subpoena workflow will not make (not in the table from this status)."""


class _Denied(Exception):
    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__("denied")
        self.data = data


def _label(subpoena: Subpoena) -> str:
    # The audit label names the case and the subpoena number, never the recipient (who may be a witness).
    return f"{subpoena.complaint.tracking_number} S-{subpoena.number:02d}"


def _username(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""


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
    with transaction.atomic():
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
        if settings.SUBPOENA_AUTHORIZATION == "board_vote":
            # The chair records the board's vote on the subpoena page, so the chair must see the case.
            from ..board import is_recused

            for seat in current_memberships().filter(is_chair=True).select_related("member"):
                if not is_recused(seat.member, locked):
                    permissions.grant(seat.member, "complaints.view_complaint", locked)
    return subpoena


def _return_items(subpoena: Subpoena, return_items: Iterable[Any]) -> list[EvidenceItem]:
    ids = {item.pk if isinstance(item, EvidenceItem) else int(item) for item in return_items}
    if not ids:
        return []
    items = list(EvidenceItem.objects.filter(pk__in=ids, complaint_id=subpoena.complaint_id))
    if len(items) != len(ids):
        raise ValidationError({"return_items": [_("Returns must be evidence items of this case.")]})
    return items


def _authorizing_vote(subpoena: Subpoena, authorizing_vote: SubpoenaVote | int | None) -> SubpoenaVote:
    if authorizing_vote is None or authorizing_vote == "":
        raise ValidationError({"authorizing_vote": [_("Choose the board vote that authorized this subpoena.")]})
    pk = authorizing_vote.pk if isinstance(authorizing_vote, SubpoenaVote) else authorizing_vote
    vote = SubpoenaVote.objects.filter(pk=pk, subpoena_id=subpoena.pk).first()
    if vote is None:
        raise ValidationError({"authorizing_vote": [_("Choose a board vote recorded on this subpoena.")]})
    if not vote.passed:
        raise ValidationError({"authorizing_vote": [_("That board vote did not pass; it cannot authorize.")]})
    return vote


def subpoena_vote_record(
    *,
    subpoena: Subpoena,
    actor: Any,
    votes_for: int,
    votes_against: int,
    abstentions: int = 0,
    motion: str = "",
    meeting: BoardMeeting | None = None,
) -> SubpoenaVote:
    """Record the board's vote on authorizing a drafted subpoena (``SUBPOENA_AUTHORIZATION`` is
    ``"board_vote"``).

    Only the board's current chair, not recused on the case, records it. The counts may not be
    negative; together they may not exceed the current members who are not recused on the case
    (a recused member cannot vote), and must reach quorum (``investigations.quorum``, abstentions
    included). The vote is immutable; a vote that passed can then authorize the subpoena.
    """
    if not workflow.is_acting_chair(actor, subpoena):
        audit.record(
            "board.voted",
            target=subpoena,
            target_label=_label(subpoena),
            actor=actor,
            outcome=audit.Outcome.DENIED,
            data={"subpoena": subpoena.number},
        )
        raise PermissionDenied(_("Only the board chair, not recused on this case, records the board's vote."))
    counts = {"votes_for": votes_for, "votes_against": votes_against, "abstentions": abstentions}
    errors: dict[str, list[str]] = {}
    for field, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[field] = [_("Give a whole number, zero or more.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Subpoena.objects.select_for_update().select_related("complaint").get(pk=subpoena.pk)
        if not workflow.by_board_vote():
            raise ValidationError(_("Subpoenas here are not authorized by board vote."))
        if locked.status != Subpoena.Status.DRAFTED:
            raise ValidationError(_("The board votes on a subpoena only while it is drafted."))
        member_ids = current_memberships().values("member_id")
        members = current_memberships().count()
        recused = Recusal.objects.filter(complaint=locked.complaint, member_id__in=member_ids).count()
        eligible = quorum.eligible_members(members, recused)
        needed = quorum.quorum_needed(members, recused, settings.BOARD_QUORUM)
        cast = votes_for + votes_against + abstentions
        if cast > eligible:
            raise ValidationError(
                _("%(cast)d votes were recorded, but only %(eligible)d current board members may vote on this case.")
                % {"cast": cast, "eligible": eligible}
            )
        if cast < needed:
            raise ValidationError(
                _("%(cast)d votes do not make quorum: at least %(needed)d members must vote.")
                % {"cast": cast, "needed": needed}
            )
        vote = SubpoenaVote.objects.create(
            subpoena=locked,
            meeting=meeting,
            motion=(motion or "").strip(),
            recorded_by=actor,
            **counts,
        )
        audit.record(
            "board.voted",
            target=locked,
            target_label=_label(locked),
            actor=actor,
            data={"subpoena": locked.number, "for": votes_for, "against": votes_against, "abstain": abstentions},
        )
    return vote


def subpoena_transition(
    *,
    subpoena: Subpoena,
    to_status: str,
    actor: Any,
    note: str = "",
    service_method: str | None = None,
    served_at: date | None = None,
    return_items: Iterable[Any] = (),
    authorizing_vote: SubpoenaVote | int | None = None,
) -> SubpoenaEvent:
    """Move a subpoena to ``to_status``: the only code that writes ``Subpoena.status``.

    Locks the subpoena row and refuses a pair not in ``subpoena_workflow.MOVES`` or an actor the
    move's rule does not allow. Authorizing records who authorized it and how
    (``SUBPOENA_AUTHORIZATION``); issuing stamps ``issued_at``; recording service needs the method
    and a date that is not in the future; recording (partial) compliance may link returned evidence
    items, which must belong to the same case. Under ``"board_vote"`` authorizing needs
    ``authorizing_vote``: a board vote on this subpoena that passed, which the subpoena then links.
    Writes a SubpoenaEvent and the audit event.
    """
    try:
        return _transition(
            subpoena=subpoena,
            to_status=to_status,
            actor=actor,
            note=note,
            service_method=service_method,
            served_at=served_at,
            return_items=return_items,
            authorizing_vote=authorizing_vote,
        )
    except _Denied as denied:
        # Recorded after the refused transaction rolled back, so the denial itself is kept.
        audit.record(
            "subpoena.transitioned",
            target=subpoena,
            target_label=_label(subpoena),
            actor=actor,
            outcome=audit.Outcome.DENIED,
            data=denied.data,
        )
        raise PermissionDenied(_("You are not allowed to do this on this subpoena.")) from None


def _transition(
    *,
    subpoena: Subpoena,
    to_status: str,
    actor: Any,
    note: str,
    service_method: str | None,
    served_at: date | None,
    return_items: Iterable[Any],
    authorizing_vote: SubpoenaVote | int | None,
) -> SubpoenaEvent:
    with transaction.atomic():
        locked = Subpoena.objects.select_for_update().select_related("complaint").get(pk=subpoena.pk)
        source = locked.status
        move = workflow.move_for(source, to_status)
        if move is None:
            target_label = Subpoena.Status(to_status).label if to_status in Subpoena.Status.values else to_status
            raise SubpoenaTransitionRefused(
                _("A subpoena that is “%(from)s” cannot be moved to “%(to)s”.")
                % {"from": locked.get_status_display(), "to": target_label},
                code="not_allowed",
            )
        if not workflow.may_move(actor, locked, move):
            raise _Denied({"from": source, "to": to_status, "action": move.action})
        note = (note or "").strip()
        errors: dict[str, list[str]] = {}
        if workflow.note_required(move) and not note:
            errors["note"] = [_("Give a reason for this step.")]
        vote: SubpoenaVote | None = None
        if workflow.vote_required(move):
            try:
                vote = _authorizing_vote(locked, authorizing_vote)
            except ValidationError as error:
                errors.update(error.message_dict)
        elif authorizing_vote is not None:
            errors["authorizing_vote"] = [_("A board vote is linked only when authorizing by board vote.")]
        fields = ["status", "updated_at"]
        data: dict[str, Any] = {"from": source, "to": to_status, "action": move.action}
        if move.needs_service:
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
        return_items = list(return_items or ())
        if return_items and not move.takes_returns:
            errors["return_items"] = [_("Returns are recorded only with compliance.")]
        elif return_items:
            try:
                items = _return_items(locked, return_items)
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

        now = timezone.now()
        if move.target == Subpoena.Status.AUTHORIZED:
            locked.authorized_by = actor
            locked.authorization_method = workflow.authorization_method()
            locked.authorized_at = now
            fields += ["authorized_by", "authorization_method", "authorized_at"]
            data["method"] = locked.authorization_method
            if vote is not None:
                locked.authorizing_vote = vote
                fields.append("authorizing_vote")
                data["vote"] = vote.pk
        elif move.target == Subpoena.Status.ISSUED:
            locked.issued_at = now
            fields.append("issued_at")
        elif move.needs_service:
            locked.service_method = service_method
            locked.served_at = served_at
            fields += ["service_method", "served_at"]
            data.update(service_method=service_method, served_at=served_at)
        locked.status = to_status
        locked.save(update_fields=fields)
        if items:
            locked.returns.add(*items)
            data["returns"] = sorted(item.label for item in items)
        event = SubpoenaEvent.objects.create(
            subpoena=locked,
            from_status=source,
            to_status=to_status,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_username=_username(actor),
            note=note,
            occurred_at=now,
        )
        audit.record("subpoena.transitioned", target=locked, target_label=_label(locked), actor=actor, data=data)
    for name in ("status", *(f for f in fields if f != "updated_at")):
        setattr(subpoena, name, getattr(locked, name))
    return event
