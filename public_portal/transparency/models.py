"""The statistics snapshot: the public numbers, computed ahead of time and already suppressed.

Public pages, downloads and the API read only this table, never a case table. Each row is one
period: all years (``period`` "all") or one year (``period`` "2025"). ``data`` holds the period's
tables and headline measures as the public may see them: a published count is a number, a hidden
one only the word "small" or "withheld", so no true small count is stored where a public page
could reach it. ``statistics.refresh_snapshot`` replaces every row in one transaction.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

ALL_YEARS = "all"


class StatisticsSnapshot(models.Model):
    period = models.CharField(_("period"), max_length=8, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, editable=False)
    start = models.DateField(_("first day"), null=True, blank=True, editable=False)
    end = models.DateField(_("last day"), null=True, blank=True, editable=False)
    computed_at = models.DateTimeField(_("computed"), editable=False)
    threshold = models.PositiveSmallIntegerField(_("minimum cell size"), editable=False)
    data = models.JSONField(_("suppressed tables"), default=dict, editable=False)

    class Meta:
        verbose_name = _("statistics snapshot")
        verbose_name_plural = _("statistics snapshots")
        ordering = ["period"]

    def __str__(self) -> str:
        return f"{self.period} ({self.computed_at:%Y-%m-%d %H:%M})"
