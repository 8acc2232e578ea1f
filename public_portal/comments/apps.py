from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicCommentsConfig(AppConfig):
    """Residents' comments on proposed policy recommendations: a comment period the board opens,
    a public form, moderation by staff, and a summary for the meeting packet."""

    name = "public_portal.comments"
    label = "public_comments"
    verbose_name = _("Public comments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oversight import hooks

        from . import views

        # The staff home's link to the comment pages, with the comments waiting for moderation.
        hooks.register("staff_home.panels", "public_comments", views.staff_home_panel)
