from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        post_migrate.connect(_ensure_taxonomy, sender=self, dispatch_uid="complaints.ensure_taxonomy")


def _ensure_taxonomy(sender, using="default", **kwargs) -> None:
    # A database flush (the test runner's) empties tables that migrations seeded; put the starting
    # taxonomy and consent text back. Existing rows are never touched.
    from .consent import seed_consent
    from .models import AllegationCategory, ConsentText
    from .taxonomy import seed_taxonomy

    seed_taxonomy(AllegationCategory)
    seed_consent(ConsentText)
