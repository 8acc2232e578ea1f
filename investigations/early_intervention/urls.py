"""Early intervention's staff pages, mounted under ``/staff/early-intervention/`` (URL namespace
``staff:early_intervention``)."""

from django.urls import path

from . import views

app_name = "early_intervention"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("flags/<int:flag_id>/", views.flag_detail, name="flag"),
    path("flags/<int:flag_id>/review/", views.flag_review, name="flag_review"),
    path("flags/<int:flag_id>/close/", views.flag_close, name="flag_close"),
    path("flags/<int:flag_id>/notes/", views.flag_note, name="flag_note"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_add, name="rule_add"),
    path("rules/evaluate/", views.evaluate, name="evaluate"),
    path("rules/<int:threshold_id>/", views.rule_detail, name="rule"),
]
