"""Board packets built in the background for large cases."""

from typing import Any

from complaints.models import Complaint
from investigations.models import GeneratedDocument
from oversight import audit
from oversight.tasks import enqueue

from ..selectors import packet_recent_request


def board_packet_request(*, complaint: Complaint, actor: Any) -> GeneratedDocument:
    """Queue a large case's board packet for ``actor``, or return the one they asked for within the
    last hour (so reloading the page does not build it again). The caller has checked access."""
    recent = packet_recent_request(complaint=complaint, user=actor)
    if recent is not None:
        return recent
    with audit.service_atomic():
        document = GeneratedDocument.objects.create(
            kind=GeneratedDocument.Kind.BOARD_PACKET, complaint=complaint, requested_by=actor
        )
        from ..tasks import build_board_packet

        enqueue(build_board_packet, document.pk)
    return document
