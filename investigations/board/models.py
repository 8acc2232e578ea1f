from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Allegation, Complaint
from investigations.models import Disposition, Finding, Subpoena
from oversight.models import TimeStampedModel, history

# The tables keep the names they had when board review lived in ``investigations``: moving the
# models into their own app changed no data (see migrations/0001_initial.py).


class BoardMembership(TimeStampedModel):
    """A seat on the board for a term. Only current members (today within the term) act."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="board_terms"
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    history = history(table_name="investigations_historicalboardmembership")

    class Meta:
        db_table = "investigations_boardmembership"
        verbose_name = _("board membership")
        verbose_name_plural = _("board memberships")
        ordering = ["-is_chair", "member__last_name"]

    def __str__(self) -> str:
        return f"{self.member} ({self.term_start}–{self.term_end or '…'})"

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.term_start <= on and (self.term_end is None or on <= self.term_end)


class BoardMeeting(TimeStampedModel):
    """A meeting of the board. Staff keep the cases on its agenda and who attended; the public side
    (``public_portal.meetings``) announces it with its public agenda, then shows the minutes once
    approved and published. ``status`` moves only through ``public_portal.meetings.workflow``:
    draft, agenda published, held, minutes approved, minutes published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGENDA_PUBLISHED = "agenda_published", _("Agenda published")
        HELD = "held", _("Held")
        MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
        MINUTES_PUBLISHED = "minutes_published", _("Minutes published")

    # The local date the meeting starts (kept with ``starts_at`` by the meetings services).
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    title_es = models.CharField(_("title in Spanish"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    remote_url = models.URLField(_("link to join remotely"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, editable=False, db_index=True
    )
    agenda = models.ManyToManyField(Complaint, verbose_name=_("cases on the agenda"), blank=True, related_name="+")
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_es = models.TextField(_("minutes in Spanish"), blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendance"), blank=True, related_name="+"
    )
    # The calendar entry's revision (iCalendar SEQUENCE): raised by each change once the agenda is public.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # When each public step was taken; who took it is in the meeting's events (``meetings.MeetingEvent``).
    agenda_published_at = models.DateTimeField(_("agenda published"), null=True, blank=True, editable=False)
    held_recorded_at = models.DateTimeField(_("recorded as held"), null=True, blank=True, editable=False)
    minutes_approved_at = models.DateTimeField(_("minutes approved"), null=True, blank=True, editable=False)
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True, editable=False)
    history = history(table_name="investigations_historicalboardmeeting")

    class Meta:
        db_table = "investigations_boardmeeting"
        verbose_name = _("board meeting")
        verbose_name_plural = _("board meetings")
        ordering = ["-date"]
        indexes = [
            # The public list: meetings past the draft, by start.
            models.Index(fields=["starts_at", "id"], condition=~models.Q(status="draft"), name="meeting_public_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.title}".strip()

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def minutes_are_public(self) -> bool:
        return self.status == self.Status.MINUTES_PUBLISHED


class Recusal(models.Model):
    """A member's conflict on a case. Never deleted or silently undone."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="recusals")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recusals")
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "investigations_recusal"
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["complaint", "member"], name="one_recusal_per_member_case")]

    def __str__(self) -> str:
        return f"{self.member} recused on {self.complaint}"


class Vote(models.Model):
    """A member's vote on a case. Immutable once recorded; a correction is a new vote that
    references the one it replaces."""

    class Choice(models.TextChoices):
        CONCUR = "concur", _("Concur")
        DO_NOT_CONCUR = "do_not_concur", _("Do not concur")
        ABSTAIN = "abstain", _("Abstain")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=16, choices=Choice.choices)
    comment = models.TextField(_("comment"), blank=True)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "investigations_vote"
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_choice_display()} on {self.complaint}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Votes are immutable; record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Votes are immutable; record a correction instead.")


class VoteProposal(models.Model):
    """A member's proposed disposition for one allegation, with a rationale, as part of a vote."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="proposals")
    allegation = models.ForeignKey(Allegation, on_delete=models.PROTECT, related_name="+")
    disposition = models.CharField(max_length=24, choices=Disposition.choices)
    rationale = models.TextField()

    class Meta:
        db_table = "investigations_voteproposal"
        constraints = [models.UniqueConstraint(fields=["vote", "allegation"], name="one_proposal_per_vote_allegation")]

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.allegation_id} → {self.disposition}"


class BoardDecision(models.Model):
    """The board's decision on a case, recorded by the chair once quorum is reached. Immutable;
    a correction is a new decision referencing the old."""

    class Kind(models.TextChoices):
        ADOPT = "adopt", _("Adopt the proposed findings")
        MODIFY = "modify", _("Modify the findings")
        REMAND = "remand", _("Remand to investigation")

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="board_decisions")
    kind = models.CharField(_("decision"), max_length=8, choices=Kind.choices)
    instructions = models.TextField(_("instructions or rationale"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    votes_counted = models.JSONField(default=dict, editable=False)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "investigations_boarddecision"
        verbose_name = _("board decision")
        verbose_name_plural = _("board decisions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Board decisions are immutable; record a correction instead.")
        super().save(*args, **kwargs)


class DecisionFinding(models.Model):
    """The final disposition the decision sets for one allegation (with the rationale where it
    differs from the proposal) and, when sustained, the recommended discipline."""

    decision = models.ForeignKey(BoardDecision, on_delete=models.PROTECT, related_name="findings")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="decisions")
    final_disposition = models.CharField(max_length=24, choices=Disposition.choices)
    rationale = models.TextField(blank=True)
    recommended_discipline = models.CharField(max_length=32, blank=True)

    class Meta:
        db_table = "investigations_decisionfinding"
        constraints = [models.UniqueConstraint(fields=["decision", "finding"], name="one_final_per_decision_finding")]

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.final_disposition}"


class DepartmentResponse(TimeStampedModel):
    """The police department's response to a sustained finding's recommended discipline."""

    class Response(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        MODIFIED = "modified", _("Modified")
        REJECTED = "rejected", _("Rejected")

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="department_response")
    due_date = models.DateField(_("response due"))
    response = models.CharField(_("response"), max_length=12, choices=Response.choices, blank=True)
    responded_on = models.DateField(_("date of response"), null=True, blank=True)
    discipline_imposed = models.CharField(_("discipline imposed"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    history = history(table_name="investigations_historicaldepartmentresponse")

    class Meta:
        db_table = "investigations_departmentresponse"
        verbose_name = _("department response")
        verbose_name_plural = _("department responses")
        indexes = [
            # The responses still awaited, by due date: the overdue list reads its first rows here
            # instead of every response ever recorded.
            models.Index(fields=["due_date", "id"], condition=models.Q(response=""), name="dept_response_awaited_idx")
        ]

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.response or 'awaiting'}"

    @property
    def is_overdue(self) -> bool:
        return not self.response and self.due_date < timezone.localdate()


class SubpoenaVote(models.Model):
    """A recorded board vote on authorizing one subpoena (when SUBPOENA_AUTHORIZATION is
    "board_vote"). Recorded by the chair; immutable; a subpoena's authorization links to one that
    passed."""

    subpoena = models.ForeignKey(Subpoena, on_delete=models.PROTECT, related_name="board_votes")
    meeting = models.ForeignKey(
        BoardMeeting, verbose_name=_("meeting"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    votes_for = models.PositiveSmallIntegerField(_("in favour"))
    votes_against = models.PositiveSmallIntegerField(_("against"))
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    motion = models.TextField(_("motion"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "investigations_subpoenavote"
        verbose_name = _("board vote on a subpoena")
        verbose_name_plural = _("board votes on subpoenas")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.subpoena}: {self.votes_for}–{self.votes_against}–{self.abstentions}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Recorded votes are immutable.")
        super().save(*args, **kwargs)

    @property
    def passed(self) -> bool:
        return self.votes_for > self.votes_against


class SubpoenaAuthorization(models.Model):
    """The passed board vote that authorized a subpoena (``SUBPOENA_AUTHORIZATION`` is
    "board_vote"): written by board review's effect on the subpoena's ``authorize`` move.
    Append-only, one per subpoena."""

    subpoena = models.OneToOneField(Subpoena, on_delete=models.PROTECT, related_name="board_authorization")
    vote = models.OneToOneField(SubpoenaVote, on_delete=models.PROTECT, related_name="authorization")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("board authorization of a subpoena")
        verbose_name_plural = _("board authorizations of subpoenas")

    def __str__(self) -> str:
        return f"{self.subpoena}: vote {self.vote_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A subpoena's board authorization is recorded once.")
        super().save(*args, **kwargs)
