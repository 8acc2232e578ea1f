"""One small state machine that runs every lifecycle: complaints, subpoenas, and later
publications, reports and retention.

A lifecycle is a table of moves (``Move``: action, from, to, who may, whether a reason is
required, the service that owns it) and one writer, ``Lifecycle.run``:

1. lock the row;
2. refuse a stale page (``expected``), a pair not in the table, a move owned by a service the
   caller is not (``via``), an actor the move's rule does not allow, a missing reason;
3. run the caller's own changes (``apply``), then every guard registered for the move: each
   returns a plain refusal message, or nothing;
4. run the registered effects, save the status, write the lifecycle's history row and the audit
   event, and queue the registered after-commit work.

A refusal rolls the whole move back; refusals of who may and of guards stay in the audit trail
(``audit.record_refusal``). Higher parts add rules, guards, effects and owners by registering them
from their ``AppConfig.ready``: the module that defines the table never imports them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit


class MoveRefused(Exception):
    """A move the lifecycle will not make. ``message`` is for the person who asked; ``code`` says
    why: ``conflict``, ``not_allowed``, ``owned``, ``forbidden``, ``reason_required`` or
    ``precondition``."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Move:
    action: str
    source: str
    target: str
    rule: str
    label: Any
    reason_required: bool = False
    # The service that owns the move, when it needs more than a button ("board.decision"). Only a
    # caller that names it (``via``) may make the move; the generic move endpoint never does.
    owner: str = ""
    # What a confirmation step tells the person before the move ("" = no confirmation needed).
    confirm: Any = ""
    # The move's own preconditions (``Guard`` functions); higher parts add theirs with ``add_guard``.
    guards: tuple[Any, ...] = ()
    # Names of guards or effects a higher part must have registered for the move to be made at all
    # ("board.quorum"): if that part is missing, the move is refused rather than made unchecked.
    requires: tuple[str, ...] = ()


@dataclass
class MoveContext:
    """What guards and effects see: the locked row, who acts, the move, and the owning service's
    inputs (``params``). Effects may add to ``data`` (the audit event) and ``fields`` (saved with
    the status)."""

    obj: Any
    actor: Any
    move: Move
    source: str
    reason: str
    now: datetime
    params: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    fields: list[str] = field(default_factory=list)


Rule = Callable[[Any, Any], bool]
Guard = Callable[[MoveContext], "str | None"]
Effect = Callable[[MoveContext], None]


class _Denied(Exception):
    pass


