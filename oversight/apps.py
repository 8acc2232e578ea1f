from contextlib import suppress

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Oversight core")

    def ready(self) -> None:
        from . import signals

        signals.connect()
        post_migrate.connect(_setup_roles_after_migrate, dispatch_uid="oversight.setup_roles")


def _setup_roles_after_migrate(sender, using="default", **kwargs) -> None:
    # Keeps the role groups right after every migrate (and after test database flushes). It runs
    # once, for the last installed app, when every app's permissions exist.
    from django.apps import apps

    from .permissions import setup_roles

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if using != "default" or sender.name != last.name:
        return
    # Some app's permissions may not exist yet (a partial migrate); `setup_roles` fixes it later.
    with suppress(LookupError):
        setup_roles()
