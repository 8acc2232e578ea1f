from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models import Allegation
from oversight.models import TimeStampedModel, history


class Disposition(models.TextChoices):
    SUSTAINED = "sustained", _("Sustained")
    NOT_SUSTAINED = "not_sustained", _("Not sustained")
    EXONERATED = "exonerated", _("Exonerated")
    UNFOUNDED = "unfounded", _("Unfounded")
    POLICY_FAILURE = "policy_failure", _("Policy failure")
    OFFICER_UNIDENTIFIED = "officer_unidentified", _("Officer unidentified")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ADMINISTRATIVELY_CLOSED = "administratively_closed", _("Administratively closed")


class Finding(TimeStampedModel):
    """The disposition of one allegation: proposed by the investigator, final when the board decides."""

    allegation = models.OneToOneField(Allegation, on_delete=models.PROTECT, related_name="finding")
    proposed_disposition = models.CharField(_("proposed disposition"), max_length=24, choices=Disposition.choices)
    rationale = models.TextField(_("rationale"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    final_disposition = models.CharField(
        _("final disposition"), max_length=24, choices=Disposition.choices, blank=True, editable=False
    )
    final_rationale = models.TextField(_("board rationale"), blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return f"{self.allegation}: {self.get_proposed_disposition_display()}"
