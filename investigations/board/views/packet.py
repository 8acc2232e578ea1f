"""The board packet. A small case's packet is built in the request; a large one (more items than
``BOARD_PACKET_TASK_THRESHOLD``) is built by a background task into private storage, and the
requester gets a page that shows when it is ready. Every download is audited."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from investigations.frame import case_context
from oversight.storage import download_response

from .. import selectors
from ..services.packets import board_packet_open, board_packet_render, board_packet_request


def _packet_case(request: HttpRequest, tracking_number: str):
    return selectors.packet_case_get_for_user(user=request.user, tracking_number=tracking_number)


@login_required
def board_packet(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _packet_case(request, tracking_number)
    if selectors.packet_size(complaint) > settings.BOARD_PACKET_TASK_THRESHOLD:
        document = board_packet_request(complaint=complaint, actor=request.user)
        return redirect("board:packet_status", tracking_number, document.pk)
    content, filename = board_packet_render(complaint=complaint, actor=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def board_packet_status(request: HttpRequest, tracking_number: str, document_id: int) -> HttpResponse:
    complaint = _packet_case(request, tracking_number)
    document = selectors.packet_document_get(complaint=complaint, user=request.user, document_id=document_id)
    return render(
        request,
        "board/packet_status.html",
        {**case_context(request, complaint, tab="overview"), "document": document},
    )


@login_required
def board_packet_file(request: HttpRequest, tracking_number: str, document_id: int) -> HttpResponse:
    complaint = _packet_case(request, tracking_number)
    document = selectors.packet_document_get(
        complaint=complaint, user=request.user, document_id=document_id, ready=True
    )
    return download_response(
        board_packet_open(document=document, actor=request.user),
        filename=f"board-packet-{complaint.tracking_number}.pdf",
        content_type="application/pdf",
    )
