"""Hostile files: what a file really is is judged from its bytes with bounded work, and anything a
browser or server could run is refused at every way in (the service, the public form, staff
evidence). What is accepted leaves only as an inert download."""

import functools
import io
import struct
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError

from complaints import services, uploads
from complaints.models import Attachment
from investigations.models import EvidenceItem
from investigations.services.evidence import evidence_add
from public_portal.models import DraftFile
from tests.factories import PNG_BYTES, ComplaintFactory
from tests.public_portal.intake_flow import start, upload

MB = 1024 * 1024
# The start of a real JPEG: SOI, then a JFIF APP0 segment.
JPEG_HEAD = bytes.fromhex("ffd8ffe000104a46494600010100000100010000")
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MARKUP_REFUSED = "contains web page or script code"
NOT_A_KIND = "is not a kind we can accept"


@functools.cache
def zip_bomb() -> bytes:
    """A 300 KB ".odt" whose ``mimetype`` entry inflates to 300 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w") as entry:
            zeros = bytes(MB)
            for _ in range(300):
                entry.write(zeros)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _central_entry(data: bytes, name: bytes) -> int:
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        (name_length,) = struct.unpack("<H", data[at + 28 : at + 30])
        if data[at + 46 : at + 46 + name_length] == name:
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"no entry {name!r}")


@functools.cache
def lying_zip_bomb() -> bytes:
    """The same bomb whose directory claims a 40-byte ``mimetype`` compressed into 200 bytes: the
    declared sizes pass every check, so only a bounded read stops it."""
    data = bytearray(zip_bomb())
    at = _central_entry(bytes(data), b"mimetype")
    data[at + 20 : at + 28] = struct.pack("<II", 200, 40)  # compressed size, uncompressed size
    return bytes(data)


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=method)
    return buffer.getvalue()


def odt() -> bytes:
    return _zip([("mimetype", ODT.encode()), ("content.xml", b"<office:document-content/>")], stored_first=True)


# Every hostile file: (what it is, the name it comes under, its bytes, the service's refusal).
HOSTILE = [
    ("PHP named .jpg", "shell.jpg", b"<?php system($_GET['c']); ?>\n", MARKUP_REFUSED),
    ("HTML with onerror named .jpg", "cat.jpg", b"<img src=x onerror=\"fetch('/staff/')\">\n", MARKUP_REFUSED),
    (
        "SVG with onload",
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><rect/></svg>',
        NOT_A_KIND,
    ),
    (
        "SVG with an XML prolog named .png",
        "logo.png",
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        NOT_A_KIND,
    ),
    (
        "script after the first 4 KB of text",
        "notes.txt",
        b"Notes about the stop.\n" * 300 + b"<ScRiPt>alert(1)</script>\n",
        MARKUP_REFUSED,
    ),
    (
        "markup cut by a read boundary",
        "long.txt",
        b"a" * (MB - 3) + b"<script>alert(1)</script>",
        MARKUP_REFUSED,
    ),
    (
        "JPEG/HTML polyglot",
        "photo.jpg",
        JPEG_HEAD + bytes(2000) + b"<html><script>alert(1)</script></html>" + b"\xff\xd9",
        MARKUP_REFUSED,
    ),
    ("PNG with SVG appended", "pixel.png", PNG_BYTES + b"<svg/onload=alert(1)>", MARKUP_REFUSED),
    (
        "PDF carrying an HTML page",
        "report.pdf",
        b"%PDF-1.4\n1 0 obj<<>>endobj\n<html><body onload=alert(1)>",
        MARKUP_REFUSED,
    ),
    ("JPEG with a script URL", "link.jpg", JPEG_HEAD + b"href=JavaScript:alert(1)" + b"\xff\xd9", MARKUP_REFUSED),
    ("ODT zip bomb (300 MB mimetype)", "bomb.odt", None, NOT_A_KIND),
    ("ODT zip bomb with lying sizes", "liar.odt", "lying", NOT_A_KIND),
]


def _content(content):
    if content is None:
        return zip_bomb()
    if content == "lying":
        return lying_zip_bomb()
    return content


HOSTILE_IDS = [label for label, *_rest in HOSTILE]


# --- Decompression is bounded ---------------------------------------------------------------------


def test_the_zip_bomb_is_small_and_declares_300_mb():
    data = zip_bomb()
    assert len(data) < 400 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("mimetype").file_size == 300 * MB


@pytest.mark.parametrize("bomb", [zip_bomb, lying_zip_bomb], ids=["honest sizes", "lying sizes"])
def test_zip_bomb_is_refused_with_under_50_mb_of_memory_growth(bomb):
    data = bomb()
    stream = io.BytesIO(data)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline, _peak = tracemalloc.get_traced_memory()
        info = uploads.inspect(stream)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.content_type == "application/zip"
    assert info.content_type not in uploads.ALLOWED_TYPES
    assert peak - baseline < 50 * MB
    assert info.size == len(data)


@pytest.mark.django_db
def test_zip_bomb_is_refused_by_the_service_with_bounded_memory(private_storage):
    complaint = ComplaintFactory()
    stream = io.BytesIO(zip_bomb())
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline, _peak = tracemalloc.get_traced_memory()
        with pytest.raises(ValidationError, match=NOT_A_KIND):
            services.attachment_add(complaint=complaint, stream=stream, original_name="bomb.odt")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - baseline < 50 * MB
    assert not Attachment.objects.exists()


def test_an_archive_with_too_many_entries_is_not_parsed():
    many = _zip([("[Content_Types].xml", b"<Types/>")] + [(f"word/part{i}.xml", b"") for i in range(10_001)])
    assert uploads.inspect(io.BytesIO(many)).content_type == "application/zip"


def test_an_entry_inflating_a_thousandfold_is_refused_even_in_an_office_document():
    squeezed = _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", bytes(20 * MB))])
    assert uploads.inspect(io.BytesIO(squeezed)).content_type == "application/zip"


def test_a_corrupt_archive_is_not_an_office_document():
    assert uploads.inspect(io.BytesIO(b"PK\x03\x04" + b"\x00" * 200)).content_type == "application/zip"


def test_real_office_documents_are_still_recognised():
    docx = _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>" * 50)])
    assert uploads.inspect(io.BytesIO(odt())).content_type == ODT
    assert uploads.inspect(io.BytesIO(docx)).content_type == DOCX


def test_text_whose_first_4_kb_ends_inside_a_character_is_still_text():
    text = ("a" * 4095 + "é, según el informe.\n").encode()
    assert text[4095:4097] == "é".encode()
    assert uploads.inspect(io.BytesIO(text)).content_type == "text/plain"


def test_ordinary_text_with_angle_brackets_and_the_word_script_is_accepted():
    text = b"The officer said the script was 3 < 4 > 2 and left at 5pm. Online: onerror is a word.\n" * 100
    assert uploads.inspect(io.BytesIO(text)).content_type == "text/plain"


# --- Every way in refuses every hostile file --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "name", "content", "message"), HOSTILE, ids=HOSTILE_IDS)
def test_the_attachment_service_refuses_every_hostile_file(label, name, content, message, private_storage):
    complaint = ComplaintFactory()
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(complaint=complaint, stream=io.BytesIO(_content(content)), original_name=name)
    assert message in " ".join(refused.value.messages)
    assert name in " ".join(refused.value.messages)
    assert not Attachment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "name", "content", "message"), HOSTILE, ids=HOSTILE_IDS)
def test_the_public_form_refuses_every_hostile_file(label, name, content, message, client):
    start(client)
    response = upload(client, name, _content(content))
    assert response.status_code == 400
    expected = "contains web page or script code" if message == MARKUP_REFUSED else "not a kind of file we can accept"
    assert expected in response.content.decode()
    assert not DraftFile.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "name", "content", "message"), HOSTILE, ids=HOSTILE_IDS)
def test_staff_evidence_refuses_every_hostile_file(label, name, content, message, complaint, assigned_investigator):
    with pytest.raises(ValidationError) as refused:
        evidence_add(
            complaint=complaint,
            actor=assigned_investigator,
            kind=EvidenceItem.Kind.DOCUMENT,
            source="Complainant",
            description="File the complainant emailed",
            stream=io.BytesIO(_content(content)),
            original_name=name,
        )
    expected = "contains web page or script code" if message == MARKUP_REFUSED else "is not a kind the system accepts"
    assert expected in refused.value.message_dict["file"][0]
    assert not EvidenceItem.objects.exists()


def test_the_hostile_list_covers_what_it_must():
    # Written out by hand: the kinds of hostile file the platform promises to stop.
    assert {label for label, *_rest in HOSTILE} >= {
        "PHP named .jpg",
        "HTML with onerror named .jpg",
        "SVG with onload",
        "script after the first 4 KB of text",
        "JPEG/HTML polyglot",
        "ODT zip bomb (300 MB mimetype)",
    }
    script_after = next(content for label, _n, content, _m in HOSTILE if label == "script after the first 4 KB of text")
    assert script_after.lower().index(b"<script") > 4096
