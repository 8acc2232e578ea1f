from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportingConfig(AppConfig):
    """Legacy data import: an office's historical complaints brought in from its CSV exports through
    a mapping file (``manage.py import_cases``, docs/import.md). One step above case work and board
    review, whose records it writes."""

    name = "investigations.importing"
    label = "importing"
    verbose_name = _("Legacy data import")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import registry

        registry.register()
