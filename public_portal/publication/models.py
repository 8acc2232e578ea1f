"""Publications: the anonymized, versioned public record of a decided case.

A ``Publication`` is one version of one case's public record. Everything the public may see is held
on it and its ``PublishedAllegation`` rows as a snapshot taken when it was drafted (and edited by the
publisher), so a public page reads these two tables and the taxonomy and district names only: never
the complaint, its parties or any other case table. ``complaint`` links the version back to its case
for staff; it is never shown or serialized.

Versions of one case share a ``public_id`` (random, unrelated to the tracking number). At most one
version of a case is published at a time; a correction publishes a new version and marks the old one
superseded; a retraction takes the case off every public surface at once. Statuses move only through
``public_portal.publication.workflow`` on the shared lifecycle mechanism.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models import AllegationCategory, Complaint
from investigations.models import Disposition
from oversight.models import District, Officer, TimeStampedModel, history

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
PUBLIC_ID_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
PUBLIC_ID_LENGTH = 8


def new_public_id() -> str:
    """A random public id such as ``D-7K3M9QXA``: nothing in it comes from the case."""
    return "D-" + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


class Publication(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded by a correction")
        RETRACTED = "retracted", _("Retracted")
        DISCARDED = "discarded", _("Discarded")

    public_id = models.CharField(_("public id"), max_length=16, default=new_public_id, editable=False, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("case"), on_delete=models.PROTECT, related_name="publications", editable=False
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        editable=False,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False, db_index=True
    )

    # --- What the public sees (a snapshot, edited only while a draft) ---
    incident_year = models.PositiveSmallIntegerField(_("incident year"), null=True, blank=True)
    incident_month = models.PositiveSmallIntegerField(_("incident month"), null=True, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_year = models.PositiveSmallIntegerField(_("year received"), null=True, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_year = models.PositiveSmallIntegerField(_("decision year"), null=True, blank=True, db_index=True)
    board_decision = models.CharField(_("board decision"), max_length=16, blank=True)
    summary = models.TextField(_("public summary"), blank=True)
    discipline_outcome = models.TextField(_("discipline outcome"), blank=True)
    department_response = models.TextField(_("department's response"), blank=True)
    # What the allegations add up to, written with them (summaries.py): how many, and each kind
    # (top-level category code) and each finding once, in order, separated by semicolons. NULL
    # until summarized.
    allegation_count = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    category_classes = models.TextField(blank=True, editable=False)
    findings = models.TextField(blank=True, editable=False)

    # --- How the summary was made (never shown to the public) ---
    # Each redaction's category, position and length in the source and the output; never removed text.
    redaction_log = models.JSONField(_("redaction log"), default=list, blank=True, editable=False)
    # SHA-256 of the source summary the log positions refer to: the review page highlights only when
    # the case's summary is still the text that was redacted.
    source_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # Spans the publisher removed by hand, in the draft's text: [{"start": int, "length": int}].
    manual_redactions = models.JSONField(default=list, blank=True, editable=False)
    disclosure_policy = models.CharField(_("disclosure policy"), max_length=32, blank=True, editable=False)

    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    drafted_by_name = models.CharField(max_length=150, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    approved_by_name = models.CharField(max_length=150, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    published_by_name = models.CharField(max_length=150, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False, db_index=True)
    ended_at = models.DateTimeField(_("superseded or retracted"), null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    ended_by_name = models.CharField(max_length=150, blank=True, editable=False)
    # Why it was retracted (staff only: the public sees only that a record was withdrawn, if at all).
    end_reason = models.TextField(_("reason"), blank=True, editable=False)
    # Why its drafter approved it alone: given only when imported cases are published in bulk
    # (``bulk.publish_imported``), the one approval the two-person rule lets through. Staff only.
    approval_reason = models.TextField(_("approval reason"), blank=True, editable=False)
    # Everyone who changed the draft's text by hand (edits and "redact more"), by user id: under the
    # two-person rule none of them may approve it.
    edited_by_ids = models.JSONField(default=list, blank=True, editable=False)

    history = history()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["public_id", "version"], name="publication_unique_version"),
            # One published version per case at a time, and one open draft or approved version.
            models.UniqueConstraint(
                fields=["complaint"], condition=models.Q(status="published"), name="publication_one_published"
            ),
            models.UniqueConstraint(
                fields=["complaint"],
                condition=models.Q(status__in=["draft", "approved"]),
                name="publication_one_open",
            ),
        ]
        permissions = [
            ("draft_publication", "Can draft publications and edit drafts"),
            ("approve_publication", "Can approve publications or send them back"),
            ("publish_publication", "Can publish approved publications"),
            ("retract_publication", "Can retract published publications"),
        ]
        indexes = [
            # The public list: published versions, newest decision first.
            models.Index(
                fields=["-decision_date", "-id"],
                condition=models.Q(status="published"),
                name="publication_public_list_idx",
            ),
            models.Index(fields=["status", "-updated_at"], name="publication_queue_idx"),
            # The versions whose allegations' summary is still to be worked out (none, once migrated).
            models.Index(
                fields=["id"], condition=models.Q(allegation_count__isnull=True), name="publication_unsummarized_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} v{self.version}"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PublishedAllegation(models.Model):
    """One allegation as published: its category, final disposition and, where the disclosure policy
    allows, the officer's name and badge. Otherwise the officer is "Officer A", "Officer B"..."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="allegations")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    category = models.ForeignKey(
        AllegationCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The top-level class of the category (Force, Abuse of authority...), for filtering and counting.
    category_class = models.ForeignKey(
        AllegationCategory,
        verbose_name=_("category class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disposition = models.CharField(_("disposition"), max_length=24)
    officer_label = models.CharField(_("officer"), max_length=40)
    officer_disclosed = models.BooleanField(_("officer named"), default=False)
    officer = models.ForeignKey(
        Officer, verbose_name=_("roster officer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer_name = models.CharField(_("officer's name"), max_length=200, blank=True)
    officer_badge = models.CharField(_("badge"), max_length=32, blank=True)
    recommended_discipline = models.CharField(_("recommended discipline"), max_length=32, blank=True)
    department_response = models.CharField(_("department's response"), max_length=12, blank=True)
    discipline_imposed = models.CharField(_("discipline imposed"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("published allegation")
        verbose_name_plural = _("published allegations")
        ordering = ["publication", "position", "id"]
        indexes = [
            models.Index(fields=["category_class", "publication"], name="puballeg_class_idx"),
            # The list's "kind of allegation + finding" filter, answered from the index alone.
            models.Index(fields=["category_class", "disposition", "publication"], name="puballeg_class_disp_idx"),
            models.Index(fields=["disposition", "publication"], name="puballeg_disposition_idx"),
            models.Index(fields=["officer", "publication"], name="puballeg_officer_idx"),
        ]
        constraints = [
            # An officer the policy keeps private has no name, badge or roster link on the public record.
            models.CheckConstraint(
                condition=models.Q(officer_disclosed=True)
                | models.Q(officer_name="", officer_badge="", officer__isnull=True),
                name="puballeg_private_officer_blank",
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication_id}: {self.disposition}"


class DisclosureRule(TimeStampedModel):
    """One line of the disclosure policy: an allegation in ``category`` (or any of its
    sub-categories) with final disposition ``disposition`` (blank: any) makes the officer's name and
    badge public, and/or the discipline and the department's response. Used when
    ``PUBLICATION_DISCLOSURE_POLICY`` is ``"rules"`` (the default); see ``policy.py``."""

    category = models.ForeignKey(
        AllegationCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Its sub-categories are covered too."),
    )
    disposition = models.CharField(
        _("final disposition"),
        max_length=24,
        choices=Disposition.choices,
        blank=True,
        help_text=_("Leave blank for any disposition."),
    )
    names_officer = models.BooleanField(_("officer's name and badge are public"), default=False)
    discloses_discipline = models.BooleanField(_("discipline and the department's response are public"), default=False)
    legal_basis = models.TextField(_("legal basis"), blank=True, help_text=_("The law or policy that makes it public."))
    history = history()

    class Meta:
        verbose_name = _("disclosure rule")
        verbose_name_plural = _("disclosure rules")
        ordering = ["category__sort_order", "disposition", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "disposition"], name="disclosure_rule_unique"),
        ]

    def __str__(self) -> str:
        disposition = self.get_disposition_display() if self.disposition else _("any disposition")
        return f"{self.category}: {disposition}"
