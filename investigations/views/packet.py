"""The board packet download. The lead includes ``urlpatterns`` at ``<str:tracking_number>/packet/``.

The PDF is built in the request for now; a large case (hundreds of evidence items) should move to
a background task that stores the file and notifies the requester.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from complaints.models import Complaint
from oversight import audit

from ..board import is_current_member, is_recused
from ..documents import BoardPacket
from ..selectors import can_work, case_get_for_user


def may_download_packet(user: Any, complaint: Complaint) -> bool:
    """Supervisors and assigned investigators (``can_work``), and current board members who are not
    recused. The caller has already checked that ``user`` may see the case."""
    if can_work(user, complaint):
        return True
    return is_current_member(user) and not is_recused(user, complaint)


@login_required
def board_packet(request: HttpRequest, tracking_number: str) -> HttpResponse:
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
    document = BoardPacket(complaint)
    content = document.render()
    audit.record("board.packet_downloaded", target=complaint, data={"bytes": len(content)}, actor=request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", board_packet, name="board_packet"),
]
