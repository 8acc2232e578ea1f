from django.urls import path

from . import views
from .transparency import views as recommendation_views

app_name = "staff_intake"

urlpatterns = [
    path("new/", views.staff_intake_start, name="intake_start"),
    path("new/done/", views.staff_intake_done, name="intake_done"),
    path("new/receipt/<str:tracking_number>.pdf", views.staff_intake_receipt, name="intake_receipt"),
    path("new/receipt/<str:tracking_number>/", views.staff_intake_receipt_html, name="intake_receipt_html"),
    path("new/<slug:step>/", views.staff_intake_step, name="intake_step"),
    path("recommendations/", recommendation_views.staff_recommendation_list, name="recommendation_list"),
    path("recommendations/new/", recommendation_views.staff_recommendation_add, name="recommendation_add"),
    path(
        "recommendations/<str:number>/",
        recommendation_views.staff_recommendation_detail,
        name="recommendation_detail",
    ),
]
