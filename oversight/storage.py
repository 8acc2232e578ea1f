"""Keeping storage in step with the database: no file outlives a transaction that failed, files no
committed record holds are swept, and stored files leave only as inert downloads."""

import posixpath
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from itertools import islice
from typing import IO
from urllib.parse import quote

from django.apps import apps
from django.core.files.storage import Storage, storages
from django.db import models
from django.http import FileResponse
from django.utils import timezone
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


# --- Serving stored files ------------------------------------------------------------------------

# Types a stored file may be served as. Anything else (markup, scripts, unknown) goes out as bytes.
_SAFE_CONTENT_TYPE = re.compile(
    r"^(?:image/(?:jpeg|png|gif|webp|heic|tiff)|application/pdf|audio/[a-z0-9.+-]+|video/[a-z0-9.+-]+"
    r"|application/vnd\.[a-z0-9.+-]+|application/msword|text/plain)$"
)


def safe_content_type(content_type: str) -> str:
    """``content_type`` if it is one a browser will not run as a page; else application/octet-stream."""
    value = (content_type or "").split(";", 1)[0].strip().lower()
    if not _SAFE_CONTENT_TYPE.match(value):
        return "application/octet-stream"
    return "text/plain; charset=utf-8" if value == "text/plain" else value


def content_disposition(filename: str) -> str:
    """``attachment`` with the name twice, as RFC 6266 advises: a plain ASCII ``filename`` for old
    clients and the exact name, UTF-8 and percent-encoded, in ``filename*``."""
    name = "".join(ch for ch in (filename or "") if ch.isprintable()).replace("/", "_").replace("\\", "_")
    name = name.strip() or "download"
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"%' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_response(handle: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    """Stream a stored file as a download that no browser renders or runs: always ``attachment``,
    a safe type with ``nosniff``, a sandboxing CSP (should it be opened anyway) and no caching."""
    response = FileResponse(handle, content_type=safe_content_type(content_type))
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Sweeping files no record holds --------------------------------------------------------------

# The storages swept: stored uploads, and the staging of unfinished intake drafts.
SWEPT_STORAGES = ("private", "staging")
ORPHAN_AGE = timedelta(days=1)


def _file_fields(alias: str) -> list[tuple[type[models.Model], str]]:
    """Every model field that stores files in ``storages[alias]``, on any floor."""
    return [
        (model, field.attname)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField) and getattr(field.storage, "alias", None) == alias
    ]


def _walk(storage: Storage, path: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(path, name) if path else name
    for directory in sorted(directories):
        yield from _walk(storage, posixpath.join(path, directory) if path else directory)


def _old_files(storage: Storage, cutoff: datetime) -> Iterator[str]:
    for name in _walk(storage):
        try:
            if storage.get_modified_time(name) <= cutoff:
                yield name
        except FileNotFoundError:
            continue


def orphan_files_sweep(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Delete files in private and staging storage that are older than ``ORPHAN_AGE`` and that no
    row of any model holds (a crash between writing a file and committing its record, a copy left
    behind). Returns the count removed per storage and records one ``file.swept`` event with the
    counts only: file names may carry personal data.

    A record is committed within seconds of its file being written, so a day-old file nobody holds
    is not waiting for one.
    """
    from . import audit

    cutoff = (now or timezone.now()) - ORPHAN_AGE
    removed: dict[str, int] = {}
    for alias in SWEPT_STORAGES:
        storage = storages[alias]
        fields = _file_fields(alias)
        count = 0
        old = _old_files(storage, cutoff)
        while chunk := list(islice(old, batch)):
            held: set[str] = set()
            for model, attname in fields:
                held.update(model._default_manager.filter(**{f"{attname}__in": chunk}).values_list(attname, flat=True))
            for name in chunk:
                if name not in held:
                    storage.delete(name)
                    count += 1
        removed[alias] = count
    audit.record("file.swept", data={"removed": removed, "total": sum(removed.values())})
    return removed
