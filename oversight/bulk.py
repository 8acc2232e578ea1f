"""Writing many rows at once: PostgreSQL's COPY on PostgreSQL, the ORM's ``bulk_create`` elsewhere.

Demo data at a city's scale is millions of rows. Building a model instance for each row and letting
the ORM render and adapt an INSERT spends most of the time in Python; COPY takes plain tuples and
streams them to the server. A :class:`TableWriter` takes rows as tuples in a fixed field order,
buffers a chunk and writes it, so memory stays flat however many rows go through it. Rows may carry
primary keys handed out by the writer (:meth:`TableWriter.next_id`), so rows of other tables can
point at them before they are written; closing the writer moves the table's sequence past them.

Rows are written without signals and without history rows, as ``bulk_create`` writes them: callers
record one audit event for the whole operation. Foreign keys are declared deferrable and initially
deferred (Django's default), so a chunk of children may reach the database before its parents
within the transaction.

:func:`fast_load` goes further on PostgreSQL. For a role that may (a superuser, or one granted
``SET`` on ``session_replication_role``) it turns triggers and foreign-key checks off for the bulk
writes inside it; whatever a trigger would have maintained must then be
recomputed by the caller before the transaction commits. And it hands each chunk's COPY to a
background thread on the same connection (so in the same transaction), so the server stores one
chunk while Python generates the next. Every statement the calling thread runs through Django first
waits for the chunks already handed over: queries see every row written before them, and a
savepoint never starts while a chunk is still on its way.
"""

import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

CHUNK_SIZE = 10_000
ANALYZE_AFTER = 50_000  # rows: past this many, a writer refreshes the planner's statistics on close
_local = threading.local()  # the fast loads open in this thread: alias -> (background copies, checks skipped)


