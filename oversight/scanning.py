"""Virus scanning of stored files: a client for ClamAV's daemon (clamd), the scan state every stored
upload carries, and the work that lets a file out of quarantine.

A file is stored in quarantine (``pending``) when a scanner is configured (``CLAMAV_ADDRESS``) and
``not_scanned`` when none is. After the storing transaction commits, ``scan_stored_file`` streams
it to clamd and records the verdict on every record that holds the file (a complainant's
attachment and the evidence item made from it share one stored file, so they share the verdict).
Only ``clean`` and ``not_scanned`` files may be downloaded. An infected file is audited
(``file.infected``) and the supervisors are emailed; a scan that fails is retried with a growing
delay by the periodic ``retry_file_scans`` job.
"""

import logging
import socket
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
# A clamd reply is one short line; anything longer is not clamd.
MAX_REPLY_BYTES = 4096
# A file still pending this long after it was stored lost its scan (a worker died): queue it again.
PENDING_GRACE = timedelta(minutes=10)
# After a failed scan, wait this long before the next try, doubling per failure up to a day.
RETRY_FIRST_DELAY = timedelta(minutes=15)
RETRY_MAX_DELAY = timedelta(days=1)
RETRY_BATCH = 200


class ScanState(models.TextChoices):
    PENDING = "pending", _("Waiting for virus scan")
    CLEAN = "clean", _("Virus scan: clean")
    INFECTED = "infected", _("Infected: quarantined")
    NOT_SCANNED = "not_scanned", _("Not scanned for viruses")
    ERROR = "error", _("Virus scan failed: will retry")


DOWNLOADABLE = frozenset({ScanState.CLEAN, ScanState.NOT_SCANNED})
DECIDED = frozenset({ScanState.CLEAN, ScanState.INFECTED})
# Files the retry job may pick up; models index them with this condition, so the index stays small.
SCAN_DUE = models.Q(scan_state__in=[ScanState.PENDING, ScanState.ERROR, ScanState.NOT_SCANNED])


