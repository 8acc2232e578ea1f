from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """The board's meetings in public: announced with their agenda, the minutes once approved, the
    cases decided there as published dispositions, the votes as counts; managed from a staff page."""

    name = "public_portal.meetings"
    label = "meetings"
    verbose_name = _("Public meetings")
    default_auto_field = "django.db.models.BigAutoField"
