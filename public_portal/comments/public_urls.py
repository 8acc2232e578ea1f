"""The public side, included in the public portal's namespace (``public_portal:...``): the form to
comment on a proposed recommendation and its confirmation, beside the recommendation's own page."""

from django.urls import path

from . import views

urlpatterns = [
    path("recommendations/<str:number>/comment/", views.comment_form, name="recommendation_comment"),
    path("recommendations/<str:number>/comment/sent/", views.comment_sent, name="recommendation_comment_sent"),
]
