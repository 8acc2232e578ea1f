"""Getting changes into the index: the outbox, the after-commit dispatch and the retries.

``queue(kind, ids)`` is what the receivers (``search.signals``) call for every change that should
reach the index. In the same transaction as the change it adds a ``PendingUpdate`` row per
document (or moves an existing row's ``queued_at`` on), and once the transaction commits it sends
one task for everything the transaction queued (``search.tasks.apply_updates``). A rolled-back
transaction takes its rows with it and sends nothing.

``apply(kind, ids)`` asks the backend to bring those documents in line with the database and then
deletes the rows queued before it started reading. If the backend is down it leaves the rows (one
more attempt counted, the error kept) and raises ``SearchUnavailable``: the change itself is
already committed, and the periodic ``drain`` (and ``search_index drain``) sends them again, oldest
first. Nothing a resident or an investigator does ever waits for, or fails because of, the index.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from .backends import SearchUnavailable, backend
from .backends.base import KINDS
from .models import PendingUpdate

logger = logging.getLogger(__name__)

BATCH = 500


class _Batch:
    """The ids one transaction queued, sent as tasks when it commits (one per kind and batch)."""

    def __init__(self) -> None:
        self.ids: dict[str, set[int]] = defaultdict(set)
        self.sent = False

    def send(self) -> None:
        from . import tasks

        if self.sent:
            return
        self.sent = True
        for kind, ids in self.ids.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), BATCH):
                tasks.apply_updates.delay(kind, ordered[start : start + BATCH])


class _Send:
    """An on-commit callback sending its transaction's batch. Each ``queue`` registers one (so a
    savepoint rolled back takes its own with it), and they share the batch: the first to run sends
    everything, the others find it sent."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch

    def __call__(self) -> None:
        self.batch.send()


def _batch() -> _Batch:
    """The current transaction's batch not yet sent, with one more callback registered to send it."""
    connection = transaction.get_connection()
    batch = (
        next(
            (
                callback.batch
                for _savepoints, callback, _robust in reversed(connection.run_on_commit)
                if isinstance(callback, _Send) and not callback.batch.sent
            ),
            None,
        )
        or _Batch()
    )
    transaction.on_commit(_Send(batch), robust=True)
    return batch


def queue(kind: str, ids: Iterable[Any], *, send: bool = True) -> None:
    """Record that the documents of ``ids`` must be brought up to date, and send them after commit.
    With ``send=False`` they wait in the outbox for the next drain (an import drains once at its end
    instead of indexing every batch as it commits)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown search index: {kind}")
    wanted = sorted({int(pk) for pk in ids if pk is not None})
    if not wanted:
        return
    now = timezone.now()
    PendingUpdate.objects.bulk_create(
        [PendingUpdate(kind=kind, object_id=pk, queued_at=now) for pk in wanted],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["queued_at"],
    )
    if send:
        _batch().ids[kind].update(wanted)


def apply(kind: str, ids: Iterable[Any]) -> int:
    """Index (or delete) the documents of ``ids`` now, and clear their rows from the outbox."""
    wanted = sorted({int(pk) for pk in ids})
    if not wanted:
        return 0
    started = timezone.now()
    try:
        backend().index(kind, wanted)
    except SearchUnavailable as error:
        _failed(kind, wanted, str(error))
        raise
    PendingUpdate.objects.filter(kind=kind, object_id__in=wanted, queued_at__lte=started).delete()
    return len(wanted)


def rebuild(kind: str, *, progress: Any = None) -> int:
    """Rebuild the index of ``kind`` whole (``SearchBackend.rebuild``); the updates queued before it
    started are in it, so they leave the outbox."""
    started = timezone.now()
    written = backend().rebuild(kind, progress=progress)
    PendingUpdate.objects.filter(kind=kind, queued_at__lte=started).delete()
    return written


def _failed(kind: str, ids: list[int], error: str) -> None:
    """Keep the rows (re-adding any another process cleared meanwhile) and count the attempt."""
    now = timezone.now()
    with transaction.atomic():
        PendingUpdate.objects.bulk_create(
            [PendingUpdate(kind=kind, object_id=pk, queued_at=now) for pk in ids],
            batch_size=1000,
            ignore_conflicts=True,
        )
        PendingUpdate.objects.filter(kind=kind, object_id__in=ids).update(
            attempts=F("attempts") + 1, last_error=error[:200]
        )
    logger.warning("Search index %s unavailable; %d update(s) kept for retry: %s", kind, len(ids), error[:200])


def drain(*, limit: int | None = None) -> dict[str, int]:
    """Send the outbox's waiting updates again, oldest first, in batches; stops at the first batch
    the backend refuses (it is down: the rest would fail too). Returns how many went through."""
    done: dict[str, int] = {}
    for kind in KINDS:
        done[kind] = 0
        while limit is None or done[kind] < limit:
            batch = list(
                PendingUpdate.objects.filter(kind=kind)
                .order_by("queued_at", "object_id")
                .values_list("object_id", flat=True)[:BATCH]
            )
            if not batch:
                break
            try:
                done[kind] += apply(kind, batch)
            except SearchUnavailable:
                break
    return done


def backlog() -> dict[str, dict[str, Any]]:
    """How many updates wait for each index, and since when."""
    found = {kind: {"count": 0, "oldest": None, "attempts": 0, "last_error": ""} for kind in KINDS}
    for row in PendingUpdate.objects.values("kind").annotate(n=Min("queued_at")).order_by():
        found[row["kind"]]["oldest"] = row["n"]
    for kind in KINDS:
        pending = PendingUpdate.objects.filter(kind=kind)
        found[kind]["count"] = pending.count()
        worst = pending.order_by("-attempts").values("attempts", "last_error").first()
        if worst:
            found[kind]["attempts"] = worst["attempts"]
            found[kind]["last_error"] = worst["last_error"]
    return found
