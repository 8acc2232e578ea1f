"""The public side of board meetings: the public agenda's items, which board decisions were taken at
a meeting, and each step of a meeting's lifecycle (who took it and when).

The meeting itself is ``investigations.board.models.BoardMeeting``. Nothing here holds anything about
a complaint's people: a decision is linked by its id, and the public pages show the case only as its
published record.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from investigations.board.models import BoardDecision, BoardMeeting


class AgendaItem(models.Model):
    """One item of a meeting's public agenda, in English and optionally in Spanish."""

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.CASCADE, related_name="public_agenda_items")
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("item"))
    text_es = models.TextField(_("item in Spanish"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="meeting_agenda_one_position")]

    def __str__(self) -> str:
        return f"{self.meeting_id}.{self.position}: {self.text[:60]}"


class MeetingDecision(models.Model):
    """A board decision taken at a meeting: each decision at one meeting at most."""

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.PROTECT, related_name="decision_links")
    decision = models.OneToOneField(BoardDecision, on_delete=models.PROTECT, related_name="meeting_link")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("decision taken at a meeting")
        verbose_name_plural = _("decisions taken at meetings")
        ordering = ["decision_id"]

    def __str__(self) -> str:
        return f"{self.meeting_id}: decision {self.decision_id}"


class MeetingEvent(models.Model):
    """One step of a meeting's lifecycle: what, from and to which status, who and when."""

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=24)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting step")
        verbose_name_plural = _("meeting steps")
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.from_status} → {self.to_status}"
