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

The one other writer of status is ``Lifecycle.enter``, the import path: records brought in from
another system (``manage.py import_cases``) enter a status directly, in batches. Only a status the
table lists as an entry may be entered; every check registered for it (``add_entry_check``, one
set-based query per batch) must find nothing wrong with any record of the batch, or the whole batch
is refused; then the status is saved, the history rows are written (``record_entries``), the
registered entry effects run and one audit event records the batch. Nothing is queued after commit:
an import sends no notification and no email.

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
    # The service the caller named (``run(via=...)``): guards may let a path through that only
    # that service takes.
    via: str = ""


Rule = Callable[[Any, Any], bool]
Guard = Callable[[MoveContext], "str | None"]
Effect = Callable[[MoveContext], None]
# An entry check gets the ids entering one status and returns a plain problem for each id it refuses.
EntryCheck = Callable[[list[int]], "dict[int, str]"]
# An entry effect gets the ids that entered one status (after the status is saved) and the actor.
EntryEffect = Callable[[list[int], Any], None]


class EntryRefused(Exception):
    """Records the import path will not bring into their status: ``problems`` maps each refused
    record's id to plain reasons. The whole batch is rolled back."""

    def __init__(self, problems: dict[int, list[str]]) -> None:
        super().__init__(f"{len(problems)} record(s) refused")
        self.problems = problems


@dataclass(frozen=True)
class Entered:
    """One record entering a status through the import path: its id, the status and when (the
    date its source gives for reaching that status)."""

    pk: int
    status: str
    at: datetime
    # Where the record came from, for its history ("Imported from ...: case 13-0001, line 2").
    reason: str = ""


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
        entries: Iterable[str] = (),
        record_entries: Callable[[list[Entered], Any, str], None] | None = None,
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
        # The statuses the import path may bring a record into, with their checks and effects.
        self.entries: tuple[str, ...] = tuple(entries)
        self.record_entries = record_entries
        self._entry_checks: dict[str, dict[str, EntryCheck]] = {status: {} for status in self.entries}
        self._entry_effects: dict[str, dict[str, EntryEffect]] = {status: {} for status in self.entries}

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

    def _entry_statuses(self, statuses: Iterable[str]) -> list[str]:
        statuses = list(statuses)
        unknown = set(statuses) - set(self.entries)
        if unknown:
            raise ValueError(f"{self.name}: {', '.join(sorted(unknown))} is not an entry status")
        return statuses

    def add_entry_check(self, *statuses: str, name: str, check: EntryCheck) -> None:
        """What a record must have to enter ``statuses`` through the import path."""
        for status in self._entry_statuses(statuses):
            self._entry_checks[status][name] = check

    def add_entry_effect(self, *statuses: str, name: str, effect: EntryEffect) -> None:
        """Work done in the batch's transaction once its records entered ``statuses``."""
        for status in self._entry_statuses(statuses):
            self._entry_effects[status][name] = effect

    def entry_check_names(self, status: str) -> list[str]:
        return list(self._entry_checks.get(status, {}))

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
            via=via,
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

    # --- The import path ---------------------------------------------------------------------------

    def _save_entered(self, records: list[Entered]) -> None:
        """One UPDATE per record, sent as a batch (psycopg pipelines ``executemany``)."""
        meta = self.model._meta
        connection = transaction.get_connection()
        quote = connection.ops.quote_name
        stamped = any(f.name == "status_changed_at" for f in meta.concrete_fields)
        columns = [meta.get_field(self.status_field).column] + (["status_changed_at"] if stamped else [])
        assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
        # Only the model's own table and column names are formatted in.
        sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608  # nosec B608
        rows = [(r.status, r.at, r.pk) if stamped else (r.status, r.pk) for r in records]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One statement for the whole batch: the rows joined from arrays.
                values = ", ".join(f"{quote(column)} = v.{quote(column)}" for column in columns)
                types = ["text", "timestamptz"][: len(columns)]
                unnest = ", ".join(f"unnest(%s::{t}[]) AS {quote(c)}" for t, c in zip(types, columns, strict=True))
                sql = (
                    f"UPDATE {quote(meta.db_table)} AS t SET {values} "  # noqa: S608  # nosec B608
                    f"FROM (SELECT unnest(%s::bigint[]) AS pk, {unnest}) AS v WHERE t.{quote(meta.pk.column)} = v.pk"
                )
                cursor.execute(
                    sql, [[row[-1] for row in rows], *([row[i] for row in rows] for i in range(len(columns)))]
                )
            else:
                cursor.executemany(sql, rows)

    def enter(self, records: Iterable[Entered], *, actor: Any, via: str, data: dict[str, Any] | None = None) -> int:
        """Bring records from another system into their status, as one batch in one transaction.

        ``via`` names the import ("import_cases"): the path exists for imports only, and the audit
        event says which. Refuses (``EntryRefused``) a status that is not an entry, and any record
        an entry check finds wrong; nothing of the batch is then saved. Returns how many entered."""
        records = list(records)
        if not via:
            raise ValueError("enter() is the import path: name the import (via)")
        if not records:
            return 0
        problems: dict[int, list[str]] = {}
        by_status: dict[str, list[int]] = {}
        for record in records:
            if record.status not in self.entries:
                problems.setdefault(record.pk, []).append(
                    _("“%(status)s” cannot be reached by an import.") % {"status": self._status_label(record.status)}
                )
            else:
                by_status.setdefault(record.status, []).append(record.pk)
        with audit.service_atomic():
            for status, ids in by_status.items():
                for check in self._entry_checks[status].values():
                    for pk, message in check(ids).items():
                        problems.setdefault(pk, []).append(str(message))
            if problems:
                raise EntryRefused(problems)
            self._save_entered(records)
            if self.record_entries is not None:
                self.record_entries(records, actor, via)
            for status, ids in by_status.items():
                for effect in self._entry_effects[status].values():
                    effect(ids, actor)
            audit.record(
                self.audit_action,
                actor=actor,
                data={
                    "action": "import",
                    "via": via,
                    "entered": {status: len(ids) for status, ids in sorted(by_status.items())},
                    **(data or {}),
                },
            )
        return len(records)
