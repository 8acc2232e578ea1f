from django.urls import include, path

from . import views
from .audit_log import views as audit_log_views

app_name = "staff"

urlpatterns = [
    path("", views.staff_home, name="home"),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    # Retention (investigations.retention) is named here as a URLconf string, not imported.
    path("retention/", include("investigations.retention.urls")),
    path("audit/", audit_log_views.audit_log, name="audit_log"),
    path("audit/export/", audit_log_views.audit_log_export, name="audit_log_export"),
]
