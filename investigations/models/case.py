from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from oversight.models import TimeStampedModel, history


class Investigation(TimeStampedModel):
    """The case work on an accepted complaint (one per complaint)."""

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    complaint = models.OneToOneField(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="investigation"
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    discovery_date = models.DateField(
        _("discovery date"), help_text=_("When the agency learned of the conduct; the deadline clock starts here.")
    )
    report = models.TextField(_("investigative report"), blank=True)
    public_summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_("A plain summary for the public. It will be redacted before publication; write no names."),
    )
    findings_submitted_at = models.DateTimeField(_("findings submitted"), null=True, blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        permissions = [
            ("approve_findings", "Can approve findings for board review or send them back"),
            ("reopen_case", "Can reopen a closed case"),
            ("vote_on_case", "Can vote on cases referred to the board"),
        ]

    def __str__(self) -> str:
        return str(self.complaint)


class InvestigatorAssignment(models.Model):
    """Who works a case, from when to when. Ending an assignment keeps the row."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="assignments")
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("investigator"), on_delete=models.PROTECT, related_name="assignments"
    )
    is_lead = models.BooleanField(_("lead investigator"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    assigned_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = history()

    class Meta:
        verbose_name = _("investigator assignment")
        verbose_name_plural = _("investigator assignments")
        ordering = ["-is_lead", "assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["investigation", "investigator"],
                condition=models.Q(ended_at__isnull=True),
                name="one_active_assignment_per_investigator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.investigator} on {self.investigation}"


class StatusChange(models.Model):
    """One row per status move, written only by the transition service. Never updated."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="status_changes")
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=32, choices=Complaint.Status.choices)
    to_status = models.CharField(_("to"), max_length=32, choices=Complaint.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_status} → {self.to_status}"


class CaseNote(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CONTACT_ATTEMPT = "contact_attempt", _("Contact attempt")
        RECORDS_REQUEST = "records_request", _("Records request")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTE)
    body = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    history = history()

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.complaint_id}"
