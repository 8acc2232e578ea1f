"""The staff side of messages, mounted under ``/staff/messages/`` (URL namespace
``staff:case_messages``): a case's Messages tab and the files its complainant sent."""

from django.urls import path

from . import views

app_name = "case_messages"

urlpatterns = [
    path("cases/<str:tracking_number>/", views.case_messages, name="case"),
    path("cases/<str:tracking_number>/files/<int:file_id>/", views.message_file_download, name="file_download"),
]
