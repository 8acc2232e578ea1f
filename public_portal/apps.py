from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicPortalConfig(AppConfig):
    name = "public_portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from oversight import hooks

        from .transparency import views as recommendation_views

        hooks.register("staff_home.panels", "public_portal.recommendations", recommendation_views.staff_home_panel)
