from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oversight.models import TimeStampedModel, history

from .case import Investigation


class TollingPeriod(TimeStampedModel):
    """A period that stops the deadline clock. An open period (no end) tolls until today."""

    class Reason(models.TextChoices):
        CRIMINAL_PROCEEDING = "criminal_proceeding", _("Criminal proceeding")
        WRITTEN_WAIVER = "written_waiver", _("Written waiver")
        OFFICER_UNAVAILABLE = "officer_unavailable", _("Officer unavailable")
        MULTI_JURISDICTION = "multi_jurisdiction", _("Multi-jurisdiction investigation")
        CIVIL_LITIGATION = "civil_litigation", _("Civil litigation")

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="tolling_periods")
    reason = models.CharField(_("reason"), max_length=24, choices=Reason.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = history()

    class Meta:
        verbose_name = _("tolling period")
        verbose_name_plural = _("tolling periods")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="tolling_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.start}–{self.end or '…'}"


class DeadlineReminder(models.Model):
    """A deadline reminder that was sent, so each one goes out once."""

    class Kind(models.TextChoices):
        DAYS_90 = "90", _("90 days before")
        DAYS_30 = "30", _("30 days before")
        DAYS_7 = "7", _("7 days before")
        OVERDUE = "overdue", _("Overdue")

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["investigation", "kind", "due_date"], name="reminder_once_per_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.investigation_id} {self.kind} {self.due_date}"
