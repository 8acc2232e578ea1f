"""PDF documents about a case. The board packet is what board members read before they vote.

The packet never prints how to reach a complainant or witness (no email, phone or address) and no
party names at all: people other than officers appear by their role only. It is written for readers
who may not see people's details: each person a record names is printed through
``personal_data.person`` with no reader (their role), and every text written into the case goes
through the case's ``personal_data.masker``, so a name in a narrative or a summary prints as the
person's role ("[a witness]"). What the board itself wrote (votes, comments, decisions) is printed
as written: its members never see the names, and masking their own words would tell them whose
name they had guessed.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, Spacer

from complaints.models import Allegation, Complaint, SubjectOfficer
from investigations.deadlines import Deadline, deadline_for, tolling_prefetch
from investigations.models import Disposition, EvidenceItem, Interview, Subpoena
from oversight import personal_data
from oversight.pdf import Document, data_table, facts_table, get_styles, para, paragraphs

from .models import BoardDecision, DecisionFinding, Recusal, Vote, VoteProposal


@dataclass
class OfficerHistory:
    """Other complaints naming one roster officer, and their findings' dispositions."""

    officer_id: int
    complaints: int = 0
    dispositions: dict[str, int] = field(default_factory=dict)


def prior_complaints(complaint: Complaint, officer_ids: list[int]) -> dict[int, OfficerHistory]:
    """For each roster officer, the number of OTHER complaints naming them and how many of those
    complaints' allegations against them ended in each disposition (the board's final one where
    there is one, else the proposed one). One query, whatever the number of officers."""
    if not officer_ids:
        return {}
    final = "allegations__finding__final_disposition"
    proposed = "allegations__finding__proposed_disposition"
    counts = {
        value: Count(
            "allegations__finding",
            filter=Q(**{final: value}) | (Q(**{final: ""}) & Q(**{proposed: value})),
            distinct=True,
        )
        for value in Disposition.values
    }
    rows = (
        SubjectOfficer.objects.filter(officer_id__in=officer_ids)
        .exclude(complaint_id=complaint.pk)
        .values("officer_id")
        .annotate(complaint_count=Count("complaint_id", distinct=True), **{f"d_{v}": c for v, c in counts.items()})
        .order_by()
    )
    histories = {pk: OfficerHistory(officer_id=pk) for pk in officer_ids}
    for row in rows:
        history = histories[row["officer_id"]]
        history.complaints = row["complaint_count"]
        history.dispositions = {v: row[f"d_{v}"] for v in Disposition.values if row[f"d_{v}"]}
    return histories


def packet_complaint(pk: int) -> Complaint:
    """The complaint with everything the packet prints, in a fixed number of queries."""
    allegations = Allegation.objects.select_related("category", "subject_officer__officer", "finding").order_by("id")
    votes = (
        Vote.objects.select_related("member")
        .prefetch_related(
            Prefetch("proposals", queryset=VoteProposal.objects.select_related("allegation__category").order_by("id"))
        )
        .order_by("created_at", "id")
    )
    decisions = BoardDecision.objects.select_related("recorded_by").prefetch_related(
        Prefetch(
            "findings",
            queryset=DecisionFinding.objects.select_related("finding__allegation__category").order_by("id"),
        )
    )
    return (
        Complaint.objects.select_related("district", "investigation")
        .prefetch_related(
            Prefetch("allegations", queryset=allegations),
            Prefetch("subject_officers", queryset=SubjectOfficer.objects.select_related("officer").order_by("id")),
            Prefetch("evidence", queryset=EvidenceItem.objects.order_by("number")),
            Prefetch("interviews", queryset=Interview.objects.select_related("interviewer").order_by("conducted_at")),
            Prefetch("subpoenas", queryset=Subpoena.objects.order_by("number")),
            Prefetch("votes", queryset=votes),
            Prefetch("recusals", queryset=Recusal.objects.select_related("member").order_by("created_at")),
            Prefetch("board_decisions", queryset=decisions),
            Prefetch("investigation__tolling_periods", queryset=tolling_prefetch().queryset),
        )
        .get(pk=pk)
    )


