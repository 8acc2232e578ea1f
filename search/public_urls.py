"""The public search of published decisions, included in the public portal's URLconf (so its name
is ``public_portal:disposition_search``) before the decision pages, which would read "search" as
a public id."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.disposition_search, name="disposition_search"),
]
