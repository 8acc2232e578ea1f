"""What a staff member prefers: for now the language their emails, their board packets and (from
their next sign-in) the staff workspace are in (docs/notifications.md).

No row means no choice yet: emails go in ``settings.LANGUAGE_CODE`` and the workspace follows the
browser, as before."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oversight.models.base import TimeStampedModel


def default_language() -> str:
    return settings.LANGUAGE_CODE


class StaffPreference(TimeStampedModel):
    """One staff member's preferences, set by themself or by a supervisor (``services.language_set``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_preference", editable=False
    )
    # A code from settings.LANGUAGES; no choices here, so a language is added in settings alone.
    language = models.CharField(_("preferred language"), max_length=10, default=default_language)

    class Meta:
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
