"""The public side, included in the public portal's namespace (``public_portal:...``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings.ics", views.meetings_calendar, name="meetings_calendar"),
    path("meetings/<str:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<str:meeting_id>.ics", views.meeting_calendar, name="meeting_calendar"),
    path("meetings/<str:meeting_id>/agenda.pdf", views.meeting_agenda_pdf, name="meeting_agenda_pdf"),
]