def _person(user: Any) -> str:
    if user is None:
        return _("Unknown")
    return user.get_full_name() or user.get_username()


def _date(value: Any) -> str:
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def _disposition(value: str) -> str:
    return str(Disposition(value).label) if value in Disposition.values else (value or "—")


class BoardPacket(Document):
    """The board's reading for one case: the complaint, what the investigation found and on what
    evidence, the deadline, the officers' prior complaints, and the board's votes so far."""

    # The personal data a packet prints (people appear by role only, never by name or contact
    # details): each delivery of a packet to a reader records a read of these.
    PERSONAL_DATA = ("narrative", "interview_summaries", "evidence")

    def __init__(self, complaint: Complaint, *, language: str | None = None):
        super().__init__(language=language)
        self.complaint = complaint
        self.filename = f"board-packet-{complaint.tracking_number}.pdf"
        self.mask = personal_data.Masker()

    def _text(self, value: Any) -> str:
        """Text written into the case, with its people printed as their roles."""
        return self.mask.text(value)

    def get_title(self) -> str:
        return _("Board packet %(tracking_number)s") % {"tracking_number": self.complaint.tracking_number}

    def get_subject(self) -> str:
        return _("Case materials for the board of %(body)s") % {"body": settings.OVERSIGHT_BODY_NAME}

    def story(self) -> list[Flowable]:
        complaint = packet_complaint(self.complaint.pk)
        investigation = getattr(complaint, "investigation", None)
        self.mask = personal_data.masker(None, complaint)
        styles = get_styles()
        return [
            para(_("Board packet"), styles.title),
            para(
                _(
                    "Confidential: for the board's deliberation only. Contact details and names of complainants "
                    "and witnesses are left out."
                ),
                styles.small,
            ),
            *self._summary(complaint, investigation),
            *self._deadline(investigation),
            *self._allegations(complaint),
            *self._evidence(complaint),
            *self._interviews(complaint),
            *self._subpoenas(complaint),
            *self._prior(complaint),
            *self._board(complaint),
        ]

    def _summary(self, complaint: Complaint, investigation: Any) -> list[Flowable]:
        styles = get_styles()
        incident = _date(complaint.incident_date) if complaint.incident_date else _("Date not known")
        rows = [
            (_("Tracking number"), para(complaint.tracking_number, styles.display)),
            (_("Received"), _date(complaint.received_at)),
            (_("District"), complaint.district.name if complaint.district else _("Not given")),
            (_("Status"), complaint.get_status_display()),
            (_("Incident date"), incident),
            (_("Place"), self._text(complaint.location_text) or _("Not given")),
        ]
        if investigation is not None:
            rows.append((_("Priority"), investigation.get_priority_display()))
        # Police employees' reports (whistleblower channel): the relationship and the flag go with
        # the case; who reported never reaches the packet (docs/whistleblower.md).
        if complaint.is_employee_report:
            rows.append((_("Filed by"), _("A police employee")))
            rows.append((_("Relationship to the department"), complaint.get_employee_relationship_display()))
            rows.append((_("Retaliation concern"), _("Yes") if complaint.retaliation_concern else _("No")))
        out: list[Flowable] = [
            para(_("Case summary"), styles.heading),
            facts_table(rows),
            para(_("Narrative"), styles.subheading),
            *paragraphs(self._text(complaint.narrative)),
        ]
        if investigation is not None and investigation.public_summary:
            summary = paragraphs(self._text(investigation.public_summary))
            out += [para(_("Investigation summary"), styles.subheading), *summary]
        return out

    def _deadline(self, investigation: Any) -> list[Flowable]:
        if investigation is None:
            return []
        styles = get_styles()
        deadline: Deadline = deadline_for(investigation)
        state = deadline.state_label
        if deadline.is_provisional:
            state = _("%(state)s (provisional: the clock is tolled)") % {"state": state}
        return [
            para(_("Deadline"), styles.heading),
            facts_table(
                [
                    (_("Discovery date"), _date(deadline.discovery_date)),
                    (_("Due date"), _date(deadline.due_date)),
                    (_("State"), state),
                    (_("Days left"), str(deadline.days_left) if deadline.days_left >= 0 else None),
                    (_("Days overdue"), str(deadline.days_overdue) if deadline.days_overdue else None),
                    (_("Days tolled"), str(deadline.tolled_days)),
                ]
            ),
        ]

    def _allegations(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        language = translation.get_language()
        allegations = list(complaint.allegations.all())
        out: list[Flowable] = [para(_("Allegations and proposed findings"), styles.heading)]
        if not allegations:
            return [*out, para(_("No allegations recorded."))]
        for number, allegation in enumerate(allegations, start=1):
            category = allegation.category.localized_name(language) if allegation.category else _("Not classified")
            finding = getattr(allegation, "finding", None)
            rows = [
                (_("Category"), category),
                (_("Officer"), str(allegation.subject_officer)),
                (_("Description"), self._text(allegation.description) or None),
                (_("Proposed finding"), _disposition(finding.proposed_disposition) if finding else _("None yet")),
                (_("Rationale"), self._text(finding.rationale) if finding else None),
                (
                    _("Final finding"),
                    _disposition(finding.final_disposition) if finding and finding.final_disposition else None,
                ),
                (_("Board rationale"), finding.final_rationale if finding and finding.final_rationale else None),
            ]
            out += [
                para(_("Allegation %(number)s") % {"number": number}, styles.subheading),
                facts_table(rows),
            ]
        return out

    def _evidence(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        items = list(complaint.evidence.all())
        out: list[Flowable] = [para(_("Evidence"), styles.heading)]
        if not items:
            return [*out, para(_("No evidence recorded."))]
        out.append(para(_("The SHA-256 fingerprint identifies each file exactly."), styles.small))
        for item in items:
            out += [
                Spacer(0, 4),
                facts_table(
                    [
                        (_("Item"), item.label),
                        (_("Kind"), item.get_kind_display()),
                        (_("Description"), self._text(item.description)),
                        (_("Source"), self._text(item.source)),
                        (_("Received"), _date(item.received_at)),
                        (_("SHA-256"), para(item.sha256, styles.mono) if item.sha256 else _("No file")),
                    ]
                ),
            ]
        return out

    def _interviews(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        interviews = list(complaint.interviews.all())
        out: list[Flowable] = [para(_("Interviews"), styles.heading)]
        if not interviews:
            return [*out, para(_("No interviews recorded."))]
        for interview in interviews:
            # The role only, never a resident's name (an officer interviewed is named).
            interviewee = personal_data.person(None, interview)
            who = capfirst(interviewee.name) if interviewee.withheld else f"{interviewee.name} ({interviewee.role})"
            out += [
                Spacer(0, 4),
                facts_table(
                    [
                        (_("Person"), who),
                        (_("Date"), _date(interview.conducted_at)),
                        (_("Place"), self._text(interview.location)),
                        (_("Interviewer"), _person(interview.interviewer)),
                        (_("Recorded"), _("Yes") if interview.recorded else _("No")),
                        (_("Summary"), paragraphs(self._text(interview.summary)) or "—"),
                    ]
                ),
            ]
        return out

    def _subpoenas(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        subpoenas = list(complaint.subpoenas.all())
        out: list[Flowable] = [para(_("Subpoenas"), styles.heading)]
        if not subpoenas:
            return [*out, para(_("No subpoenas."))]
        rows = []
        for subpoena in subpoenas:
            # A person served may be a witness: their name and address stay out of the packet.
            recipient = capfirst(personal_data.person(None, subpoena).name)
            status = subpoena.get_status_display()
            if subpoena.is_overdue:
                status = _("%(status)s (overdue)") % {"status": status}
            rows.append(
                [f"S-{subpoena.number:02d}", recipient, subpoena.get_demand_display(), _date(subpoena.due_date), status]
            )
        out.append(
            data_table(
                [_("Number"), _("Recipient"), _("Demands"), _("Due"), _("Status")],
                rows,
                col_widths=[0.1, 0.35, 0.18, 0.15, 0.22],
            )
        )
        return out

    def _prior(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        subjects = [s for s in complaint.subject_officers.all() if s.officer_id]
        out: list[Flowable] = [para(_("Prior complaints against the same officers"), styles.heading)]
        if not subjects:
            return [*out, para(_("No officer in this case is linked to the roster."))]
        histories = prior_complaints(complaint, sorted({s.officer_id for s in subjects}))
        rows, seen = [], set()
        for subject in subjects:
            if subject.officer_id in seen:
                continue
            seen.add(subject.officer_id)
            history = histories[subject.officer_id]
            dispositions = "\n".join(
                f"{_disposition(value)}: {count}" for value, count in sorted(history.dispositions.items())
            )
            rows.append([str(subject.officer), str(history.complaints), dispositions or "—"])
        out.append(
            data_table([_("Officer"), _("Other complaints"), _("Findings in them")], rows, col_widths=[0.4, 0.2, 0.4])
        )
        return out

    def _board(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        language = translation.get_language()
        votes = list(complaint.votes.all())
        recusals = list(complaint.recusals.all())
        decisions = list(complaint.board_decisions.all())
        if not (votes or recusals or decisions):
            return []
        out: list[Flowable] = [para(_("Board"), styles.heading)]
        if recusals:
            out += [
                para(_("Recusals"), styles.subheading),
                data_table(
                    [_("Member"), _("Recorded")],
                    [[_person(r.member), _date(r.created_at)] for r in recusals],
                    col_widths=[0.6, 0.4],
                ),
            ]
        if votes:
            corrected = {v.corrects_id for v in votes if v.corrects_id}
            rows = []
            for vote in votes:
                choice = vote.get_choice_display()
                if vote.pk in corrected:
                    choice = _("%(choice)s (corrected)") % {"choice": choice}
                proposals = "\n".join(
                    "{}: {} — {}".format(
                        p.allegation.category.localized_name(language)
                        if p.allegation.category
                        else _("Not classified"),
                        _disposition(p.disposition),
                        p.rationale,
                    )
                    for p in vote.proposals.all()
                )
                rows.append([_person(vote.member), choice, _date(vote.created_at), vote.comment or "", proposals])
            out += [
                para(_("Votes"), styles.subheading),
                data_table(
                    [_("Member"), _("Vote"), _("Recorded"), _("Comment"), _("Proposed findings")],
                    rows,
                    col_widths=[0.18, 0.14, 0.18, 0.22, 0.28],
                ),
            ]
        for decision in decisions:
            rows = [
                (_("Decision"), decision.get_kind_display()),
                (_("Recorded"), _date(decision.created_at)),
                (_("Recorded by"), _person(decision.recorded_by)),
                (_("Instructions or rationale"), decision.instructions or None),
            ]
            for final in decision.findings.all():
                category = final.finding.allegation.category
                label = category.localized_name(language) if category else _("Not classified")
                text = _disposition(final.final_disposition)
                if final.rationale:
                    text = f"{text} — {final.rationale}"
                if final.recommended_discipline:
                    text = f"{text} ({_('recommended discipline')}: {final.recommended_discipline})"
                rows.append((label, text))
            out += [para(_("Decision"), styles.subheading), facts_table(rows)]
        return out


__all__ = ["BoardPacket", "OfficerHistory", "packet_complaint", "prior_complaints"]