class ScannedFile(models.Model):
    """The scan state of a model's stored ``file``. Concrete models also have ``complaint`` (the
    audit target: its label is a tracking number, never a file name), ``sha256`` and
    ``created_at``, and say in ``scan_number`` and ``scan_reference()`` which record they are."""

    scan_state = models.CharField(
        _("virus scan"), max_length=16, choices=ScanState.choices, default=ScanState.PENDING, editable=False
    )
    scan_signature = models.CharField(
        _("scan finding"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("The virus found, or why the scan failed."),
    )
    scanned_at = models.DateTimeField(_("last scanned"), null=True, blank=True, editable=False)
    scan_attempts = models.PositiveSmallIntegerField(_("scan attempts"), default=0, editable=False)

    class Meta:
        abstract = True

    @property
    def downloadable(self) -> bool:
        return self.scan_state in DOWNLOADABLE

    @property
    def scan_number(self) -> str:
        """The record's number as staff know it (an attachment's id, an evidence item's label)."""
        raise NotImplementedError

    def scan_reference(self) -> str:
        """``"<kind> <number>"``, in English: how audit events name the record."""
        raise NotImplementedError


# --- The clamd client ---------------------------------------------------------------------------


class ScanError(Exception):
    """The scanner gave no verdict: unreachable, timed out, refused the stream or answered oddly."""


@dataclass(frozen=True)
class Verdict:
    signature: str = ""

    @property
    def infected(self) -> bool:
        return bool(self.signature)


def parse_reply(reply: bytes) -> Verdict:
    """Read clamd's answer to a ``zINSTREAM``: ``stream: OK``, ``stream: <name> FOUND`` or ``... ERROR``."""
    text = reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
    if not text:
        raise ScanError("clamd closed the connection without an answer")
    if text.endswith("ERROR"):
        raise ScanError(text[:200])
    subject, separator, result = text.partition(": ")
    if separator and subject.startswith("stream"):
        if result == "OK":
            return Verdict()
        if result.endswith(" FOUND") and result[: -len(" FOUND")].strip():
            return Verdict(signature=result[: -len(" FOUND")].strip()[:200])
    raise ScanError(f"unexpected answer from clamd: {text[:150]!r}")


class ClamdClient:
    """Talks to clamd over TCP (``host:port``, ``[v6]:port``) or a Unix socket (``unix:/path`` or
    ``/path``). Each call opens its own connection; every socket operation has ``timeout``."""

    def __init__(self, address: str, *, timeout: float = 60.0, chunk_size: int = CHUNK_SIZE) -> None:
        self.address = address.strip()
        self.timeout = timeout
        self.chunk_size = chunk_size

    def _connect(self) -> socket.socket:
        address = self.address
        try:
            if address.startswith("unix:") or address.startswith("/"):
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                try:
                    sock.connect(address.removeprefix("unix:"))
                except BaseException:
                    sock.close()
                    raise
                return sock
            host, separator, port = address.rpartition(":")
            if not separator or not host or not port.isdigit():
                raise ScanError(f"CLAMAV_ADDRESS {address!r} is neither host:port nor unix:/path")
            return socket.create_connection((host.strip("[]"), int(port)), timeout=self.timeout)
        except OSError as error:
            raise ScanError(f"cannot reach clamd at {address}: {error}") from error

    @staticmethod
    def _read_reply(sock: socket.socket) -> bytes:
        reply = b""
        while b"\0" not in reply and len(reply) < MAX_REPLY_BYTES:
            data = sock.recv(MAX_REPLY_BYTES - len(reply))
            if not data:
                break
            reply += data
        return reply

    def ping(self) -> bool:
        try:
            with self._connect() as sock:
                sock.sendall(b"zPING\0")
                return self._read_reply(sock).startswith(b"PONG")
        except (OSError, ScanError):
            return False

    def scan(self, stream: IO[bytes]) -> Verdict:
        """Stream ``stream`` to clamd in chunks (``zINSTREAM``: each chunk after its 4-byte
        big-endian length, then a zero length) and return the verdict; raises ``ScanError``."""
        with self._connect() as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                while chunk := stream.read(self.chunk_size):
                    sock.sendall(struct.pack(">I", len(chunk)))
                    sock.sendall(chunk)
                sock.sendall(struct.pack(">I", 0))
            except TimeoutError as error:
                raise ScanError("clamd stopped reading the stream (timed out)") from error
            except OSError as error:
                # clamd closes the connection after refusing a stream (over StreamMaxLength): its
                # answer may still be waiting to be read.
                try:
                    reply = self._read_reply(sock)
                except OSError:
                    reply = b""
                if reply:
                    return parse_reply(reply)
                raise ScanError(f"clamd closed the connection while receiving the file: {error}") from error
            try:
                reply = self._read_reply(sock)
            except TimeoutError as error:
                raise ScanError("clamd did not answer in time") from error
            except OSError as error:
                raise ScanError(f"clamd connection failed: {error}") from error
        return parse_reply(reply)


def scanner() -> ClamdClient | None:
    """The configured scanner, or ``None`` when ``CLAMAV_ADDRESS`` is empty."""
    address = (settings.CLAMAV_ADDRESS or "").strip()
    if not address:
        return None
    return ClamdClient(address, timeout=settings.CLAMAV_TIMEOUT)


def initial_state() -> str:
    """The state a newly stored file starts in: quarantined until scanned, or not scanned at all."""
    return ScanState.PENDING if (settings.CLAMAV_ADDRESS or "").strip() else ScanState.NOT_SCANNED


# --- Scanning stored files ------------------------------------------------------------------------


def scanned_models() -> list[type[ScannedFile]]:
    return [model for model in apps.get_models() if issubclass(model, ScannedFile)]


def _rows(name: str, *, lock: bool = False) -> list[ScannedFile]:
    rows: list[ScannedFile] = []
    for model in scanned_models():
        queryset = model._default_manager.filter(file=name).order_by("pk")
        if lock:
            queryset = queryset.select_for_update()
        rows.extend(queryset)
    return rows


def scan_queue(name: str) -> None:
    """Scan the stored file ``name`` once the current transaction commits (at once outside one)."""
    from .tasks import enqueue, scan_stored_file

    enqueue(scan_stored_file, name)


def _save_state(row: ScannedFile, state: str, signature: str, when: datetime, *, attempted: bool) -> None:
    row.scan_state = state
    row.scan_signature = signature[:200]
    fields = ["scan_state", "scan_signature"]
    if attempted:
        row.scanned_at = when
        row.scan_attempts = row.scan_attempts + 1
        fields += ["scanned_at", "scan_attempts"]
    if any(field.name == "updated_at" for field in row._meta.concrete_fields):
        fields.append("updated_at")
    row.save(update_fields=fields)


def file_scan(name: str) -> str | None:
    """Scan one file of private storage and record the verdict on every record that holds it.

    Records already found clean or infected keep their verdict. Without a scanner the records are
    marked not scanned. A scan that fails leaves them in ``error`` (not downloadable) for the retry
    job, except records already "not scanned" (stored while no scanner was configured, and so
    downloadable): they stay so until a scan succeeds. Returns the verdict, or ``None`` when no
    record holds the file (its transaction rolled back) or every record already had a verdict.
    """
    from . import audit
    from .storage import private_storage
    from .tasks import alert_infected_file, enqueue

    undecided = [row for row in _rows(name) if row.scan_state not in DECIDED]
    if not undecided:
        return None
    client = scanner()
    now = timezone.now()
    if client is None:
        with audit.service_atomic():
            for row in _rows(name, lock=True):
                if row.scan_state in {ScanState.PENDING, ScanState.ERROR}:
                    _save_state(row, ScanState.NOT_SCANNED, "", now, attempted=False)
        return ScanState.NOT_SCANNED
    try:
        with private_storage.open(name, "rb") as handle:
            verdict = client.scan(handle)
    except FileNotFoundError:
        state, signature = ScanState.ERROR, "the stored file is missing"
    except ScanError as error:
        state, signature = ScanState.ERROR, str(error)
    else:
        state = ScanState.INFECTED if verdict.infected else ScanState.CLEAN
        signature = verdict.signature
    if state == ScanState.ERROR:
        logger.warning("Virus scan of a stored file failed: %s", signature)
    with audit.service_atomic():
        changed = [row for row in _rows(name, lock=True) if row.scan_state not in DECIDED]
        for row in changed:
            # A file released before scanning was configured stays released through an outage.
            kept = state == ScanState.ERROR and row.scan_state == ScanState.NOT_SCANNED
            _save_state(row, ScanState.NOT_SCANNED if kept else state, signature, now, attempted=True)
        for target, rows in _by_target(changed):
            data = {
                "state": state,
                "sha256": rows[0].sha256,
                "records": [row.scan_reference() for row in rows],
            }
            if state != ScanState.CLEAN:
                data["finding"] = signature[:200]
            outcome = audit.Outcome.FAILED if state == ScanState.ERROR else audit.Outcome.SUCCESS
            audit.record("file.scanned", target=target, outcome=outcome, data=data)
            if state == ScanState.INFECTED:
                audit.record("file.infected", target=target, data=data)
        if state == ScanState.INFECTED and changed:
            enqueue(alert_infected_file, name)
    return state


def _by_target(rows: Iterable[ScannedFile]) -> list[tuple[models.Model, list[ScannedFile]]]:
    groups: dict[tuple[str, Any], tuple[models.Model, list[ScannedFile]]] = {}
    for row in rows:
        target = row.complaint
        key = (target._meta.label_lower, target.pk)
        groups.setdefault(key, (target, []))[1].append(row)
    return list(groups.values())


def infected_file_alert(name: str) -> int:
    """Email every active supervisor, once each, that the stored file ``name`` holds a virus.
    Returns the number of emails sent now. A failed send raises, so the task retries it."""
    from django.contrib.auth import get_user_model

    from .notifications import notify_once
    from .permissions import Role
    from .staff_accounts.selectors import preferred_language

    rows = [row for row in _rows(name) if row.scan_state == ScanState.INFECTED]
    if not rows:
        return 0
    supervisors = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SUPERVISOR)
        .exclude(email="")
        .select_related("staff_preference")
        .order_by("pk")
        .distinct()
    )
    sent = 0
    for user in supervisors:
        sent += notify_once(
            key=f"file_infected:{name}:{user.pk}",
            to=user.email,
            template="oversight/email/file_infected",
            context={
                "name": user.first_name or user.get_username(),
                "tracking_number": rows[0].complaint.tracking_number,
                # (model name, reference): the template names each kind in the reader's language.
                "records": [(row._meta.model_name, row.scan_number) for row in rows],
                "signature": rows[0].scan_signature,
            },
            language=preferred_language(user),
        )
    return sent


