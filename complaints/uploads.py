"""What an uploaded file really is, judged from its bytes, never its name or the browser's claim."""

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import IO

# Types the platform accepts as evidence: images, PDF, audio, video and common office documents.
ALLOWED_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/tiff",
    "application/pdf",
    "audio/mpeg",
    "audio/wav",
    "audio/ogg",
    "audio/mp4",
    "audio/flac",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-msvideo",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/msword",
    "text/plain",
}

_SIGNATURES: list[tuple[int, bytes, str]] = [
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"\xff\xfb", "audio/mpeg"),
    (0, b"\xff\xf3", "audio/mpeg"),
    (0, b"\xff\xf2", "audio/mpeg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"OggS", "audio/ogg"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
]

_ISO_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heic",
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"qt  ": "video/quicktime",
}

_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

_ODF = {
    b"application/vnd.oasis.opendocument.text": "application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.spreadsheet": "application/vnd.oasis.opendocument.spreadsheet",
}


def sniff(head: bytes, stream: IO[bytes] | None = None) -> str:
    """The content type the bytes show, or ``application/octet-stream`` when unrecognised."""
    for offset, magic, content_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[4:8] == b"ftyp":
        return _ISO_BRANDS.get(head[8:12], "video/mp4")
    if head[:4] == b"PK\x03\x04" and stream is not None:
        return _sniff_zip(stream)
    if _looks_like_text(head):
        return "text/plain"
    return "application/octet-stream"


def _sniff_zip(stream: IO[bytes]) -> str:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                return _ODF.get(archive.read("mimetype").strip(), "application/zip")
            if "[Content_Types].xml" in names:
                for prefix, content_type in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, KeyError):
        pass
    finally:
        stream.seek(0)
    return "application/zip"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    lowered = text.lstrip().lower()
    # Markup is not plain text: an HTML page renamed .txt is refused.
    if lowered.startswith(("<!doctype", "<html", "<script", "<svg", "<?xml")) or "<script" in lowered:
        return False
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)


@dataclass(frozen=True)
class Inspected:
    content_type: str
    size: int
    sha256: str


def inspect(stream: IO[bytes], *, chunk_size: int = 1024 * 1024) -> Inspected:
    """Sniff, measure and hash a file in one pass, leaving the stream at its start."""
    stream.seek(0)
    head = stream.read(4096)
    stream.seek(0)
    content_type = sniff(head, stream)
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(chunk_size):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return Inspected(content_type=content_type, size=size, sha256=digest.hexdigest())


class HashingReader:
    """A stream that measures and hashes the bytes read through it, so that copying a file and
    hashing it take one reading pass instead of two.

    ``sequential`` stays true while the bytes are read once, in order, from the start (a rewind to
    the start before or during reading begins the count again); ``size`` and ``hexdigest()`` then
    describe exactly the bytes read. Any other seek makes it false, and the caller must check the
    file another way.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._restart()

    def _restart(self) -> None:
        self._digest = hashlib.sha256()
        self.bytes_read = 0
        self.sequential = True

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._digest.update(data)
        self.bytes_read += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = self._stream.seek(offset, whence)
        if position == 0:
            self._restart()
        elif position != self.bytes_read:
            self.sequential = False
        return position

    def tell(self) -> int:
        return self._stream.tell()

    def hexdigest(self) -> str:
        return self._digest.hexdigest()
