import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oversight.models import Agency, Demographic, District, Officer, TimeStampedModel, history
from oversight.permissions import GroupObjectPermissionBase, UserObjectPermissionBase
from oversight.scanning import SCAN_DUE, ScannedFile
from oversight.storage import private_storage


class AllegationCategory(TimeStampedModel):
    """The misconduct taxonomy: top-level classes and their sub-categories. Data, seeded by a
    migration and edited by agencies in the admin. ``translations`` holds names in languages other
    than English (``{"es": "..."}``) so adding a language needs no code."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=150)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    translations = models.JSONField(_("translated names"), default=dict, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = history()

    class Meta:
        verbose_name = _("allegation category")
        verbose_name_plural = _("allegation categories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name

    def localized_name(self, language: str | None = None) -> str:
        language = (language or get_language() or "en").split("-")[0]
        return self.translations.get(language) or self.name


class TrackingSequence(models.Model):
    """The last tracking number issued per prefix and year. Incremented under a row lock inside the
    transaction that creates the complaint, so numbers are unique and leave no gaps."""

    prefix = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="tracking_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class ConsentText(TimeStampedModel):
    """The advisory and consent text residents agree to, per language and version.

    Jurisdictions write their own in the admin. A published version is never edited: a change
    is a new version, so the version each resident saw stays on record with their complaint.
    """

    version = models.SlugField(_("version"), max_length=32)
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Plain text; blank lines separate paragraphs."))
    agreement = models.CharField(_("agreement label"), max_length=300)
    is_active = models.BooleanField(_("in use"), default=False)
    history = history()

    class Meta:
        verbose_name = _("advisory and consent text")
        verbose_name_plural = _("advisory and consent texts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="consent_unique_version_language"),
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.language})"

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


class Complaint(TimeStampedModel):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_TRIAGE = "in_triage", _("In triage")
        IN_MEDIATION = "in_mediation", _("In mediation")
        MEDIATED = "mediated", _("Mediated")
        REFERRED = "referred", _("Referred to another agency")
        ADMINISTRATIVELY_CLOSED = "administratively_closed", _("Administratively closed")
        UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
        FINDINGS_PROPOSED = "findings_proposed", _("Findings proposed")
        BOARD_REVIEW = "board_review", _("Board review")
        DECIDED = "decided", _("Decided")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("Walk-in")
        MAIL = "mail", _("Mail")
        EMAIL = "email", _("Email")
        REFERRAL = "referral", _("Referral")

    class Anonymity(models.TextChoices):
        NAMED = "named", _("Named")
        CONFIDENTIAL = "confidential", _("Named, identity kept confidential")
        ANONYMOUS = "anonymous", _("Anonymous")

    class Precision(models.TextChoices):
        EXACT = "exact", _("Exact")
        APPROXIMATE = "approximate", _("Approximate")
        UNKNOWN = "unknown", _("Unknown")

    INTAKE_STATUSES = (Status.RECEIVED, Status.IN_TRIAGE)
    # What intake coordinators see and act on: new complaints and those in mediation.
    TRIAGE_STATUSES = (Status.RECEIVED, Status.IN_TRIAGE, Status.IN_MEDIATION)

    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    incident_date = models.DateField(_("incident date"), null=True, blank=True)
    incident_date_precision = models.CharField(
        _("incident date precision"),
        max_length=16,
        choices=Precision.choices,
        default=Precision.EXACT,
    )
    incident_time = models.TimeField(_("incident time"), null=True, blank=True)
    incident_time_precision = models.CharField(
        _("incident time precision"),
        max_length=16,
        choices=Precision.choices,
        default=Precision.UNKNOWN,
    )
    location_text = models.TextField(_("location"), blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    narrative = models.TextField(_("narrative"))
    # A language code from settings.LANGUAGES; no choices here so a language can be added in settings.
    language = models.CharField(_("language"), max_length=10, default="en")
    anonymity = models.CharField(_("anonymity"), max_length=16, choices=Anonymity.choices, default=Anonymity.NAMED)
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=Status.choices,
        default=Status.RECEIVED,
        editable=False,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # The resident's status code, stored only as a salted hash (Django's password hashers).
    status_code_hash = models.CharField(max_length=256, blank=True, editable=False)

    class ClosureReason(models.TextChoices):
        NO_JURISDICTION = "no_jurisdiction", _("No jurisdiction")
        DUPLICATE = "duplicate", _("Duplicate of another complaint")
        WITHDRAWN = "withdrawn", _("Withdrawn by the complainant")
        INSUFFICIENT_INFORMATION = "insufficient_information", _("Not enough information to investigate")

    closure_reason = models.CharField(
        _("closure reason"), max_length=32, choices=ClosureReason.choices, blank=True, editable=False
    )
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates", editable=False
    )
    consent = models.ForeignKey(
        ConsentText,
        verbose_name=_("consent text agreed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    # Police employees' reports (whistleblower channel): docs/whistleblower.md. Set once, when the
    # report is filed (``complaints.whistleblower``), and never changed by a move, so they follow
    # the case. Who reported is the employee party (``Party.Role.EMPLOYEE``); the relationship and
    # the retaliation flag go with the case, for whoever may see it. The unit and the retaliation
    # detail can point to the person, so they are read like the employee's identity and are kept
    # out of row history (its pages show every reader of the case the fields it holds).
    class EmployeeRelationship(models.TextChoices):
        SWORN = "sworn", _("Sworn officer")
        CIVILIAN = "civilian", _("Civilian employee")
        FORMER = "former", _("Former employee")
        CONTRACTOR = "contractor", _("Contractor")
        UNDISCLOSED = "undisclosed", _("Prefers not to say")

    employee_relationship = models.CharField(
        _("police employee's relationship to the department"),
        max_length=16,
        choices=EmployeeRelationship.choices,
        blank=True,
        editable=False,
        help_text=_("Empty unless a police employee filed the report."),
    )
    retaliation_concern = models.BooleanField(_("retaliation concern"), default=False, editable=False)
    employee_unit = models.CharField(_("police employee's unit"), max_length=120, blank=True, editable=False)
    retaliation_detail = models.TextField(_("retaliation concern, in the employee's words"), blank=True, editable=False)
    history = history(excluded_fields=["idempotency_key", "status_code_hash", "employee_unit", "retaliation_detail"])

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        permissions = [
            ("view_all_complaints", "Can see every complaint"),
            ("triage_complaint", "Can triage new complaints"),
            ("assign_complaint", "Can assign investigators"),
            ("view_personal_data", "Can see complainant and witness details"),
            ("view_whistleblower_identity", "Can see who a police employee reporting is"),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="complaint_status_received_idx"),
            # The intake queue: new complaints in order of arrival, without walking the whole table.
            models.Index(
                fields=["received_at", "id"],
                name="complaint_intake_queue_idx",
                condition=models.Q(status__in=["received", "in_triage"]),
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_anonymous(self) -> bool:
        return self.anonymity == self.Anonymity.ANONYMOUS

    @property
    def is_employee_report(self) -> bool:
        """Whether a police employee filed it (the whistleblower channel)."""
        return bool(self.employee_relationship)

    @property
    def withholds_people(self) -> bool:
        """Whether the case may hold a person only some readers of the case may see: the police
        employee who reported it (``oversight.personal_data.RESTRICTED_KINDS``)."""
        return self.is_employee_report


class ComplaintStatusCount(models.Model):
    """How many complaints are in each status: one row per status, kept exact by database triggers
    on the complaints table (migration ``0008_status_counts``) through every insert, status change
    and delete, bulk ones included. Nothing in Python writes it; read it through
    ``selectors.complaint_status_counts``."""

    status = models.CharField(
        _("status"), max_length=32, choices=Complaint.Status.choices, primary_key=True, editable=False
    )
    total = models.BigIntegerField(_("complaints"), default=0, editable=False)

    class Meta:
        db_table = "complaints_status_count"
        verbose_name = _("complaint count by status")
        verbose_name_plural = _("complaint counts by status")

    def __str__(self) -> str:
        return f"{self.status}: {self.total}"


class Party(TimeStampedModel):
    class Role(models.TextChoices):
        COMPLAINANT = "complainant", _("Complainant")
        VICTIM = "victim", _("Person harmed")
        WITNESS = "witness", _("Witness")
        THIRD_PARTY = "third_party", _("Filing on someone's behalf")
        # The police employee who filed a report through the whistleblower channel: shown only to
        # readers holding ``complaints.view_whistleblower_identity`` (docs/whistleblower.md).
        EMPLOYEE = "employee", _("Police employee reporting")

    class ContactMethod(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        MAIL = "mail", _("Mail")
        NONE = "none", _("Do not contact me")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="parties"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("For a person whose name is not known."))
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.TextField(_("address"), blank=True)
    preferred_contact = models.CharField(
        _("preferred contact"),
        max_length=16,
        choices=ContactMethod.choices,
        default=ContactMethod.EMAIL,
    )
    preferred_language = models.CharField(_("preferred language"), max_length=10, default="en")
    race_ethnicity = models.CharField(
        _("race or ethnicity"), max_length=32, choices=Demographic.Race.choices, blank=True
    )
    gender = models.CharField(_("gender"), max_length=16, choices=Demographic.Gender.choices, blank=True)
    age_range = models.CharField(_("age range"), max_length=16, choices=Demographic.AgeRange.choices, blank=True)
    history = history()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["complaint", "role", "id"]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{self.get_role_display()}: {name or _('unnamed')}"

    @property
    def is_contactable(self) -> bool:
        return self.preferred_contact != self.ContactMethod.NONE and bool(self.email or self.phone or self.address)


class SubjectOfficer(TimeStampedModel):
    """An officer named in a complaint: linked to the roster once identified, else described."""

    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        related_name="subject_officers",
    )
    officer = models.ForeignKey(
        Officer,
        verbose_name=_("roster officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaint_subjects",
    )
    name_as_given = models.CharField(_("name as given"), max_length=200, blank=True)
    badge_as_given = models.CharField(_("badge as given"), max_length=32, blank=True)
    appearance = models.TextField(_("appearance"), blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=200, blank=True)
    unit_as_given = models.CharField(_("unit as given"), max_length=120, blank=True)
    # What the complaint or an imported record says of an officer not (yet) linked to the roster.
    race_as_given = models.CharField(
        _("race or ethnicity as given"), max_length=32, choices=Demographic.Race.choices, blank=True
    )
    gender_as_given = models.CharField(
        _("gender as given"), max_length=16, choices=Demographic.Gender.choices, blank=True
    )
    history = history()

    class Meta:
        verbose_name = _("subject officer")
        verbose_name_plural = _("subject officers")
        ordering = ["complaint", "id"]

    def __str__(self) -> str:
        if self.officer_id:
            return str(self.officer)
        given = " ".join(
            part
            for part in [
                self.name_as_given,
                f"#{self.badge_as_given}" if self.badge_as_given else "",
            ]
            if part
        )
        return given or str(_("Unidentified officer"))

    @property
    def is_identified(self) -> bool:
        return self.officer_id is not None


class Allegation(TimeStampedModel):
    """One accusation against one subject officer. The category may be left for staff to set."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="allegations"
    )
    subject_officer = models.ForeignKey(
        SubjectOfficer,
        verbose_name=_("subject officer"),
        on_delete=models.CASCADE,
        related_name="allegations",
    )
    category = models.ForeignKey(
        AllegationCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allegations",
    )
    description = models.TextField(_("description"), blank=True)
    history = history()

    class Meta:
        verbose_name = _("allegation")
        verbose_name_plural = _("allegations")
        ordering = ["complaint", "id"]

    def __str__(self) -> str:
        category = self.category.name if self.category_id and self.category else _("Unclassified")
        return f"{category} ({self.subject_officer})"


