"""Keeping storage in step with the database: no file outlives a transaction that failed."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible

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


@deconstructible
class NamedStorage(Storage):
    """A storage that looks up ``settings.STORAGES[alias]`` on every call.

    A FileField resolves its storage once, when models load; delegating keeps it following the
    configuration (another backend in production, a temporary folder in tests).
    """

    def __init__(self, alias: str) -> None:
        self.alias = alias

    @property
    def target(self) -> Storage:
        return storages[self.alias]

    def open(self, name, mode="rb"):
        return self.target.open(name, mode)

    def save(self, name, content, max_length=None):
        return self.target.save(name, content, max_length=max_length)

    def delete(self, name):
        return self.target.delete(name)

    def exists(self, name):
        return self.target.exists(name)

    def size(self, name):
        return self.target.size(name)

    def path(self, name):
        return self.target.path(name)

    def url(self, name):
        return self.target.url(name)

    def listdir(self, path):
        return self.target.listdir(path)

    def get_valid_name(self, name):
        return self.target.get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self.target.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.target.generate_filename(filename)

    def get_modified_time(self, name):
        return self.target.get_modified_time(name)

    def get_created_time(self, name):
        return self.target.get_created_time(name)

    def get_accessed_time(self, name):
        return self.target.get_accessed_time(name)


private_storage = NamedStorage("private")
