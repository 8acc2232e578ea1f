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


# What each disposition means, for the staff who choose one (findings, board votes, the board's
# decision). Residents read the plainer sentences in ``investigations.outcomes``.
DISPOSITION_DEFINITIONS = {
    Disposition.SUSTAINED: _("The evidence shows the alleged conduct happened and violated policy or law."),
    Disposition.NOT_SUSTAINED: _(
        "There is not enough evidence to prove or disprove that the alleged conduct happened."
    ),
    Disposition.EXONERATED: _("The conduct happened, but it was lawful and within policy."),
    Disposition.UNFOUNDED: _(
        "The evidence shows the conduct did not happen as alleged, or the officer was not involved."
    ),
    Disposition.POLICY_FAILURE: _(
        "The officer followed policy, but the policy or training itself is the problem: no individual fault."
    ),
    Disposition.OFFICER_UNIDENTIFIED: _(
        "The officer involved could not be identified, so no finding can be made about their conduct."
    ),
    Disposition.WITHDRAWN: _("The complainant withdrew the allegation before a finding was made."),
    Disposition.ADMINISTRATIVELY_CLOSED: _(
        "Closed without a finding on the merits, for example when the complainant cannot be reached "
        "or the matter is outside the board's jurisdiction."
    ),
}


def disposition_definitions() -> list[tuple[str, str, str]]:
    """``(value, label, definition)`` for every disposition, in the order the choices list them."""
    return [(value, label, DISPOSITION_DEFINITIONS[value]) for value, label in Disposition.choices]


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
