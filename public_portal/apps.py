from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicPortalConfig(AppConfig):
    name = "public_portal"
    verbose_name = _("Public portal")
