"""Documents about a complaint. The receipt is the resident's own record of what they sent us.

What a receipt says is gathered once, by ``receipt_content``; the PDF (``ComplaintReceipt``) and
the receipt web page both lay out that content, so the two cannot say different things.
"""

from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem, Paragraph, Spacer

from oversight import personal_data
from oversight.pdf import ACCENT, FONT, Document, data_table, esc, facts_table, get_styles, para, paragraphs

from .models import Complaint
from .selectors import complaint_receipt_queryset


@dataclass(frozen=True)
class ReceiptFact:
    """One label and its value (several values, one a line, for a list such as kinds of misconduct)."""

    label: str
    values: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.values)


@dataclass(frozen=True)
class ReceiptOfficer:
    heading: str
    facts: tuple[ReceiptFact, ...]


@dataclass(frozen=True)
class ReceiptPerson:
    role: str
    name: str


@dataclass(frozen=True)
class ReceiptFile:
    name: str
    size: str
    sha256: str


@dataclass(frozen=True)
class ReceiptStage:
    name: str
    text: str


@dataclass(frozen=True)
class ReceiptContent:
    """Everything a receipt says, as text in the active language; no layout."""

    intro: str
    tracking_number: str
    received_at: datetime
    received: str
    status_code: str | None
    status_code_note: str
    incident: tuple[ReceiptFact, ...]
    narrative: str
    officers: tuple[ReceiptOfficer, ...]
    no_officers: str
    people_notes: tuple[str, ...]
    people: tuple[ReceiptPerson, ...]
    files: tuple[ReceiptFile, ...]
    files_note: str
    next_steps_intro: str
    next_steps: tuple[ReceiptStage, ...]
    status_url: str
    # The sentence that gives the status page's address, as the text before and after the address,
    # so a web page can make the address a link. Empty when the address is not known.
    status_check: tuple[str, str]
    check: str
    contact: str


def _with_receipt_relations(complaint: Complaint) -> Complaint:
    """``complaint`` if it was loaded with what the receipt shows, otherwise loaded again with it."""
    loaded = getattr(complaint, "_prefetched_objects_cache", {})
    if {"subject_officers", "parties", "attachments"} <= loaded.keys():
        return complaint
    return complaint_receipt_queryset().get(pk=complaint.pk)


def _fact(label: str, *values: str | None) -> ReceiptFact | None:
    kept = tuple(str(v) for v in values if v)
    return ReceiptFact(label, kept) if kept else None


def _facts(*facts: ReceiptFact | None) -> tuple[ReceiptFact, ...]:
    return tuple(f for f in facts if f is not None)


def _around(template: str, marker: str) -> tuple[str, str]:
    """The text before and after ``marker`` in a translated ``template``; a translation that lost
    the marker keeps its text, and the marker's value follows it."""
    if marker in template:
        before, _marker, after = template.partition(marker)
        return before, after
    return f"{template} ", ""


