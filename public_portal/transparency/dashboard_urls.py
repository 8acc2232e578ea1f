"""Public pages (included in public_portal.urls, so their names are public_portal:...)."""

from django.urls import path

from . import dashboard

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("data/tables/<slug:key>.<slug:format>", dashboard.statistics_download, name="statistics_download"),
]