def attachment_key(instance: "Attachment", filename: str) -> str:
    # The stored name is random: nothing a resident typed reaches the file system.
    key = uuid.uuid4().hex
    return f"attachments/{key[:2]}/{key[2:4]}/{key}"


def _private_storage():
    return private_storage


class Attachment(TimeStampedModel, ScannedFile):
    """A file sent with a complaint. It stays in quarantine (``scan_state``) until the virus scanner
    has seen it; when the complaint is accepted it becomes an evidence item sharing the stored file."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(
        _("file"),
        upload_to=attachment_key,
        storage=_private_storage,
        max_length=200,
        editable=False,
    )
    original_name = models.CharField(_("original name"), max_length=255, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    history = history()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["complaint", "id"]
        # The retry job's query: the few files still waiting for a verdict.
        indexes = [models.Index(fields=["scan_state"], name="attachment_scan_due", condition=SCAN_DUE)]

    def __str__(self) -> str:
        return self.original_name

    @property
    def scan_number(self) -> str:
        return str(self.pk)

    def scan_reference(self) -> str:
        return f"attachment {self.scan_number}"


class PublicTimelineEntry(models.Model):
    """One dated step residents see on the status page. Never carries internal notes or names."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="timeline")
    stage = models.CharField(_("stage"), max_length=32)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    # A plain-language detail that may be shown publicly, e.g. the agency a complaint was referred to.
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("public timeline entry")
        verbose_name_plural = _("public timeline entries")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.stage} {self.occurred_at:%Y-%m-%d}"


# --- Object permissions ----------------------------------------------------------------------------
# Guardian's direct foreign-key tables for complaints. Complaints are the only objects anyone is
# ever granted (assignment, board referral, subpoena votes), so they are the only model with them.
# The unique (user or group, permission, complaint) constraint's index serves "this user's grants
# of this permission"; the foreign key's own index serves "who holds a grant on this complaint".
# Deleting a complaint deletes its grants, which generic rows never did.


class ComplaintUserObjectPermission(UserObjectPermissionBase):
    """A permission one user holds on one complaint (guardian finds it through the related name
    ``complaintuserobjectpermission``)."""

    content_object = models.ForeignKey(Complaint, on_delete=models.CASCADE)


class ComplaintGroupObjectPermission(GroupObjectPermissionBase):
    """A permission a group holds on one complaint; every member holds it."""

    content_object = models.ForeignKey(Complaint, on_delete=models.CASCADE)
