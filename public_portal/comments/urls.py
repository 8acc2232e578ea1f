"""The staff side, mounted under ``/staff/comments/`` (URL namespace ``staff:comments``)."""

from django.urls import path  # noqa: F401

app_name = "comments"

urlpatterns: list = []
