"""Staff pages of the public reports (namespace public_reports)."""

from django.urls import path

from . import views

app_name = "public_reports"

urlpatterns = [
    path("", views.staff_report_list, name="list"),
    path("new/", views.staff_report_generate, name="generate"),
    path("<int:pk>/", views.staff_report_detail, name="detail"),
    path("<int:pk>/narrative/", views.staff_report_narrative, name="narrative"),
    path("<int:pk>/move/", views.staff_report_move, name="move"),
    path("<int:pk>/report.pdf", views.staff_report_preview, name="preview"),
]
