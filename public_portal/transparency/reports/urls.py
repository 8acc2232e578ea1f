"""Public pages (included in public_portal.urls, so their names are public_portal:...)."""

from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/<slug:slug>.pdf", views.report_download, name="report_download"),
]
