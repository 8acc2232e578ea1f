from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffAccountsConfig(AppConfig):
    name = "oversight.staff_accounts"
    label = "staff_accounts"
    verbose_name = _("Staff accounts")

    def ready(self) -> None:
        from oversight import hooks

        from . import guard, middleware, views

        guard.connect()
        middleware.connect()
        hooks.register("staff_home.panels", "staff_accounts.preferences", views.staff_home_panel)
