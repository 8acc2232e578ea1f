from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from oversight.models import TimeStampedModel, history

from .evidence import EvidenceItem


class Subpoena(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFTED = "drafted", _("Drafted")
        AUTHORIZED = "authorized", _("Authorized")
        ISSUED = "issued", _("Issued")
        SERVED = "served", _("Served")
        COMPLIED = "complied", _("Complied")
        PARTIALLY_COMPLIED = "partially_complied", _("Partially complied")
        NOT_COMPLIED = "not_complied", _("Not complied")
        ENFORCEMENT_REFERRED = "enforcement_referred", _("Referred for enforcement")
        QUASHED = "quashed", _("Quashed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class RecipientKind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        AGENCY = "agency", _("Agency")

    class Demand(models.TextChoices):
        DOCUMENTS = "documents", _("Documents")
        TESTIMONY = "testimony", _("Testimony")
        BOTH = "both", _("Documents and testimony")

    class ServiceMethod(models.TextChoices):
        PERSONAL = "personal", _("Personal service")
        MAIL = "mail", _("Certified mail")
        EMAIL = "email", _("Email")
        PROCESS_SERVER = "process_server", _("Process server")

    class AuthorizationMethod(models.TextChoices):
        CHAIR = "chair", _("Board chair")
        BOARD_VOTE = "board_vote", _("Board vote")
        EXECUTIVE_DIRECTOR = "executive_director", _("Executive director")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="subpoenas")
    number = models.PositiveIntegerField(_("number"), editable=False)
    recipient_kind = models.CharField(_("recipient type"), max_length=16, choices=RecipientKind.choices)
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_address = models.TextField(_("recipient address"), blank=True)
    demand = models.CharField(_("demands"), max_length=16, choices=Demand.choices)
    description = models.TextField(_("what is requested"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFTED, editable=False, db_index=True
    )
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    authorization_method = models.CharField(
        _("authorized by"), max_length=20, choices=AuthorizationMethod.choices, blank=True, editable=False
    )
    authorized_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    service_method = models.CharField(_("service method"), max_length=16, choices=ServiceMethod.choices, blank=True)
    served_at = models.DateField(_("date served"), null=True, blank=True)
    returns = models.ManyToManyField(EvidenceItem, verbose_name=_("returns"), blank=True, related_name="subpoenas")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = history()

    class Meta:
        verbose_name = _("subpoena")
        verbose_name_plural = _("subpoenas")
        ordering = ["complaint", "number"]
        constraints = [models.UniqueConstraint(fields=["complaint", "number"], name="subpoena_unique_number")]
        permissions = [("authorize_subpoena", "Can authorize subpoenas")]

    def __str__(self) -> str:
        return f"S-{self.number:02d} {self.recipient_name}"

    @property
    def is_overdue(self) -> bool:
        waiting = {self.Status.ISSUED, self.Status.SERVED}
        return self.status in waiting and self.due_date < timezone.localdate()


class SubpoenaEvent(models.Model):
    subpoena = models.ForeignKey(Subpoena, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=24, choices=Subpoena.Status.choices)
    to_status = models.CharField(max_length=24, choices=Subpoena.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.subpoena_id}: {self.from_status} → {self.to_status}"