def receipt_content(
    complaint: Complaint, *, status_code: str | None = None, status_url: str | None = None
) -> ReceiptContent:
    """What the receipt of ``complaint`` says, in the active language.

    It is the resident's own copy, so it shows the names they gave, but never the demographic
    answers, and nothing about a person for an anonymous complaint. ``status_code`` is shown only
    when given (the filing session holds it); ``status_url`` is the status page's address.

    Building it is a read of the personal data it holds (``personal_data.shown``): recorded for a
    staff member who opens or downloads it, not for the resident whose receipt it is.
    """
    complaint = _with_receipt_relations(complaint)
    received = timezone.localtime(complaint.received_at)
    files = tuple(
        ReceiptFile(name=a.original_name, size=filesizeformat(a.size), sha256=a.sha256)
        for a in complaint.attachments.all()
    )
    people = _people(complaint)
    personal_data.shown(None, complaint, receipt_personal_data(people=people, files=files))
    if status_url:
        status_check = _around(
            _("Check your complaint's status at %(url)s with your tracking number and status code."), "%(url)s"
        )
    else:
        status_check = ("", "")
    if status_code:
        check = _(
            "Go to the status page on our website and enter your tracking number and the status code "
            "printed on this receipt."
        )
    else:
        check = _(
            "Go to the status page on our website and enter your tracking number and the status code "
            "you were given when you filed."
        )
    return ReceiptContent(
        intro=_(
            "Thank you for telling us what happened. This receipt is your record of the complaint "
            "as we received it. Keep it somewhere safe: it contains what you told us."
        ),
        tracking_number=complaint.tracking_number,
        received_at=received,
        received="{} ({})".format(formats.date_format(received, "DATETIME_FORMAT"), received.tzname()),
        status_code=status_code or None,
        status_code_note=_(
            "This code is shown only on this receipt and on the confirmation page. You need it, "
            "together with your tracking number, to check the status of your complaint. "
            "Do not share it with anyone you do not trust."
        ),
        incident=_incident(complaint),
        narrative=complaint.narrative,
        officers=_officers(complaint),
        no_officers=_("You did not name or describe an officer."),
        people_notes=_people_notes(complaint),
        people=people,
        files=files,
        files_note=(
            _(
                "The fingerprint (SHA-256) identifies each file exactly. Anyone can use it later to check "
                "that the file we hold is the one you sent."
            )
            if files
            else _("You did not send us any files.")
        ),
        next_steps_intro=_("Your complaint moves through these stages. You can see which one it is in at any time."),
        next_steps=_next_steps(),
        status_url=status_url or "",
        status_check=status_check,
        check=check,
        contact=_("Questions? Call %(phone)s or email %(email)s. Please have your tracking number ready.")
        % {"phone": settings.OVERSIGHT_CONTACT_PHONE, "email": settings.OVERSIGHT_CONTACT_EMAIL},
    )


def receipt_personal_data(*, people: tuple["ReceiptPerson", ...], files: tuple["ReceiptFile", ...]) -> list[str]:
    """The kinds of personal data a receipt prints: the narrative always, the people named and the
    files sent when there are any."""
    return ["narrative", *(["parties"] if people else []), *(["evidence"] if files else [])]


def _incident(complaint: Complaint) -> tuple[ReceiptFact, ...]:
    precision = Complaint.Precision
    if complaint.incident_date and complaint.incident_date_precision != precision.UNKNOWN:
        day = formats.date_format(complaint.incident_date, "DATE_FORMAT")
        if complaint.incident_date_precision == precision.APPROXIMATE:
            day = _("%(date)s (approximate)") % {"date": day}
    else:
        day = _("Date not known")
    if complaint.incident_time and complaint.incident_time_precision != precision.UNKNOWN:
        hour = formats.time_format(complaint.incident_time, "TIME_FORMAT")
        if complaint.incident_time_precision == precision.APPROXIMATE:
            hour = _("About %(time)s") % {"time": hour}
    else:
        hour = _("Time not known")
    return _facts(
        _fact(_("Date"), day),
        _fact(_("Time"), hour),
        _fact(_("Place"), complaint.location_text or _("Not given")),
        _fact(_("District"), complaint.district.name if complaint.district else None),
    )


def _officers(complaint: Complaint) -> tuple[ReceiptOfficer, ...]:
    language = translation.get_language()
    out = []
    for number, subject in enumerate(complaint.subject_officers.all(), start=1):
        if subject.officer:
            name, badge = subject.officer.full_name, subject.officer.badge_number
            unit = subject.unit_as_given or subject.officer.unit
        else:
            name, badge, unit = subject.name_as_given, subject.badge_as_given, subject.unit_as_given
        kinds: list[str] = []
        for allegation in subject.allegations.all():
            kind = allegation.category.localized_name(language) if allegation.category else _("Not yet classified")
            if kind not in kinds:
                kinds.append(kind)
        facts = _facts(
            _fact(_("Name"), name or _("Not given")),
            _fact(_("Badge number"), badge or _("Not given")),
            _fact(_("Appearance"), subject.appearance),
            _fact(_("Vehicle"), subject.vehicle),
            _fact(_("Unit"), unit),
            _fact(_("Kind of misconduct"), *(kinds or [_("Not yet classified")])),
        )
        out.append(ReceiptOfficer(heading=_("Officer %(number)s") % {"number": number}, facts=facts))
    return tuple(out)


