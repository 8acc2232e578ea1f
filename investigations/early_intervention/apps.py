from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyInterventionConfig(AppConfig):
    """Early intervention: officers whose complaint history trips a supervisor-set threshold are
    flagged, reviewed and closed with an action. One step above case work and board review, whose
    records it reads."""

    name = "investigations.early_intervention"
    label = "early_intervention"
    verbose_name = _("Early intervention")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
