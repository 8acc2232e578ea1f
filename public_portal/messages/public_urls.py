"""The complainant's side of messages, under ``/status/`` in the public portal's namespace
(``public_portal:status_messages``, ``public_portal:status_reply``, ``public_portal:status_close``).
No route holds a tracking number or a code: the status page is opened by posting them."""

from django.urls import path

from . import views

urlpatterns = [
    path("messages/", views.status_messages, name="status_messages"),
    path("messages/reply/", views.status_reply, name="status_reply"),
    path("close/", views.status_close, name="status_close"),
]
