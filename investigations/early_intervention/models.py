"""Early intervention: the rules (thresholds, versioned), the flags they raise on officers, the cases
behind each flag, what happened to each flag, and each evaluation run.

A rule's identity (``Threshold``: name, kind, in force or not) is kept apart from its parameters
(``ThresholdVersion``). Parameters are never edited in place: a change writes a new version and
points the rule at it, so a flag keeps the exact version that raised it and a page can always say
what the rule was when it did.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import AllegationCategory, Complaint
from investigations.models import Disposition
from oversight.models import Officer, TimeStampedModel, history


class RuleKind(models.TextChoices):
    COMPLAINTS = "complaints", _("Complaints in a period")
    ALLEGATIONS = "allegations", _("Allegations of a category in a period")
    FINDING = "finding", _("Allegations of a category with a given finding")
    PEER_PERCENTILE = "peer_percentile", _("Complaints compared with peers")


class Threshold(TimeStampedModel):
    """One early-intervention rule. Its parameters are those of ``current_version``."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind of rule"), max_length=20, choices=RuleKind.choices, editable=False)
    is_active = models.BooleanField(
        _("in force"), default=True, help_text=_("Only rules in force are evaluated. Open flags stay open.")
    )
    current_version = models.ForeignKey(
        "ThresholdVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    history = history()

    class Meta:
        verbose_name = _("early-intervention rule")
        verbose_name_plural = _("early-intervention rules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ThresholdVersion(models.Model):
    """The parameters of one rule as they stood from ``created_at`` until the next version.

    Written once and never changed (the service refuses to; there is no row history because there
    is nothing to track). Which parameters apply depends on the rule's kind (``rules.PARAMETERS``);
    the others are empty.
    """

    threshold = models.ForeignKey(
        Threshold, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="versions", editable=False
    )
    number = models.PositiveIntegerField(_("version"), editable=False)
    count = models.PositiveIntegerField(_("at least"), null=True, blank=True, editable=False)
    window_months = models.PositiveIntegerField(_("period in months"), null=True, blank=True, editable=False)
    category = models.ForeignKey(
        AllegationCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    disposition = models.CharField(_("finding"), max_length=24, choices=Disposition.choices, blank=True, editable=False)
    percentile = models.DecimalField(
        _("percentile"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    minimum_peers = models.PositiveIntegerField(_("smallest peer group"), null=True, blank=True, editable=False)
    note = models.TextField(_("reason for the change"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_by_name = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("early-intervention rule version")
        verbose_name_plural = _("early-intervention rule versions")
        ordering = ["threshold", "-number"]
        constraints = [models.UniqueConstraint(fields=["threshold", "number"], name="ei_threshold_version_unique")]

    def __str__(self) -> str:
        return f"{self.threshold_id} v{self.number}"


class EvaluationRun(models.Model):
    """One evaluation of every officer against every rule in force: when, why, by whom, and what it
    found (per rule: officers over the threshold, flags opened, open flags brought up to date)."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Nightly schedule")
        IMPORT = "import", _("After an import")
        COMMAND = "command", _("Management command")
        STAFF = "staff", _("Asked for by a supervisor")
        DEMO = "demo", _("Demo data")

    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices, editable=False)
    as_of = models.DateTimeField(_("as of"), editable=False)
    started_at = models.DateTimeField(_("started"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    run_by_name = models.CharField(max_length=150, blank=True, editable=False)
    rules = models.PositiveIntegerField(_("rules evaluated"), default=0, editable=False)
    tripped = models.PositiveIntegerField(_("officers over a threshold"), default=0, editable=False)
    opened = models.PositiveIntegerField(_("flags opened"), default=0, editable=False)
    refreshed = models.PositiveIntegerField(_("open flags brought up to date"), default=0, editable=False)
    # Per rule (by id): {"tripped": n, "opened": n, "refreshed": n, "version": n}.
    counts = models.JSONField(default=dict, editable=False)

    class Meta:
        verbose_name = _("early-intervention evaluation")
        verbose_name_plural = _("early-intervention evaluations")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.as_of:%Y-%m-%d %H:%M}"


class Flag(TimeStampedModel):
    """An officer whose record tripped a rule: open until a supervisor reviews and closes it with an
    action and a note. One open (or in review) flag per officer and rule at a time; a closed flag
    stays closed, and only complaints not behind it can trip the rule again, which opens a new one."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UNDER_REVIEW = "under_review", _("Under review")
        CLOSED = "closed", _("Closed")

    class Action(models.TextChoices):
        NO_ACTION = "no_action", _("No action")
        MONITORING = "monitoring", _("Monitoring")
        TRAINING = "training", _("Training")
        COUNSELING = "counseling", _("Counseling")
        REFERRAL = "referral", _("Referral to the department")

    OPEN_STATUSES = (Status.OPEN, Status.UNDER_REVIEW)

    officer = models.ForeignKey(
        Officer,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="early_intervention_flags",
        editable=False,
    )
    threshold = models.ForeignKey(
        Threshold, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="flags", editable=False
    )
    version = models.ForeignKey(
        ThresholdVersion,
        verbose_name=_("rule version"),
        on_delete=models.PROTECT,
        related_name="flags",
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, editable=False, db_index=True
    )
    # What the rule counted when the flag opened, and at the latest evaluation that found the
    # officer still over the threshold (complaints, or allegations for the allegation rules).
    count = models.PositiveIntegerField(_("count when opened"), editable=False)
    latest_count = models.PositiveIntegerField(_("latest count"), editable=False)
    # Peer rules: the peer group's percentile value and its size, when the flag opened.
    peer_value = models.DecimalField(
        _("peer group value"), max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    peer_group_size = models.PositiveIntegerField(
        _("officers in the peer group"), null=True, blank=True, editable=False
    )
    window_start = models.DateTimeField(_("period from"), null=True, blank=True, editable=False)
    window_end = models.DateTimeField(_("period to"), editable=False)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, editable=False)
    opened_by_run = models.ForeignKey(
        EvaluationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    last_tripped_at = models.DateTimeField(_("last found over the threshold"), editable=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    reviewer_name = models.CharField(max_length=150, blank=True, editable=False)
    review_started_at = models.DateTimeField(_("review started"), null=True, blank=True, editable=False)
    action = models.CharField(_("action taken"), max_length=16, choices=Action.choices, blank=True, editable=False)
    closing_note = models.TextField(_("closing note"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    closed_by_name = models.CharField(max_length=150, blank=True, editable=False)
    history = history(excluded_fields=["latest_count", "last_tripped_at"])

    class Meta:
        verbose_name = _("early-intervention flag")
        verbose_name_plural = _("early-intervention flags")
        ordering = ["-opened_at", "-id"]
        permissions = [("review_flag", "Can review and close early-intervention flags")]
        constraints = [
            # The evaluation's idempotence, held by the database: never two open flags for one
            # officer and rule, whatever runs at once.
            models.UniqueConstraint(
                fields=["officer", "threshold"],
                condition=models.Q(status__in=["open", "under_review"]),
                name="ei_one_open_flag_per_officer_and_rule",
            ),
        ]
        indexes = [
            # The queue: flags by status, newest first.
            models.Index(fields=["status", "opened_at", "id"], name="ei_flag_queue_idx"),
            # The evaluation's "closed flags of this rule for this officer".
            models.Index(fields=["threshold", "officer", "status"], name="ei_flag_rule_officer_idx"),
            models.Index(fields=["officer", "opened_at"], name="ei_flag_officer_idx"),
        ]

    def __str__(self) -> str:
        return f"Flag {self.pk}: officer {self.officer_id}, rule {self.threshold_id}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class FlagCase(models.Model):
    """A complaint behind a flag: counted when the flag opened, or found by a later evaluation while
    the flag was still open (``added_at`` after the flag opened). Closing a flag closes these
    complaints for its rule and officer: they never count towards that rule for that officer again."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="cases", editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="+", editable=False)
    # Allegation rules: how many of the complaint's allegations against the officer counted.
    allegations = models.PositiveIntegerField(default=0, editable=False)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("case behind a flag")
        verbose_name_plural = _("cases behind flags")
        ordering = ["flag", "id"]
        constraints = [models.UniqueConstraint(fields=["flag", "complaint"], name="ei_flag_case_unique")]
        indexes = [models.Index(fields=["complaint", "flag"], name="ei_flag_case_complaint_idx")]

    def __str__(self) -> str:
        return f"{self.flag_id}: {self.complaint_id}"


class FlagEvent(models.Model):
    """One step in a flag's history: opened, complaints added, review started, a note, closed."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        CASES_ADDED = "cases_added", _("Complaints added")
        REVIEW_STARTED = "review_started", _("Review started")
        NOTE = "note", _("Note")
        CLOSED = "closed", _("Closed")

    flag = models.ForeignKey(Flag, on_delete=models.PROTECT, related_name="events", editable=False)
    kind = models.CharField(_("what happened"), max_length=16, choices=Kind.choices, editable=False)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    actor_name = models.CharField(max_length=150, blank=True, editable=False)
    run = models.ForeignKey(EvaluationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action taken"), max_length=16, choices=Flag.Action.choices, blank=True)
    note = models.TextField(_("note"), blank=True, editable=False)
    data = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("flag event")
        verbose_name_plural = _("flag events")
        ordering = ["flag", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.flag_id} {self.kind} {self.occurred_at:%Y-%m-%d}"