def _retry_delay(attempts: int) -> timedelta:
    return min(RETRY_FIRST_DELAY * (2 ** max(attempts - 1, 0)), RETRY_MAX_DELAY)


def _due(rows: Iterable[tuple[str, int, datetime | None]], now: datetime) -> Iterator[str]:
    """The names of the files whose last attempt is far enough back for their number of attempts."""
    for name, attempts, last in rows:
        if last is None or last + _retry_delay(attempts) <= now:
            yield name


def file_scans_retry(*, now: datetime | None = None, limit: int = RETRY_BATCH) -> int:
    """Queue the scans that are due again; returns how many files were queued (or, with no scanner,
    marked not scanned).

    With a scanner: files whose scan failed (after a delay that doubles per failure, up to a day),
    files still pending ``PENDING_GRACE`` after they were stored (their scan was lost), and files
    stored while no scanner was configured (with the same delays should their scans fail).
    Without one: pending and failed files are marked not scanned, so they can be downloaded as the
    page says.
    """
    now = now or timezone.now()
    names: list[str] = []
    for model in scanned_models():
        stored = model._default_manager.exclude(file="")
        if scanner() is None:
            candidates = stored.filter(scan_state__in=[ScanState.PENDING, ScanState.ERROR])
            names.extend(candidates.values_list("file", flat=True)[:limit])
            continue
        columns = ("file", "scan_attempts", "scanned_at")
        waited = models.Q(scanned_at__isnull=True) | models.Q(scanned_at__lte=now - RETRY_FIRST_DELAY)
        failed = stored.filter(waited, scan_state=ScanState.ERROR).values_list(*columns)
        names.extend(islice(_due(failed.iterator(), now), limit))
        lost = stored.filter(scan_state=ScanState.PENDING, created_at__lte=now - PENDING_GRACE)
        names.extend(lost.values_list("file", flat=True)[:limit])
        unscanned = stored.filter(waited, scan_state=ScanState.NOT_SCANNED).values_list(*columns)
        names.extend(islice(_due(unscanned.iterator(), now), limit))
    due = list(dict.fromkeys(names))[:limit]
    for name in due:
        if scanner() is None:
            file_scan(name)
        else:
            scan_queue(name)
    return len(due)
