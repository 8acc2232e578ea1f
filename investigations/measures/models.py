from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportedMeasures(models.Model):
    """The public measures of one period (``public.PublicMeasures``: medians, percentiles, counts,
    never a name), kept with the moment of the public statistics they were printed beside.

    An annual report built from the dashboard's snapshot reads no case table: the first build
    against a snapshot works these out and keeps them here, and every rebuild against that same
    snapshot reads them back, so the report's numbers stay those of the management measures. Only
    the latest row of a period is kept. The model also holds the permission to see the measures
    page (``measures.view_measures``), which supervisors have.
    """

    period_start = models.DateField(_("first day"), editable=False)
    period_end = models.DateField(_("last day"), editable=False)
    # When the public statistics these go with were computed (the snapshot's moment).
    basis = models.DateTimeField(_("statistics as of"), editable=False)
    computed_at = models.DateTimeField(_("computed"), editable=False)
    data = models.JSONField(_("measures"), default=dict, editable=False)

    class Meta:
        verbose_name = _("reported measures")
        verbose_name_plural = _("reported measures")
        ordering = ["-period_end", "-basis"]
        default_permissions = ()
        permissions = [("view_measures", "Can see the management measures")]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end", "basis"], name="reported_measures_once")
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end} ({self.basis:%Y-%m-%d %H:%M})"
