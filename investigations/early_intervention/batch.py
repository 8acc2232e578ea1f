"""Many rows in one statement, however many there are.

The evaluation writes its flags, the cases behind them and their events with one statement per
table, so its number of queries stays the same whether ten officers are flagged or ten thousand.
On PostgreSQL the rows go through ``oversight.bulk`` (one binary COPY per table, primary keys
reserved from the sequence beforehand). On SQLite, where the ORM's ``bulk_create`` splits rows into
batches of 999 parameters, they travel as one JSON document read by ``json_each`` (SQLite 3.38 or
later, or earlier builds with the JSON1 extension; ``RETURNING`` needs 3.35).

Rows are given as tuples of named fields; the fields left out take their model defaults and
``auto_now`` stamps, as ``bulk.TableWriter`` gives them. No signals, no row history: the callers
record what they wrote (flag events, one audit event).
"""

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from oversight import bulk


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """``count`` new primary keys for ``model`` (PostgreSQL; one query), or ``None`` elsewhere,
    where ``insert`` returns the ids the database gave."""
    return bulk.reserve_ids(model, count) if _is_postgresql() else None


def _constants(model: type[models.Model], fields: Sequence[str]) -> tuple[list[models.Field], list[Any]]:
    now = timezone.now()
    left: list[models.Field] = []
    values: list[Any] = []
    for field in model._meta.concrete_fields:
        if field.attname in fields or (field.primary_key and isinstance(field, models.AutoField)):
            continue
        left.append(field)
        values.append(
            now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default()
        )
    return left, values


def _sqlite_value(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value, cls=field.encoder or DjangoJSONEncoder)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, returning: Sequence[str] = ()
) -> list[tuple]:
    """Insert ``rows`` (tuples of ``fields``, attribute names such as ``flag_id``) in one statement.

    ``returning`` (SQLite only: on PostgreSQL reserve the ids first and pass them in ``fields``) names
    columns to give back for each row written, in no particular order."""
    if not rows:
        return []
    if _is_postgresql():
        if returning:
            raise ValueError("On PostgreSQL, reserve the ids (reserve_ids) and write them instead.")
        with bulk.TableWriter(model, list(fields), chunk_size=len(rows)) as writer:
            for row in rows:
                writer.add(row)
        return []
    meta = model._meta
    quote = connection.ops.quote_name
    given = [meta.get_field(name) for name in fields]
    left, constants = _constants(model, fields)
    columns = ", ".join(quote(f.column) for f in [*given, *left])
    picked = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(given) + len(left)))
    back = f" RETURNING {', '.join(quote(meta.get_field(name).column) for name in returning)}" if returning else ""
    fixed = [_sqlite_value(f, v) for f, v in zip(left, constants, strict=True)]
    document = [[*(_sqlite_value(f, v) for f, v in zip(given, row, strict=True)), *fixed] for row in rows]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608  # nosec B608 (model names only)
        f"SELECT {picked} FROM json_each(%s) ORDER BY key{back}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(document, cls=DjangoJSONEncoder)])
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def update(model: type[models.Model], key: str, rows: Sequence[tuple[Any, ...]], columns: Sequence[str]) -> int:
    """Set ``columns`` of the rows whose ``key`` is each row's first value to the row's other
    values, in one statement."""
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_field = model._meta.get_field(key)
    fields = [model._meta.get_field(name) for name in columns]
    names = ["k", *[f"c{i}" for i in range(len(fields))]]
    assignments = ", ".join(f"{quote(f.column)} = v.c{i}" for i, f in enumerate(fields))
    match = f"{table}.{quote(key_field.column)} = v.k"
    if _is_postgresql():
        types = [key_field.rel_db_type(connection) if key_field.is_relation else key_field.db_type(connection)]
        types += [f.db_type(connection) for f in fields]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        sql = f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)}) WHERE {match}"  # noqa: S608  # nosec B608
        params: list[Any] = [[row[i] for row in rows] for i in range(len(names))]
    else:
        picked = ", ".join(f"json_extract(value, '$[{i}]') AS {name}" for i, name in enumerate(names))
        sql = f"UPDATE {table} SET {assignments} FROM (SELECT {picked} FROM json_each(%s)) AS v WHERE {match}"  # noqa: S608  # nosec B608
        document = [[_sqlite_value(f, v) for f, v in zip([key_field, *fields], row, strict=True)] for row in rows]
        params = [json.dumps(document, cls=DjangoJSONEncoder)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
