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
    # Police employees' reports (whistleblower channel): "I work for the police department".
    path("police-employee/", views.employee_intake_start, name="employee_intake_start"),
    path("police-employee/done/", views.employee_intake_done, name="employee_intake_done"),
    path(
        "police-employee/receipt/<str:tracking_number>.pdf",
        views.employee_intake_receipt,
        name="employee_intake_receipt",
    ),
    path(
        "police-employee/receipt/<str:tracking_number>/",
        views.employee_intake_receipt_html,
        name="employee_intake_receipt_html",
    ),
    path("police-employee/<slug:step>/", views.employee_intake_step, name="employee_intake_step"),
    path("status/", views.status_lookup, name="status_lookup"),
    path("status/", include("public_portal.messages.public_urls")),  # the status page's messages
    # Public meetings and comments on proposed recommendations (before the recommendation pages).
    path("", include("public_portal.meetings.public_urls")),
    path("", include("public_portal.comments.public_urls")),
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
