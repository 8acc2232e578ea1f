"""The case's row history (django-simple-history), as field-by-field diffs, in bulk.

``HistoricalRecord.diff_against(record.prev_record)`` reads the previous record once per row;
here each model's records are read newest first in one query (with the user who made the
change) and each is compared with the next older one in memory, so the page costs the same
whatever the number of changes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Field, Model, QuerySet
from django.utils.text import capfirst

from complaints.models import Complaint

from ..models import Investigation

HISTORY_LIMIT = 200


@dataclass
class HistoryEntry:
    """One historical record, what it is a record of, and the fields it changed: ``(label,
    before, after)``, empty for the first record of an object."""

    record: Any
    subject: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)


def _diffed_fields(history_model: type[Model]) -> list[Field]:
    # The fields ``diff_against`` compares by default: tracked and editable.
    return [f for f in history_model.tracked_fields if f.editable and not f.many_to_many]


def _shown(model_field: Field, value: Any) -> Any:
    if model_field.choices and value is not None:
        return dict(model_field.flatchoices).get(value, value)
    return value


def _changes(record: Any, previous: Any, fields: Sequence[Field]) -> list[tuple[str, Any, Any]]:
    changes = []
    for model_field in fields:
        old, new = getattr(previous, model_field.attname), getattr(record, model_field.attname)
        if old != new:
            changes.append((capfirst(model_field.verbose_name), _shown(model_field, old), _shown(model_field, new)))
    return changes


def _entries(history: QuerySet, subject: str, limit: int) -> list[HistoryEntry]:
    """The newest ``limit`` records of ``history`` (one object's, or one per object id), each
    diffed against the record before it. One extra record is read so the oldest shown has its
    predecessor."""
    fields = _diffed_fields(history.model)
    object_key = history.model.instance_type._meta.pk.attname
    records = list(history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    previous_of: dict[Any, Any] = {}
    older: dict[Any, Any] = {}
    for record in reversed(records):  # oldest first: remember each object's latest record so far
        key = getattr(record, object_key)
        previous_of[record.history_id] = older.get(key)
        older[key] = record
    entries = []
    for record in records[:limit]:
        previous = previous_of[record.history_id]
        entries.append(HistoryEntry(record, subject, _changes(record, previous, fields) if previous else []))
    return entries


def case_history_entries(*, complaint: Complaint, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The complaint's and its investigation's history, newest first, at most ``limit`` entries,
    in two queries however many there are."""
    entries = _entries(complaint.history.all(), str(capfirst(Complaint._meta.verbose_name)), limit)
    entries += _entries(
        Investigation.history.filter(complaint_id=complaint.pk), str(capfirst(Investigation._meta.verbose_name)), limit
    )
    entries.sort(key=lambda entry: (entry.record.history_date, entry.record.history_id), reverse=True)
    return entries[:limit]
