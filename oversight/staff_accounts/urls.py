"""The staff account pages, mounted under ``/staff/accounts/`` (URL namespace ``staff:accounts``)."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    # The signed-in person's own preferences (everyone's; the rest of these pages are a supervisor's).
    path("preferences/", views.preferences, name="preferences"),
    path("<int:user_id>/", views.account_detail, name="detail"),
    path("<int:user_id>/roles/grant/", views.role_grant, name="grant"),
    path("<int:user_id>/roles/revoke/", views.role_revoke, name="revoke"),
    path("<int:user_id>/second-factor/reset/", views.second_factor_reset, name="reset_second_factor"),
    path("<int:user_id>/language/", views.language_set, name="language"),
]
