from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseMessagesConfig(AppConfig):
    """Two-way messages between investigators and complainants, named or anonymous, read and
    answered on the public status page."""

    name = "public_portal.messages"
    label = "case_messages"
    verbose_name = _("Messages with complainants")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import registry

        registry.register()
