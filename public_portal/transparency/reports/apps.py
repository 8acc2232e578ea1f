from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicReportsConfig(AppConfig):
    """Quarterly and annual public reports: generated as a task, approved and published."""

    name = "public_portal.transparency.reports"
    label = "public_reports"
    verbose_name = _("Public reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oversight import hooks

        from . import views

        hooks.register("staff_home.panels", "public_reports", views.staff_home_panel)
