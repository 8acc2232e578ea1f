"""What an uploaded file really is, judged from its bytes, never its name or the browser's claim."""

import hashlib
import io
import re
import struct
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


# Limits on what is read out of a zip (an office document) to learn what it is. The archive is
# never extracted: only its directory is parsed, and only ODF's small ``mimetype`` entry is read.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_DIRECTORY_BYTES = 8 * 1024 * 1024
ZIP_MAX_DECLARED_BYTES = 1024 * 1024 * 1024
ZIP_MAX_RATIO = 1000
ZIP_RATIO_FROM_BYTES = 1024 * 1024
ODF_MIMETYPE_MAX_BYTES = 128
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22


def _zip_directory_bounded(stream: IO[bytes]) -> bool:
    """Whether the archive's end record declares a directory small enough to parse: at most
    ``ZIP_MAX_ENTRIES`` entries in at most ``ZIP_MAX_DIRECTORY_BYTES``, and no ZIP64 (no office
    document needs it)."""
    end = stream.seek(0, io.SEEK_END)
    tail_size = min(end, _EOCD_SIZE + 0xFFFF)
    stream.seek(end - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return False
    _disk_entries, entries, directory_size, directory_offset = struct.unpack("<HHII", tail[at + 8 : at + 20])
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF or directory_offset == 0xFFFFFFFF:
        return False
    return entries <= ZIP_MAX_ENTRIES and directory_size <= ZIP_MAX_DIRECTORY_BYTES


def _zip_sizes_plausible(infos: list[zipfile.ZipInfo]) -> bool:
    """Refuse archives whose declared sizes are those of a decompression bomb."""
    if sum(info.file_size for info in infos) > ZIP_MAX_DECLARED_BYTES:
        return False
    return all(
        info.file_size <= ZIP_RATIO_FROM_BYTES or info.file_size <= ZIP_MAX_RATIO * max(info.compress_size, 1)
        for info in infos
    )


def _odf_mimetype(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The ``mimetype`` entry's content, read at most ``ODF_MIMETYPE_MAX_BYTES + 1`` bytes far, or
    ``None`` when it declares or holds more (sizes in the header may lie: the read is bounded)."""
    if info.file_size > ODF_MIMETYPE_MAX_BYTES or info.compress_size > ODF_MIMETYPE_MAX_BYTES * 2:
        return None
    with archive.open(info) as entry:
        content = entry.read(ODF_MIMETYPE_MAX_BYTES + 1)
    if len(content) > ODF_MIMETYPE_MAX_BYTES:
        return None
    return content.strip()


def _sniff_zip(stream: IO[bytes]) -> str:
    """An office document's type from its archive directory, without extracting it; plain
    ``application/zip`` (not accepted) for anything else, malformed or bomb-like."""
    try:
        if not _zip_directory_bounded(stream):
            return "application/zip"
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES or not _zip_sizes_plausible(infos):
                return "application/zip"
            names = {info.filename: info for info in infos}
            if "mimetype" in names:
                content = _odf_mimetype(archive, names["mimetype"])
                return _ODF.get(content, "application/zip") if content is not None else "application/zip"
            if "[Content_Types].xml" in names:
                for prefix, content_type in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return content_type
    except Exception:  # Whatever breaks the parser (a corrupt, encrypted or odd archive): not a document.
        return "application/zip"
    finally:
        stream.seek(0)
    return "application/zip"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head ends where it ends: a character cut in two there is not a fault of the file.
        if error.reason != "unexpected end of data" or error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8")
    lowered = text.lstrip().lower()
    # Markup is not plain text: an HTML page renamed .txt is refused.
    if lowered.startswith(("<!doctype", "<html", "<script", "<svg", "<?xml")) or "<script" in lowered:
        return False
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in text)


# Content that a browser or a server would run: HTML, SVG and script tags, inline event handlers,
# script URLs and PHP. Found anywhere in an image, a PDF or a text file, it is refused: a valid
# image header followed by markup (a polyglot) is a page waiting for a browser that sniffs.
MARKUP_TYPE = "text/html"
MARKUP_SCANNED = ("image/", "application/pdf", "text/plain")
# A tag counts only when it ends as a parser ends a tag name (space, "/" or ">"): in the compressed
# bytes of a photo, "<svg" followed by any byte would turn up by chance about once per 500 MB.
_MARKUP = re.compile(
    rb"<(?:script|html|svg|iframe|frame|object|embed|body)[\s/>]"
    rb"|<!doctype\s{1,32}html"
    rb"|<\?php"
    rb"|\bon(?:error|load|mouseover|focus|click|begin|toggle|animationstart)\s{0,32}="
    rb"|javascript\s{0,32}:",
    re.IGNORECASE,
)
# Longer than any match, so a pattern cut by a chunk boundary is still found.
_MARKUP_OVERLAP = 128


class _MarkupScanner:
    """Looks for markup across a stream fed chunk by chunk, keeping only the last few bytes."""

    def __init__(self) -> None:
        self._tail = b""
        self.found = False

    def feed(self, chunk: bytes) -> None:
        if self.found or not chunk:
            return
        window = self._tail + chunk
        if _MARKUP.search(window):
            self.found = True
        self._tail = window[-_MARKUP_OVERLAP:]


@dataclass(frozen=True)
class Inspected:
    content_type: str
    size: int
    sha256: str


def inspect(stream: IO[bytes], *, chunk_size: int = 1024 * 1024) -> Inspected:
    """Sniff, measure and hash a file in one pass, leaving the stream at its start.

    Images, PDFs and text are also searched, a chunk at a time, for markup (``_MARKUP``); one that
    holds any is reported as ``MARKUP_TYPE``, which is not on the allow-list. Memory stays at one
    chunk whatever the file's size.
    """
    stream.seek(0)
    head = stream.read(4096)
    stream.seek(0)
    content_type = sniff(head, stream)
    markup = _MarkupScanner() if content_type.startswith(MARKUP_SCANNED) else None
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(chunk_size):
        digest.update(chunk)
        size += len(chunk)
        if markup is not None:
            markup.feed(chunk)
    stream.seek(0)
    if markup is not None and markup.found:
        content_type = MARKUP_TYPE
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
