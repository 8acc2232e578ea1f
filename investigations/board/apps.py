from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardConfig(AppConfig):
    """Board review, one floor above case work: membership, meetings, recusal, votes, quorum,
    decisions, department responses, subpoena votes and the board packet."""

    name = "investigations.board"
    label = "board"
    verbose_name = _("Board review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import registry

        registry.register()
