"""Keeping storage in step with the database: no file outlives a transaction that failed."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files.storage import Storage

_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("oversight_written_files", default=None)


@contextmanager
def files_removed_on_failure() -> Iterator[None]:
    """Delete every file written through ``note_written`` inside the block if the block raises.

    Wrap it *around* ``transaction.atomic()`` so a failure at commit time is covered too.
    """
    written: list[tuple[Storage, str]] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for storage, name in reversed(written):
            storage.delete(name)
        raise
    finally:
        _written.reset(token)


def note_written(storage: Storage, name: str) -> None:
    pending = _written.get()
    if pending is not None:
        pending.append((storage, name))
