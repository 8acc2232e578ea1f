"""Board packets: built in the request for a small case, in the background for a large one; every
download recorded, both as a download and as a read of the personal data the packet prints. A
packet's fixed text (headings, labels, dates) is in the requesting member's preferred language (for
a member who chose none, the language of the page they asked from); what was written into the case
is printed as written."""

from typing import IO, Any

from django.utils import translation

from complaints.models import Complaint
from investigations.models import GeneratedDocument
from oversight import audit, personal_data
from oversight.staff_accounts.selectors import preferred_language
from oversight.tasks import enqueue

from ..documents import BoardPacket
from ..selectors import packet_recent_request


def reader_language(actor: Any) -> str:
    """The language of ``actor``'s packet: their preferred one, else the page's."""
    return preferred_language(actor, default=translation.get_language())


def board_packet_request(*, complaint: Complaint, actor: Any) -> GeneratedDocument:
    """Queue a large case's board packet for ``actor``, in their preferred language, or return the
    one they asked for within the last hour (so reloading the page does not build it again). The
    caller has checked access."""
    recent = packet_recent_request(complaint=complaint, user=actor)
    if recent is not None:
        return recent
    with audit.service_atomic():
        document = GeneratedDocument.objects.create(
            kind=GeneratedDocument.Kind.BOARD_PACKET, complaint=complaint, requested_by=actor
        )
        from ..tasks import build_board_packet

        enqueue(build_board_packet, document.pk, reader_language(actor))
    return document


def board_packet_render(*, complaint: Complaint, actor: Any) -> tuple[bytes, str]:
    """Build a small case's packet now, in ``actor``'s preferred language, and record the download:
    ``(pdf, filename)``. The caller has checked access (``selectors.packet_case_get_for_user``)."""
    document = BoardPacket(complaint, language=reader_language(actor))
    content = document.render()
    audit.record("board.packet_downloaded", target=complaint, data={"bytes": len(content)}, actor=actor)
    personal_data.shown(None, complaint, BoardPacket.PERSONAL_DATA, actor=actor)
    return content, document.filename


def board_packet_open(*, document: GeneratedDocument, actor: Any) -> IO[bytes]:
    """Open a packet built in the background for download, recording the download."""
    handle = document.file.open("rb")
    audit.record("board.packet_downloaded", target=document.complaint, data={"document": document.pk}, actor=actor)
    personal_data.shown(None, document.complaint, BoardPacket.PERSONAL_DATA, actor=actor)
    return handle