class _BackgroundCopies:
    """Runs the COPYs of one connection on a thread of their own, one at a time, in the order they
    were handed over. psycopg connections are thread-safe: statements of the two threads take turns,
    all in the one transaction. An error stops the rest and is raised in the calling thread at its
    next hand-over or wait."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bulk-copy", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    job()
            except BaseException as error:  # handed to the calling thread
                self._error = error
            finally:
                self._jobs.task_done()

    def submit(self, job: Callable[[], None]) -> None:
        self.raise_error()
        self._jobs.put(job)

    def wait(self) -> None:
        """Until every chunk handed over is stored."""
        self._jobs.join()
        self.raise_error()

    def raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join()


def _background(using: str) -> _BackgroundCopies | None:
    load = getattr(_local, "loads", {}).get(using)
    return load[0] if load else None


def _json_dumps(encoder: type[json.JSONEncoder] | None) -> Callable[[Any], str]:
    return partial(json.dumps, cls=encoder) if encoder else json.dumps


class TableWriter:
    """Rows of one model, given as tuples of ``fields`` (attribute names such as ``complaint_id``).

    Fields left out take their model default (``auto_now`` and ``auto_now_add`` timestamps take the
    time the writer was made); an auto primary key left out is assigned by the database. Use it as a
    context manager, or call :meth:`close`: the last chunk is written and the sequence moved only
    then.
    """

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        *,
        using: str = DEFAULT_DB_ALIAS,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.model = model
        self.using = using
        self.chunk_size = chunk_size
        self.count = 0
        self.fields = list(fields)
        self._connection = connections[using]
        self._postgresql = self._connection.vendor == "postgresql"
        self._rows: list[Sequence[Any]] = []
        self._first_id: int | None = None
        self._next_id: int | None = None
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in self.fields if name not in by_attname]
        if unknown:
            raise ValueError(f"{model._meta.label} has no column for {', '.join(unknown)}")
        pk = model._meta.pk
        now = timezone.now()
        constants: list[tuple[models.Field, Any]] = []
        for field in model._meta.concrete_fields:
            if field.attname in self.fields or (field is pk and isinstance(field, models.AutoField)):
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            constants.append((field, value))
        self._constant_names = [field.attname for field, _value in constants]
        self._constant_values = tuple(value for _field, value in constants)
        if self._postgresql:
            from psycopg import sql  # only PostgreSQL needs the driver

            self._constant_db = tuple(field.get_db_prep_save(value, self._connection) for field, value in constants)
            self._json = {
                index: _json_dumps(by_attname[name].encoder)
                for index, name in enumerate(self.fields)
                if isinstance(by_attname[name], models.JSONField)
            }
            self._columns = [by_attname[name].column for name in self.fields] + [f.column for f, _v in constants]
            self._types: list[int] | None = None
            self._table = self._connection.ops.quote_name(model._meta.db_table)
            # Binary COPY: no text to render or parse on either side, which halves the cost of a row.
            self._copy = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
                sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, self._columns))
            )

    # --- Primary keys --------------------------------------------------------------------------

    def next_id(self) -> int:
        """A primary key no row of the table has, for a row this writer is given next."""
        if self._next_id is None:
            self._next_id = self._first_id = self._start_id()
        value = self._next_id
        self._next_id += 1
        return value

    def _start_id(self) -> int:
        highest = self.model._base_manager.using(self.using).aggregate(highest=Max("pk"))["highest"] or 0
        if self._postgresql:
            table = self._connection.ops.quote_name(self.model._meta.db_table)
            with self._connection.cursor() as cursor:
                # The sequence may be ahead of the rows (deleted rows, rolled-back inserts): start
                # past both, so no id is handed out twice.
                cursor.execute(
                    "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence(%s, %s)::regclass), 0)",
                    [table, self.model._meta.pk.column],
                )
                highest = max(highest, cursor.fetchone()[0])
        return highest + 1

    def _move_sequence(self) -> None:
        """After rows with explicit ids, the next id the database assigns is past them (PostgreSQL;
        SQLite's AUTOINCREMENT already remembers the largest id inserted)."""
        if not self._postgresql or self._next_id is None or self._next_id == self._first_id:
            return
        table = self._connection.ops.quote_name(self.model._meta.db_table)
        with self._connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                [table, self.model._meta.pk.column, self._next_id - 1],
            )

    # --- Rows ----------------------------------------------------------------------------------

    def add(self, row: Sequence[Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.chunk_size:
            self.flush()

    def flush(self) -> None:
        rows, self._rows = self._rows, []
        if not rows:
            return
        self.count += len(rows)
        if not self._postgresql:
            self._create_rows(rows)
            return
        background = _background(self.using)
        if background is None:
            self._copy_rows(self._raw(), rows)
        else:
            background.submit(partial(self._copy_rows, self._raw(), rows))

    def _copy_rows(self, raw: Any, rows: list[Sequence[Any]]) -> None:
        """Write ``rows`` with one binary COPY on ``raw`` (the driver's connection: it may run on the
        background thread, where Django's connection object must not be used)."""
        from psycopg.types.json import Jsonb

        constants, json_columns = self._constant_db, self._json
        with raw.cursor() as cursor:
            types = self._column_types(cursor)
            with cursor.copy(self._copy) as copy:
                copy.set_types(types)
                write = copy.write_row
                for row in rows:
                    if json_columns:
                        row = list(row)
                        for index, dumps in json_columns.items():
                            row[index] = None if row[index] is None else Jsonb(row[index], dumps)
                    write((*row, *constants) if constants else row)

    def _column_types(self, cursor: Any) -> list[int]:
        """The type of each column written, which binary COPY needs to pick each value's encoding."""
        if self._types is None:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                [self._table],
            )
            oids = dict(cursor.fetchall())
            self._types = [oids[column] for column in self._columns]
        return self._types

    def _create_rows(self, rows: list[Sequence[Any]]) -> None:
        names = self.fields + self._constant_names
        constants = self._constant_values
        model = self.model
        objects = [model(**dict(zip(names, (*row, *constants), strict=True))) for row in rows]
        model.objects.using(self.using).bulk_create(objects)

    def close(self) -> None:
        """Write what is left and wait until every row is stored; then move the sequence, and after
        many rows refresh the table's statistics (PostgreSQL)."""
        self.flush()
        background = _background(self.using)
        if background is not None:
            background.wait()
        self._move_sequence()
        if self._postgresql and self.count >= ANALYZE_AFTER:
            # The planner still thinks the table as small as before (autovacuum cannot see rows
            # before they commit): queries over it later in the same transaction would be planned
            # for a few rows and read all of them, page after page. ANALYZE counts our own rows.
            with self._connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self._table}")

    def _raw(self) -> Any:
        self._connection.ensure_connection()
        return self._connection.connection

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()


