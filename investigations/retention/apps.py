from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """The retention schedule, one step above case work: legal holds, the review of what is due,
    and destruction that leaves a tombstone. Case work never imports it; it joins the case pages
    and the complaint lifecycle by registering on them (``registry.py``)."""

    name = "investigations.retention"
    label = "retention"
    verbose_name = _("Records retention")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import registry

        registry.register()
