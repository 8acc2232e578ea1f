"""The staff side, mounted under ``/staff/comments/`` (URL namespace ``staff:comments``): comment
periods, moderation, and the summary for the meeting packet."""

from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("", views.staff_home, name="home"),
    path("queue/", views.staff_queue, name="queue"),
    path("recommendations/<str:number>/", views.staff_recommendation, name="recommendation"),
    path("recommendations/<str:number>/summary.pdf", views.staff_summary_pdf, name="summary_pdf"),
    path("comments/<int:comment_id>/", views.staff_moderate, name="moderate"),
]