def _people_notes(complaint: Complaint) -> tuple[str, ...]:
    parties = complaint.parties.all()
    if complaint.is_anonymous:
        # An anonymous receipt may be found by someone else: it must not point to anyone.
        notes = [_("You filed this complaint anonymously. No personal details about you were recorded.")]
        others = len(parties)
        if others:
            notes.append(
                ngettext(
                    "You also told us about %(count)d other person. Their details are kept with your "
                    "complaint but are not printed on this receipt.",
                    "You also told us about %(count)d other people. Their details are kept with your "
                    "complaint but are not printed on this receipt.",
                    others,
                )
                % {"count": others}
            )
        return tuple(notes)
    notes = []
    if complaint.anonymity == Complaint.Anonymity.CONFIDENTIAL:
        notes.append(_("You asked us to keep your identity confidential. We will not share your name."))
    if not parties:
        notes.append(_("You did not tell us about any person."))
    return tuple(notes)


def _people(complaint: Complaint) -> tuple[ReceiptPerson, ...]:
    if complaint.is_anonymous:
        return ()
    return tuple(
        ReceiptPerson(
            role=party.get_role_display(),
            name=f"{party.first_name} {party.last_name}".strip() or party.description or _("Not given"),
        )
        for party in complaint.parties.all()
    )


def _next_steps() -> tuple[ReceiptStage, ...]:
    return (
        ReceiptStage(_("Received"), _("We have your complaint. This receipt confirms it.")),
        ReceiptStage(
            _("Under review"),
            _(
                "We read your complaint and decide how to handle it. Some complaints are offered mediation "
                "or sent to another agency. If that happens, we will tell you why."
            ),
        ),
        ReceiptStage(
            _("Under investigation"),
            _(
                "An investigator collects evidence and talks to the people involved. This can take several "
                "months. If you gave us a way to reach you, we may ask you for more information."
            ),
        ),
        ReceiptStage(
            _("With the board"),
            _("The oversight board, made up of residents, looks at what the investigation found."),
        ),
        ReceiptStage(
            _("Decided"), _("The board decides whether each thing you reported happened and broke the rules.")
        ),
        ReceiptStage(_("Closed"), _("We tell you the result and close the case.")),
    )