class Lifecycle:
    """A table of moves and the one function that makes them."""

    def __init__(
        self,
        *,
        name: str,
        model: type[models.Model],
        moves: Iterable[Move],
        audit_action: str,
        record_change: Callable[[MoveContext], Any],
        status_field: str = "status",
        target_label: Callable[[Any], str] | None = None,
        denied_message: Any = None,
        conflict_message: Any = None,
        select_related: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.model = model
        self.moves: list[Move] = list(moves)
        self.audit_action = audit_action
        self.record_change = record_change
        self.status_field = status_field
        self.target_label = target_label
        self.denied_message = denied_message
        # "%(status)s" is the status it has now.
        self.conflict_message = conflict_message
        self.select_related = select_related
        self._by_pair: dict[tuple[str, str], Move] = {}
        for move in self.moves:
            if (move.source, move.target) in self._by_pair:
                raise ValueError(f"{name}: two moves from {move.source} to {move.target}")
            self._by_pair[(move.source, move.target)] = move
        self._rules: dict[str, Rule] = {}
        self._permits: dict[str, dict[str, Rule]] = {}
        self._guards: dict[str, dict[str, Guard]] = {}
        for move in self.moves:
            for guard in move.guards:
                self._guards.setdefault(move.action, {})[guard.__name__] = guard
        self._effects: dict[str, dict[str, Effect]] = {}
        self._after: dict[str, dict[str, Callable[[MoveContext, Any], None]]] = {}
        self._owner_pages: dict[str, str] = {}

    # --- Registration (idempotent: keyed by name, so a second registration replaces the first) ---

    def _actions(self, actions: Iterable[str]) -> list[str]:
        known = {m.action for m in self.moves}
        actions = list(actions)
        unknown = set(actions) - known
        if unknown:
            raise ValueError(f"{self.name}: no move named {', '.join(sorted(unknown))}")
        return actions

    def add_rule(self, name: str, check: Rule) -> None:
        """Who may make moves whose ``rule`` is ``name``: ``check(actor, obj)``."""
        self._rules[name] = check

    def add_permit(self, *actions: str, name: str, check: Rule) -> None:
        """Another way to be allowed to make ``actions`` (``check(actor, obj)``)."""
        for action in self._actions(actions):
            self._permits.setdefault(action, {})[name] = check

    def add_guard(self, *actions: str, name: str, check: Guard) -> None:
        """A precondition of ``actions``, checked inside the locked transaction after the caller's
        own changes: ``check(ctx)`` returns a plain refusal message, or ``None`` to let it pass."""
        for action in self._actions(actions):
            self._guards.setdefault(action, {})[name] = check

    def add_effect(self, *actions: str, name: str, effect: Effect) -> None:
        """Work done inside the move's transaction once every guard passed."""
        for action in self._actions(actions):
            self._effects.setdefault(action, {})[name] = effect

    def add_after_commit(self, *actions: str, name: str, effect: Callable[[MoveContext, Any], None]) -> None:
        """Work queued for after the move commits: ``effect(ctx, change)``."""
        for action in self._actions(actions):
            self._after.setdefault(action, {})[name] = effect

    def set_owner_page(self, owner: str, url_name: str) -> None:
        """The page where the service ``owner`` takes its input (used to send people there)."""
        self._owner_pages[owner] = url_name

    # --- Reads -------------------------------------------------------------------------------------

    def move_for(self, source: str, target: str) -> Move | None:
        return self._by_pair.get((source, target))

    def moves_from(self, source: str) -> list[Move]:
        return [m for m in self.moves if m.source == source]

    def by_action(self, action: str) -> list[Move]:
        return [m for m in self.moves if m.action == action]

    def owner_page(self, move: Move) -> str | None:
        return self._owner_pages.get(move.owner) if move.owner else None

    def guard_names(self, action: str) -> list[str]:
        return list(self._guards.get(action, {}))

    def may(self, actor: Any, obj: Any, move: Move, _answers: dict[str, bool] | None = None) -> bool:
        """Whether ``actor`` may make ``move`` on ``obj`` by its rule (guards aside). ``_answers``
        keeps each rule's answer for one actor and object, so moves sharing a rule ask it once."""
        if not (getattr(actor, "is_authenticated", False) and actor.is_active):
            return False
        check = self._rules.get(move.rule)
        if check is not None:
            if _answers is None:
                allowed = check(actor, obj)
            elif move.rule in _answers:
                allowed = _answers[move.rule]
            else:
                allowed = _answers[move.rule] = check(actor, obj)
            if allowed:
                return True
        if check is None and "." in move.rule and actor.has_perm(move.rule):
            return True
        return any(permit(actor, obj) for permit in self._permits.get(move.action, {}).values())

    def available(self, obj: Any, actor: Any) -> list[Move]:
        """The moves ``actor`` may make on ``obj`` now: the buttons a page draws."""
        answers: dict[str, bool] = {}
        return [m for m in self.moves_from(getattr(obj, self.status_field)) if self.may(actor, obj, m, answers)]

    def blockers(self, obj: Any, actor: Any, move: Move, params: dict[str, Any] | None = None) -> list[str]:
        """What the guards would refuse now, without moving or locking (for a page to explain why a
        step is not open yet). A guard may also raise ``ValidationError`` for field errors."""
        ctx = MoveContext(
            obj=obj,
            actor=actor,
            move=move,
            source=getattr(obj, self.status_field),
            reason="",
            now=timezone.now(),
            params=params or {},
        )
        from django.core.exceptions import ValidationError

        found: list[str] = []
        for check in self._guards.get(move.action, {}).values():
            try:
                message = check(ctx)
            except ValidationError as error:
                found.extend(error.messages)
                continue
            if message:
                found.append(str(message))
        return found

    # --- The one writer ----------------------------------------------------------------------------

    def _label(self, obj: Any) -> str | None:
        return self.target_label(obj) if self.target_label else None

    def _status_label(self, value: str) -> str:
        choices = dict(self.model._meta.get_field(self.status_field).choices or [])
        return str(choices.get(value, value))

    def run(
        self,
        *,
        obj: Any,
        target: str,
        actor: Any,
        reason: str = "",
        expected: str | None = None,
        via: str = "",
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        apply: Callable[[MoveContext], None] | None = None,
    ) -> Any:
        """Make the move from ``obj``'s status to ``target``; returns the history row."""
        refusal: dict[str, Any] | None = None
        try:
            with audit.service_atomic():
                return self._run(obj, target, actor, reason, expected, via, params, data, apply)
        except _Denied as denied:
            refusal = denied.args[0]
            raise MoveRefused(
                str(self.denied_message) if self.denied_message else _("You are not allowed to do this."),
                code="forbidden",
            ) from None
        except MoveRefused as refused:
            if refused.code in {"precondition", "owned"}:
                refusal = {"to": target, "refused": refused.code, "message": refused.message}
            raise
        finally:
            if refusal is not None:
                audit.record_refusal(
                    self.audit_action, target=obj, target_label=self._label(obj), actor=actor, data=refusal
                )

    def _run(self, obj, target, actor, reason, expected, via, params, data, apply) -> Any:
        queryset = self.model._default_manager.select_for_update()
        if self.select_related:
            # select_for_update with joins locks only this table's row (``of=("self",)``).
            queryset = queryset.select_related(*self.select_related)
            if transaction.get_connection().features.has_select_for_update_of:
                queryset = queryset.select_for_update(of=("self",))
        locked = queryset.get(pk=obj.pk)
        source = getattr(locked, self.status_field)
        if expected is not None and source != expected:
            message = self.conflict_message or _(
                "Someone else changed this while you were looking at it: it is now “%(status)s”."
            )
            raise MoveRefused(
                str(message) % {"status": self._status_label(source)} + " " + _("Check it and try again."),
                code="conflict",
            )
        move = self.move_for(source, target)
        if move is None:
            raise MoveRefused(
                _("“%(from)s” cannot be moved to “%(to)s”.")
                % {"from": self._status_label(source), "to": self._status_label(target)},
                code="not_allowed",
            )
        if move.owner and via != move.owner:
            raise MoveRefused(
                _("“%(step)s” is done on its own page, which checks everything it needs.") % {"step": move.label},
                code="owned",
            )
        registered = {*self._guards.get(move.action, {}), *self._effects.get(move.action, {})}
        if set(move.requires) - registered:
            raise MoveRefused(
                _("“%(step)s” cannot be made here: checks it needs are not installed.") % {"step": move.label},
                code="precondition",
            )
        if not self.may(actor, locked, move):
            raise _Denied({"from": source, "to": target, "action": move.action})
        reason = (reason or "").strip()
        if move.reason_required and not reason:
            raise MoveRefused(_("Give a reason for this step."), code="reason_required")
        ctx = MoveContext(
            obj=locked,
            actor=actor,
            move=move,
            source=source,
            reason=reason,
            now=timezone.now(),
            params=dict(params or {}),
            data=dict(data or {}),
        )
        if apply is not None:
            apply(ctx)
        for check in self._guards.get(move.action, {}).values():
            message = check(ctx)
            if message:
                raise MoveRefused(str(message), code="precondition")
        for effect in self._effects.get(move.action, {}).values():
            effect(ctx)
        setattr(locked, self.status_field, target)
        fields = [self.status_field, *ctx.fields]
        if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
            fields.append("updated_at")
        locked.save(update_fields=list(dict.fromkeys(fields)))
        change = self.record_change(ctx)
        audit.record(
            self.audit_action,
            target=locked,
            target_label=self._label(locked),
            actor=actor,
            data={"from": source, "to": target, "action": move.action, **ctx.data},
        )
        for effect in self._after.get(move.action, {}).values():
            transaction.on_commit(partial(effect, ctx, change), robust=True)
        for name in dict.fromkeys(fields):
            if name != "updated_at":
                setattr(obj, name, getattr(locked, name))
        return change
