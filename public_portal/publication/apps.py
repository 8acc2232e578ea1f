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
        from django.db.models.signals import post_delete, post_save

        from . import registry
        from .models import Publication, PublishedAllegation
        from .selectors import published_changed
        from .summaries import allegation_changed

        registry.register()
        for model in (Publication, PublishedAllegation):
            post_save.connect(published_changed, sender=model, dispatch_uid=f"published-changed-{model.__name__}")
            post_delete.connect(published_changed, sender=model, dispatch_uid=f"published-deleted-{model.__name__}")
        # A row saved one at a time keeps its publication's stored summary true (summaries.py).
        post_save.connect(allegation_changed, sender=PublishedAllegation, dispatch_uid="published-allegation-summary")
        post_delete.connect(
            allegation_changed, sender=PublishedAllegation, dispatch_uid="published-allegation-summary-deleted"
        )
