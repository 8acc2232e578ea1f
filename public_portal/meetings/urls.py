"""The staff side, mounted under ``/staff/meetings/`` (URL namespace ``staff:meetings``)."""

from django.urls import path  # noqa: F401

app_name = "meetings"

urlpatterns: list = []
