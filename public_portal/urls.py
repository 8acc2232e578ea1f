from django.urls import include, path

from . import views
from .transparency import views as recommendation_views

app_name = "public_portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("file/", views.intake_start, name="intake_start"),
    path("file/done/", views.intake_done, name="intake_done"),
    path("file/receipt/<str:tracking_number>.pdf", views.intake_receipt, name="intake_receipt"),
    path("file/receipt/<str:tracking_number>/", views.intake_receipt_html, name="intake_receipt_html"),
    path("file/<slug:step>/", views.intake_step, name="intake_step"),
    path("status/", views.status_lookup, name="status_lookup"),
    path("recommendations/", recommendation_views.recommendation_list, name="recommendation_list"),
    path(
        "recommendations/<str:number>/",
        recommendation_views.recommendation_detail,
        name="recommendation_detail",
    ),
    # Published dispositions, open data and the API; the dashboard; the periodic reports.
    path("", include("public_portal.transparency.public_urls")),
    path("", include("public_portal.transparency.dashboard_urls")),
    path("", include("public_portal.transparency.reports.urls")),
]
