"""The public side, included in the public portal's namespace (``public_portal:...``)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
