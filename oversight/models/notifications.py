from django.db import models
from django.utils.translation import gettext_lazy as _


class SentNotification(models.Model):
    """An email that went out, keyed so the same notice is never sent twice."""

    key = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=200)
    recipient = models.EmailField()
    language = models.CharField(max_length=10)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.key
