"""Board review's pages, mounted under ``/staff/cases/`` beside case work (URL namespace ``board``)."""

from django.urls import path

from .views import decisions, packet, review, subpoenas

app_name = "board"

urlpatterns = [
    path("board/", review.queue, name="queue"),
    path("board/<str:tracking_number>/", review.case, name="case"),
    path("board/<str:tracking_number>/vote/", review.vote, name="vote"),
    path("board/<str:tracking_number>/recuse/", review.recuse, name="recuse"),
    path("<str:tracking_number>/decision/", decisions.decision, name="decision"),
    path(
        "<str:tracking_number>/decision/responses/<int:response_id>/",
        decisions.department_response,
        name="department_response",
    ),
    path("<str:tracking_number>/packet/", packet.board_packet, name="packet"),
    path("<str:tracking_number>/packet/<int:document_id>/", packet.board_packet_status, name="packet_status"),
    path("<str:tracking_number>/packet/<int:document_id>/download/", packet.board_packet_file, name="packet_file"),
    path("<str:tracking_number>/subpoenas/<int:number>/board-vote/", subpoenas.subpoena_vote, name="subpoena_vote"),
    path(
        "<str:tracking_number>/subpoenas/<int:number>/authorize/",
        subpoenas.subpoena_authorize,
        name="subpoena_authorize",
    ),
]
