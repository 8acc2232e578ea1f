from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    """Management measures: the office's caseload and times, for supervisors and for the periodic
    public reports. One step above case work and board review, whose records it reads."""

    name = "investigations.measures"
    label = "measures"
    verbose_name = _("Management measures")
    default_auto_field = "django.db.models.BigAutoField"
