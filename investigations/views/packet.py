"""The board packet. A small case's packet is built in the request; a large one (more items than
``BOARD_PACKET_TASK_THRESHOLD``) is built by a background task into private storage, and the
requester gets a page that shows when it is ready. Every download is audited."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from complaints.models import Complaint
from oversight import audit
from oversight.tasks import enqueue

from ..board import is_current_member, is_recused
from ..documents import BoardPacket
from ..models import GeneratedDocument
from ..selectors import can_work, case_get_for_user
from .case import case_context


def may_download_packet(user: Any, complaint: Complaint) -> bool:
    """Supervisors and assigned investigators (``can_work``), and current board members who are not
    recused. The caller has already checked that ``user`` may see the case."""
    if can_work(user, complaint):
        return True
    return is_current_member(user) and not is_recused(user, complaint)


def packet_size(complaint: Complaint) -> int:
    """How many items the packet lists: what decides between building it now or in the background."""
    return complaint.evidence.count() + complaint.interviews.count() + complaint.allegations.count()


def _packet_case(request: HttpRequest, tracking_number: str) -> Complaint:
    complaint = case_get_for_user(user=request.user, tracking_number=tracking_number)
    if not may_download_packet(request.user, complaint):
        audit.record(
            "complaint.access_denied",
            target=complaint,
            outcome=audit.Outcome.DENIED,
            data={"perm": "board_packet"},
            actor=request.user,
        )
        raise Http404("No complaint found")
    return complaint


@login_required
def board_packet(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _packet_case(request, tracking_number)
    if packet_size(complaint) > settings.BOARD_PACKET_TASK_THRESHOLD:
        recent = (
            GeneratedDocument.objects.filter(
                kind=GeneratedDocument.Kind.BOARD_PACKET,
                complaint=complaint,
                requested_by=request.user,
                failed=False,
                requested_at__gte=timezone.now() - timedelta(hours=1),
            )
            .order_by("-requested_at")
            .first()
        )
        if recent is None:
            from ..tasks import build_board_packet

            recent = GeneratedDocument.objects.create(
                kind=GeneratedDocument.Kind.BOARD_PACKET, complaint=complaint, requested_by=request.user
            )
            enqueue(build_board_packet, recent.pk)
        return redirect("cases:board_packet_status", tracking_number, recent.pk)
    document = BoardPacket(complaint)
    content = document.render()
    audit.record("board.packet_downloaded", target=complaint, data={"bytes": len(content)}, actor=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def board_packet_status(request: HttpRequest, tracking_number: str, document_id: int) -> HttpResponse:
    complaint = _packet_case(request, tracking_number)
    document = get_object_or_404(GeneratedDocument, pk=document_id, complaint=complaint, requested_by=request.user)
    return render(
        request,
        "investigations/packet_status.html",
        {**case_context(request, complaint, tab="overview"), "document": document},
    )


@login_required
def board_packet_file(request: HttpRequest, tracking_number: str, document_id: int) -> HttpResponse:
    complaint = _packet_case(request, tracking_number)
    document = get_object_or_404(
        GeneratedDocument, pk=document_id, complaint=complaint, requested_by=request.user, ready_at__isnull=False
    )
    audit.record("board.packet_downloaded", target=complaint, data={"document": document.pk}, actor=request.user)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"board-packet-{complaint.tracking_number}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", board_packet, name="board_packet"),
    path("<int:document_id>/", board_packet_status, name="board_packet_status"),
    path("<int:document_id>/download/", board_packet_file, name="board_packet_file"),
]
