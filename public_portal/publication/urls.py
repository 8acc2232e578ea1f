"""Staff pages of publication (namespace publication)."""

from django.urls import path

from . import views

app_name = "publication"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("case/<str:tracking_number>/", views.case, name="case"),
    path("case/<str:tracking_number>/draft/", views.draft, name="draft"),
    path("case/<str:tracking_number>/<int:number>/", views.review, name="review"),
    path("case/<str:tracking_number>/<int:number>/edit/", views.edit, name="edit"),
    path("case/<str:tracking_number>/<int:number>/redact/", views.redact_more, name="redact_more"),
    path("case/<str:tracking_number>/<int:number>/move/<str:to_status>/", views.move, name="move"),
    path("case/<str:tracking_number>/<int:number>/correct/", views.correct, name="correct"),
]
