from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    """The public numbers: precomputed statistics behind the dashboard, open data and the API."""

    name = "public_portal.transparency"
    label = "transparency"
    verbose_name = _("Transparency")
    default_auto_field = "django.db.models.BigAutoField"
