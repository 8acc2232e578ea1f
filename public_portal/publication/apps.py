from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    """Anonymized publication of decided cases: drafting, redaction, the disclosure policy, review,
    approval, publication, correction and retraction. The public pages that show what is published
    live in ``public_portal.transparency``; they read only this app's tables."""

    name = "public_portal.publication"
    label = "publication"
    verbose_name = _("Publication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import registry

        registry.register()