def reserve_ids(model: type[models.Model], count: int, *, using: str = DEFAULT_DB_ALIAS) -> list[int] | None:
    """``count`` primary keys taken from the table's sequence (PostgreSQL), so rows may be written
    with them while other sessions insert rows of their own: each id is handed out once, whoever
    asks. ``None`` on other databases (write with ``bulk_create``, which returns the ids)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or count <= 0:
        return None if connection.vendor != "postgresql" else []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, using: str = DEFAULT_DB_ALIAS
) -> list[int]:
    """Insert ``rows`` (tuples of ``fields``; other fields take their defaults, as ``TableWriter``
    gives them) and return their new primary keys in order: one binary COPY with ids reserved from
    the sequence on PostgreSQL, ``bulk_create`` elsewhere. No signals, no history."""
    if not rows:
        return []
    ids = reserve_ids(model, len(rows), using=using)
    if ids is None:
        objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model._base_manager.using(using).bulk_create(objects, batch_size=1000)
        return [obj.pk for obj in objects]
    with TableWriter(model, [model._meta.pk.attname, *fields], using=using) as writer:
        for pk, row in zip(ids, rows, strict=True):
            writer.add((pk, *row))
    return ids


def pages(queryset: QuerySet, fields: Sequence[str], size: int = 5000) -> Iterator[list[tuple]]:
    """The rows of ``queryset`` as ``values_list(*fields)`` tuples, in primary-key order, one range
    of ``size`` primary keys at a time (a page holds at most ``size`` rows; it may hold none).

    Each page is its own query bounded on the primary key, so memory stays flat, rows may be written
    between pages on any database (SQLite cannot write while a cursor over the same tables is still
    open), and each page reads only its range whatever the planner believes about tables that grew
    in the same transaction (a keyset page, ``pk > last ORDER BY pk LIMIT n``, can be planned as a
    scan of everything after ``last``)."""
    bounds = queryset.model._base_manager.using(queryset.db).aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for low in range(bounds["low"], bounds["high"] + 1, size):
        page = list(queryset.filter(pk__gte=low, pk__lt=low + size).order_by("pk").values_list(*fields))
        if page:
            yield page


@contextmanager
def fast_load(using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Inside a transaction: make the :class:`TableWriter` bulk writes inside the block as fast as
    the database allows. Yields whether triggers and foreign-key checks are skipped.

    On PostgreSQL, when the database role may, triggers and foreign-key checks are turned off
    (``session_replication_role = replica``) until the block ends: checking millions of freshly
    generated foreign keys one by one at commit costs more than writing the rows. The caller owns
    the consistency of what it writes, and must recompute anything a trigger would have kept up to
    date (the complaint status counts) before the transaction ends. Writers' COPYs also run on a
    background thread for the length of the block (see the module's docstring); a writer's
    ``close()`` waits for its rows. Elsewhere (SQLite) nothing changes and it yields ``False``; a
    nested block changes nothing either and yields what the outer one did.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("fast_load() needs an atomic block.")
    loads = _local.__dict__.setdefault("loads", {})
    if connection.vendor != "postgresql" or using in loads:
        yield loads[using][1] if using in loads else False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role'), current_setting('is_superuser')")
        previous, superuser = cursor.fetchone()
        allowed = superuser == "on"
        if not allowed and connection.pg_version >= 150000:
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
            allowed = bool(cursor.fetchone()[0])
        if allowed:
            cursor.execute("SET LOCAL session_replication_role = replica")
    background = _BackgroundCopies()

    def after_background_copies(execute, sql, params, many, context):
        background.wait()
        return execute(sql, params, many, context)

    loads[using] = (background, allowed)
    try:
        with connection.execute_wrapper(after_background_copies):
            yield allowed
            background.wait()
    finally:
        del loads[using]
        background.stop()
    # Not reached when the block raised: the transaction then rolls back, and SET LOCAL with it.
    if allowed:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('session_replication_role', %s, true)", [previous])
