from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthnConfig(AppConfig):
    name = "oversight.authn"
    label = "authn"
    verbose_name = _("Sign-in")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin

        from oversight import hooks

        from . import receivers, views  # noqa: F401 (receivers: the sign-in audit and session records)

        # The admin's own sign-in takes any number of attempts and knows no second factor: it is
        # replaced by the staff pages, so every way in goes through the same lockout and code.
        admin.site.login = views.admin_login
        admin.site.logout = views.admin_logout
        admin.site.password_change = views.admin_password_change
        hooks.register("staff_home.panels", "authn", views.staff_home_panel)
