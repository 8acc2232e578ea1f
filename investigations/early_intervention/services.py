"""Every write of early intervention: the rules (created, and changed as new versions), the
evaluation, and a flag's review, notes and closing. Each is audited with who did it."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight import audit
from oversight.lifecycle import MoveRefused

from . import evaluation, rules
from .models import EvaluationRun, Flag, FlagEvent, Threshold, ThresholdVersion
from .workflow import CLOSE, CLOSING, FLAG_LIFECYCLE, START_REVIEW, may_review

ADD_RULE_PERM = "early_intervention.add_threshold"
CHANGE_RULE_PERM = "early_intervention.change_threshold"
NAME_MAX = Threshold._meta.get_field("name").max_length
FlagRefused = MoveRefused


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) and actor.is_active else None


def _name(user: Any) -> str:
    return user.get_username() if user is not None else ""


def _clean_name(name: str, *, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the rule a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("Keep the name to %(max)d characters.") % {"max": NAME_MAX}})
    clash = Threshold.objects.filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": _("Another rule has this name.")})
    return name


def _version(threshold: Threshold, number: int, parameters: rules.Parameters, user: Any, note: str) -> ThresholdVersion:
    return ThresholdVersion.objects.create(
        threshold=threshold,
        number=number,
        note=note,
        created_at=timezone.now(),
        created_by=user,
        created_by_name=_name(user),
        **parameters.as_fields(),
    )


# --- Rules ------------------------------------------------------------------------------------------


def threshold_create(
    *, actor: Any, name: str, kind: str, values: dict[str, Any], is_active: bool = True, note: str = ""
) -> Threshold:
    """Create a rule and its first version. Only a supervisor (``add_threshold``) may; the
    parameters are checked for the kind (``rules.clean_parameters``)."""
    user = _user(actor)
    if user is None or not user.has_perm(ADD_RULE_PERM):
        audit.record_refusal("early_intervention.rule_created", actor=actor, data={"refused": "forbidden"})
        raise PermissionDenied(_("Only a supervisor can add early-intervention rules."))
    errors: dict[str, Any] = {}
    try:
        name = _clean_name(name)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        parameters = rules.clean_parameters(kind, values)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    note = (note or "").strip()
    try:
        with audit.service_atomic():
            threshold = Threshold(name=name, kind=kind, is_active=bool(is_active))
            threshold._history_user = user
            threshold.save()
            version = _version(threshold, 1, parameters, user, note)
            threshold.current_version = version
            threshold.save(update_fields=["current_version", "updated_at"])
            audit.record(
                "early_intervention.rule_created",
                target=threshold,
                actor=user,
                data={"kind": kind, "version": 1, "is_active": threshold.is_active},
            )
    except IntegrityError:
        raise ValidationError({"name": _("Another rule has this name.")}) from None
    return threshold


def threshold_update(
    *,
    threshold: Threshold,
    actor: Any,
    name: str,
    values: dict[str, Any],
    is_active: bool,
    note: str = "",
    expected_version: int | None = None,
) -> tuple[Threshold, bool]:
    """Change a rule. New parameters make a new version, which the rule then points at; flags
    raised under an earlier version keep theirs. The name and whether it is in force are changed on
    the rule itself (its row history keeps the old values). A change of parameters needs a note
    saying why. Returns the rule and whether anything changed.

    Only a supervisor (``change_threshold``) may. A page that showed an older version than the
    rule's current one (``expected_version``) is refused as out of date rather than overwriting a
    change made meanwhile."""
    user = _user(actor)
    if user is None or not user.has_perm(CHANGE_RULE_PERM):
        audit.record_refusal(
            "early_intervention.rule_changed", target=threshold, actor=actor, data={"refused": "forbidden"}
        )
        raise PermissionDenied(_("Only a supervisor can change early-intervention rules."))
    note = (note or "").strip()
    with audit.service_atomic():
        locked = Threshold.objects.select_for_update().get(pk=threshold.pk)
        current = locked.current_version
        if expected_version is not None and current is not None and current.number != expected_version:
            raise ValidationError(
                _(
                    "Someone else changed this rule while you were looking at it: it is now at version "
                    "%(number)d. Check it and try again."
                )
                % {"number": current.number}
            )
        errors: dict[str, Any] = {}
        try:
            name = _clean_name(name, exclude=locked.pk)
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            parameters = rules.clean_parameters(locked.kind, values)
        except ValidationError as error:
            errors.update(error.message_dict)
        new_parameters = not errors and (current is None or not parameters.same_as(rules.Parameters.of(current)))
        if new_parameters and not note:
            errors["note"] = _("Say why the rule changes: the reason is kept with the new version.")
        if errors:
            raise ValidationError(errors)
        changed = [f for f, value in (("name", name), ("is_active", bool(is_active))) if getattr(locked, f) != value]
        if not changed and not new_parameters:
            return locked, False
        locked.name, locked.is_active = name, bool(is_active)
        number = (current.number if current else 0) + 1
        if new_parameters:
            locked.current_version = _version(locked, number, parameters, user, note)
            changed.append("current_version")
        locked._history_user = user
        locked.save(update_fields=[*changed, "updated_at"])
        audit.record(
            "early_intervention.rule_changed",
            target=locked,
            actor=user,
            data={
                "changed": changed,
                "version": locked.current_version.number if locked.current_version else None,
                "is_active": locked.is_active,
            },
        )
    threshold.refresh_from_db()
    return threshold, True


# --- Evaluation ---------------------------------------------------------------------------------------


def evaluation_run(*, trigger: str, actor: Any = None, as_of: Any = None) -> EvaluationRun:
    """Evaluate every officer against every rule in force now (``evaluation.evaluate``). A run a
    person asks for from the rules page needs ``change_threshold``; the schedule, imports, the
    command and the demo run without an account."""
    if trigger == EvaluationRun.Trigger.STAFF:
        user = _user(actor)
        if user is None or not user.has_perm(CHANGE_RULE_PERM):
            audit.record_refusal("early_intervention.evaluated", actor=actor, data={"refused": "forbidden"})
            raise PermissionDenied(_("Only a supervisor can run the evaluation."))
    return evaluation.evaluate(trigger=trigger, actor=actor, as_of=as_of)


# --- Flags ----------------------------------------------------------------------------------------------


def flag_review_start(*, flag: Flag, actor: Any, expected: str | None = None) -> Flag:
    """Mark an open flag as under review by ``actor`` (a supervisor)."""
    FLAG_LIFECYCLE.run(obj=flag, target=Flag.Status.UNDER_REVIEW, actor=actor, expected=expected)
    flag.refresh_from_db()
    return flag


def flag_close(*, flag: Flag, actor: Any, action: str, note: str, expected: str | None = None) -> Flag:
    """Close a flag with what was done about it (``Flag.Action``) and a note, both required. Only
    a supervisor may. A closed flag stays closed: only complaints not behind it can trip its rule
    for the officer again, which opens a new flag."""
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if action not in Flag.Action.values:
        errors["action"] = _("Choose what was done about this flag.")
    if not note:
        errors["note"] = _("Write a note: what was reviewed and why this action.")
    if errors and may_review(actor, flag):
        raise ValidationError(errors)
    FLAG_LIFECYCLE.run(
        obj=flag,
        target=Flag.Status.CLOSED,
        actor=actor,
        reason=note,
        expected=expected,
        via=CLOSING,
        params={"action": action},
    )
    flag.refresh_from_db()
    return flag


def flag_note_add(*, flag: Flag, actor: Any, note: str) -> FlagEvent:
    """Add a note to a flag's history (open or closed: follow-up after the action is recorded the
    same way). Only a supervisor may; the note's text stays out of the audit data."""
    user = _user(actor)
    if user is None or not may_review(user, flag):
        audit.record_refusal(
            "early_intervention.flag_noted", target=flag, actor=actor, data={"flag": flag.pk, "refused": "forbidden"}
        )
        raise PermissionDenied(_("Only a supervisor can review early-intervention flags."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write the note.")})
    with audit.service_atomic():
        event = FlagEvent.objects.create(
            flag=flag,
            kind=FlagEvent.Kind.NOTE,
            occurred_at=timezone.now(),
            actor=user,
            actor_name=_name(user),
            note=note,
        )
        audit.record(
            "early_intervention.flag_noted",
            target=flag,
            target_label=f"flag {flag.pk} (badge {flag.officer.badge_number})",
            actor=user,
            data={"flag": flag.pk, "event": event.pk},
        )
    return event


__all__ = [
    "CLOSE",
    "START_REVIEW",
    "FlagRefused",
    "evaluation_run",
    "flag_close",
    "flag_note_add",
    "flag_review_start",
    "threshold_create",
    "threshold_update",
]