class ComplaintReceipt(Document):
    """The receipt as a PDF: what we received, what happens next and how to check on it. It prints
    ``receipt_content``; with ``status_url`` it gives the status page's address."""

    def __init__(
        self,
        complaint: Complaint,
        *,
        status_code: str | None = None,
        language: str | None = None,
        status_url: str | None = None,
    ):
        super().__init__(language=language or complaint.language)
        self.complaint = complaint
        self.status_code = status_code
        self.status_url = status_url
        self.filename = f"receipt-{complaint.tracking_number}.pdf"

    def get_title(self) -> str:
        return _("Complaint receipt %(tracking_number)s") % {"tracking_number": self.complaint.tracking_number}

    def get_subject(self) -> str:
        return _("Receipt for a complaint to %(body)s") % {"body": settings.OVERSIGHT_BODY_NAME}

    def story(self) -> list[Flowable]:
        content = receipt_content(self.complaint, status_code=self.status_code, status_url=self.status_url)
        styles = get_styles()
        return [
            para(_("Complaint receipt"), styles.title),
            para(content.intro),
            *self._received(content),
            *self._status_code(content),
            para(_("What you told us"), styles.heading),
            *self._incident(content),
            *self._officers(content),
            *self._people(content),
            *self._evidence(content),
            *self._next_steps(content),
            *self._how_to_check(content),
        ]

    def _received(self, content: ReceiptContent) -> list[Flowable]:
        styles = get_styles()
        return [
            Spacer(0, 4),
            para(_("Tracking number"), styles.label),
            para(content.tracking_number, styles.display),
            Spacer(0, 4),
            facts_table([(_("Received"), content.received)]),
        ]

    def _status_code(self, content: ReceiptContent) -> list[Flowable]:
        if not content.status_code:
            return []
        styles = get_styles()
        return [
            KeepTogether(
                [
                    para(_("Your status code"), styles.heading),
                    para(content.status_code, styles.display_mono),
                    para(content.status_code_note),
                ]
            )
        ]

    def _incident(self, content: ReceiptContent) -> list[Flowable]:
        styles = get_styles()
        return [
            facts_table([(fact.label, fact.text) for fact in content.incident]),
            para(_("What happened"), styles.subheading),
            *paragraphs(content.narrative),
        ]

    def _officers(self, content: ReceiptContent) -> list[Flowable]:
        styles = get_styles()
        out: list[Flowable] = [para(_("Officers"), styles.subheading)]
        if not content.officers:
            return [*out, para(content.no_officers)]
        officer_heading = ParagraphStyle(
            "officer", parent=styles.label, textColor=ACCENT, spaceBefore=8, spaceAfter=2, keepWithNext=1
        )
        for officer in content.officers:
            out += [
                para(officer.heading, officer_heading),
                facts_table([(fact.label, fact.text) for fact in officer.facts]),
            ]
        return out

    def _people(self, content: ReceiptContent) -> list[Flowable]:
        styles = get_styles()
        out: list[Flowable] = [para(_("People"), styles.subheading)]
        out += [para(note) for note in content.people_notes]
        if content.people:
            rows = [[person.role, person.name] for person in content.people]
            out.append(data_table([_("Role"), _("Name or description")], rows, col_widths=[0.3, 0.7]))
        return out

    def _evidence(self, content: ReceiptContent) -> list[Flowable]:
        styles = get_styles()
        out: list[Flowable] = [para(_("Evidence files"), styles.subheading)]
        if not content.files:
            return [*out, para(content.files_note)]
        out.append(para(content.files_note, styles.small))
        rows = [
            [file.name, file.size, para(file.sha256, styles.mono)]
            for file in content.files  # the hash is 64 characters: its column fits it on one line
        ]
        out.append(data_table([_("File"), _("Size"), _("Fingerprint (SHA-256)")], rows, col_widths=[0.25, 0.1, 0.65]))
        return out

    def _next_steps(self, content: ReceiptContent) -> list[Flowable]:
        styles = get_styles()
        item_style = ParagraphStyle("stage", parent=styles.body, spaceAfter=3)
        items = [
            ListItem(Paragraph(f"<b>{esc(stage.name)}.</b> {esc(stage.text)}", item_style), value=number)
            for number, stage in enumerate(content.next_steps, start=1)
        ]
        # Short enough to keep on one page, so the stages are read as one list.
        return [
            KeepTogether(
                [
                    para(_("What happens next"), styles.heading),
                    para(content.next_steps_intro),
                    ListFlowable(
                        items, bulletType="1", bulletFormat="%s.", bulletFontName=FONT, bulletFontSize=10, leftIndent=18
                    ),
                ]
            )
        ]

    def _how_to_check(self, content: ReceiptContent) -> list[Flowable]:
        styles = get_styles()
        if content.status_url:
            before, after = content.status_check
            href = escape(content.status_url, {'"': "&quot;"})
            link = f'<a href="{href}" color="#{ACCENT.hexval()[2:]}"><u>{esc(content.status_url)}</u></a>'
            check = Paragraph(f"{esc(before)}{link}{esc(after)}", styles.body)
        else:
            check = para(content.check)
        return [
            KeepTogether([para(_("How to check your status"), styles.heading), check, para(content.contact)]),
        ]


__all__ = ["ComplaintReceipt", "ReceiptContent", "receipt_content"]
