from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, Party, SubjectOfficer
from oversight.models import TimeStampedModel, history

from .evidence import EvidenceItem


class Interview(TimeStampedModel):
    class Role(models.TextChoices):
        COMPLAINANT = "complainant", _("Complainant")
        WITNESS = "witness", _("Witness")
        SUBJECT_OFFICER = "subject_officer", _("Subject officer")
        OTHER = "other", _("Other")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="interviews")
    person_name = models.CharField(_("person interviewed"), max_length=200)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="interviews")
    subject_officer = models.ForeignKey(
        SubjectOfficer, null=True, blank=True, on_delete=models.SET_NULL, related_name="interviews"
    )
    conducted_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("place"), max_length=200)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("interviewer"), on_delete=models.PROTECT, related_name="+"
    )
    recorded = models.BooleanField(_("recorded"), default=False)
    summary = models.TextField(_("summary"))
    recordings = models.ManyToManyField(EvidenceItem, verbose_name=_("recordings"), blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = history()

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-conducted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.get_role_display()})"
