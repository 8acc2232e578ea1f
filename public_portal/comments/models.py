"""Residents' comments on proposed policy recommendations, and the periods in which they are taken.

A comment period belongs to one proposed recommendation: the board (its chair, or a supervisor)
opens it with a closing date and may close it early. A comment is written once by a resident and
never edited; what changes later is its moderation (approved or rejected, by whom, when, why).

Nothing here names where a comment came from: no network address, no browser, no account. The
contact email a resident may leave is for the staff only and never reaches a public page.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oversight.models import TimeStampedModel, history
from public_portal.models import PolicyRecommendation

# Longest comment a resident may write: room for a considered view, not a whole document pasted in.
TEXT_MAX_LENGTH = 5000
NAME_MAX_LENGTH = 100


class CommentPeriod(TimeStampedModel):
    """The days in which residents may comment on a proposed recommendation: from when the board
    opened it through ``closes_on`` (inclusive), unless closed early or the recommendation is
    adopted first."""

    recommendation = models.OneToOneField(
        PolicyRecommendation,
        verbose_name=_("recommendation"),
        on_delete=models.PROTECT,
        related_name="comment_period",
        editable=False,
    )
    opened_on = models.DateField(_("opened on"), editable=False)
    closes_on = models.DateField(_("open until"), editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    opened_by_name = models.CharField(_("opened by"), max_length=150, blank=True, editable=False)
    closed_early_at = models.DateTimeField(_("closed early"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    closed_by_name = models.CharField(_("closed by"), max_length=150, blank=True, editable=False)
    history = history()

    class Meta:
        verbose_name = _("comment period")
        verbose_name_plural = _("comment periods")
        ordering = ["-closes_on", "-id"]

    def __str__(self) -> str:
        return f"{self.recommendation.number} {self.opened_on:%Y-%m-%d}–{self.closes_on:%Y-%m-%d}"

    def closed_on(self):
        """The last day comments were (or will be) taken."""
        ends = [self.closes_on]
        if self.closed_early_at is not None:
            ends.append(timezone.localdate(self.closed_early_at))
        adopted_on = self.recommendation.adopted_on
        if adopted_on is not None:
            ends.append(adopted_on)
        return min(ends)

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return (
            self.closed_early_at is None
            and self.recommendation.stage == PolicyRecommendation.Stage.PROPOSED
            and self.opened_on <= today <= self.closes_on
        )


class PublicComment(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("comment state", "Waiting for moderation")
        APPROVED = "approved", pgettext_lazy("comment state", "Approved")
        REJECTED = "rejected", pgettext_lazy("comment state", "Rejected")

    recommendation = models.ForeignKey(
        PolicyRecommendation,
        verbose_name=_("recommendation"),
        on_delete=models.PROTECT,
        related_name="public_comments",
        editable=False,
    )
    # As the resident gave them: both optional. The name is published with an approved comment;
    # the email never is.
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, blank=True, editable=False)
    email = models.EmailField(_("contact email"), blank=True, editable=False)
    text = models.TextField(_("comment"), max_length=TEXT_MAX_LENGTH, editable=False)
    language = models.CharField(_("language"), max_length=10, editable=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, editable=False)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    moderated_by_name = models.CharField(_("moderated by"), max_length=150, blank=True, editable=False)
    moderation_reason = models.TextField(_("reason"), blank=True, editable=False)
    # The form's token: a comment sent twice (a double click, a retry) is stored once.
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    history = history()

    class Meta:
        verbose_name = _("public comment")
        verbose_name_plural = _("public comments")
        ordering = ["recommendation", "received_at", "id"]
        indexes = [
            models.Index(fields=["recommendation", "state", "received_at"], name="public_comment_list_idx"),
            models.Index(fields=["state", "received_at"], name="public_comment_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.number} comment {self.pk}"

    @property
    def shown_name(self) -> str:
        """The name as published: the one given, or "Anonymous"."""
        return self.name or str(pgettext_lazy("comment author", "Anonymous"))
