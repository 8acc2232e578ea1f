"""The staff search pages, included in the staff URLconf as ``staff:search:...``."""

from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.case_search, name="cases"),
    path("officers/<int:officer_id>/", views.officer_detail, name="officer"),
]
