"""The staff side, mounted under ``/staff/meetings/`` (URL namespace ``staff:meetings``)."""

from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.staff_meeting_list, name="list"),
    path("new/", views.staff_meeting_new, name="new"),
    path("<str:meeting_id>/", views.staff_meeting_detail, name="detail"),
    path("<str:meeting_id>/edit/", views.staff_meeting_edit, name="edit"),
    path("<str:meeting_id>/held/", views.staff_meeting_held, name="held"),
    path("<str:meeting_id>/minutes/", views.staff_meeting_minutes, name="minutes"),
    path("<str:meeting_id>/step/<str:action>/", views.staff_meeting_step, name="step"),
]
