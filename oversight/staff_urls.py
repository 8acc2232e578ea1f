from django.urls import include, path

from . import views
from .audit_log import views as audit_log_views

app_name = "staff"

urlpatterns = [
    path("", views.staff_home, name="home"),
    # Signing in and out, the second factor, password reset and change (oversight.authn).
    path("", include("oversight.authn.urls")),
    # Retention (investigations.retention) is named here as a URLconf string, not imported.
    path("retention/", include("investigations.retention.urls")),
    # Staff accounts: roles granted by a supervisor, second-factor resets (oversight.staff_accounts).
    path("accounts/", include("oversight.staff_accounts.urls")),
    # Search (search.urls, named here as a URLconf string): staff:search:cases, staff:search:officer.
    path("search/", include("search.urls")),
    # Early intervention (investigations.early_intervention) and management measures (investigations.measures).
    path("early-intervention/", include("investigations.early_intervention.urls")),
    path("measures/", include("investigations.measures.urls")),
    # Messages with complainants, from the staff side (public_portal.messages).
    path("messages/", include("public_portal.messages.urls")),
    # Public meetings (public_portal.meetings) and comments on proposed recommendations (public_portal.comments).
    path("meetings/", include("public_portal.meetings.urls")),
    path("comments/", include("public_portal.comments.urls")),
    path("audit/", audit_log_views.audit_log, name="audit_log"),
    path("audit/export/", audit_log_views.audit_log_export, name="audit_log_export"),
]
