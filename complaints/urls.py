from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("intake/", views.intake_queue, name="intake_queue"),
    path("<str:tracking_number>/", views.complaint_detail, name="detail"),
]
