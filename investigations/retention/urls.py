"""Retention's staff pages, mounted under ``/staff/retention/`` (URL namespace ``staff:retention``)."""

from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.due_list, name="due"),
    path("cases/<str:tracking_number>/", views.case, name="case"),
    path("cases/<str:tracking_number>/holds/", views.hold_place, name="hold_place"),
    path("cases/<str:tracking_number>/holds/<int:hold_id>/release/", views.hold_release, name="hold_release"),
    path("cases/<str:tracking_number>/destroy/", views.destroy, name="destroy"),
]
