"""PDF documents about a complaint. The receipt is the resident's own record of what they sent us."""

from django.conf import settings
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, ListFlowable, ListItem, Paragraph, Spacer

from oversight.pdf import ACCENT, FONT, Document, data_table, esc, facts_table, get_styles, para, paragraphs

from .models import Allegation, Complaint, SubjectOfficer


def _receipt_complaint(pk: int) -> Complaint:
    """The complaint with everything the receipt prints, in a fixed number of queries."""
    allegations = Allegation.objects.select_related("category").order_by("id")
    subjects = SubjectOfficer.objects.select_related("officer").prefetch_related(
        Prefetch("allegations", queryset=allegations)
    )
    return (
        Complaint.objects.select_related("district")
        .prefetch_related(Prefetch("subject_officers", queryset=subjects), "parties", "attachments")
        .get(pk=pk)
    )


class ComplaintReceipt(Document):
    """The receipt a resident gets when they file: what we received, what happens next and how to
    check on it. It is the resident's own copy, so it shows the names they gave, but never the
    demographic answers, and nothing about a person for an anonymous complaint."""

    def __init__(self, complaint: Complaint, *, status_code: str | None = None, language: str | None = None):
        super().__init__(language=language or complaint.language)
        self.complaint = complaint
        self.status_code = status_code
        self.filename = f"receipt-{complaint.tracking_number}.pdf"

    def get_title(self) -> str:
        return _("Complaint receipt %(tracking_number)s") % {"tracking_number": self.complaint.tracking_number}

    def get_subject(self) -> str:
        return _("Receipt for a complaint to %(body)s") % {"body": settings.OVERSIGHT_BODY_NAME}

    def story(self) -> list[Flowable]:
        complaint = _receipt_complaint(self.complaint.pk)
        styles = get_styles()
        return [
            para(_("Complaint receipt"), styles.title),
            para(
                _(
                    "Thank you for telling us what happened. This receipt is your record of the complaint "
                    "as we received it. Keep it somewhere safe: it contains what you told us."
                )
            ),
            *self._received(complaint),
            *self._status_code(),
            para(_("What you told us"), styles.heading),
            *self._incident(complaint),
            *self._officers(complaint),
            *self._people(complaint),
            *self._evidence(complaint),
            *self._next_steps(),
            *self._how_to_check(),
        ]

    def _received(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        received = timezone.localtime(complaint.received_at)
        when = "{} ({})".format(formats.date_format(received, "DATETIME_FORMAT"), received.tzname())
        return [
            Spacer(0, 4),
            para(_("Tracking number"), styles.label),
            para(complaint.tracking_number, styles.display),
            Spacer(0, 4),
            facts_table([(_("Received"), when)]),
        ]

    def _status_code(self) -> list[Flowable]:
        if not self.status_code:
            return []
        styles = get_styles()
        return [
            KeepTogether(
                [
                    para(_("Your status code"), styles.heading),
                    para(self.status_code, styles.display_mono),
                    para(
                        _(
                            "This code is shown only on this receipt and on the confirmation page. You need it, "
                            "together with your tracking number, to check the status of your complaint. "
                            "Do not share it with anyone you do not trust."
                        )
                    ),
                ]
            )
        ]

    def _incident(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
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
        return [
            facts_table(
                [
                    (_("Date"), day),
                    (_("Time"), hour),
                    (_("Place"), complaint.location_text or _("Not given")),
                    (_("District"), complaint.district.name if complaint.district else None),
                ]
            ),
            para(_("What happened"), styles.subheading),
            *paragraphs(complaint.narrative),
        ]

    def _officers(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        subjects = list(complaint.subject_officers.all())
        out: list[Flowable] = [para(_("Officers"), styles.subheading)]
        if not subjects:
            return [*out, para(_("You did not name or describe an officer."))]
        language = translation.get_language()
        officer_heading = ParagraphStyle(
            "officer", parent=styles.label, textColor=ACCENT, spaceBefore=8, spaceAfter=2, keepWithNext=1
        )
        for number, subject in enumerate(subjects, start=1):
            if subject.officer:
                name, badge = subject.officer.full_name, subject.officer.badge_number
                unit = subject.unit_as_given or subject.officer.unit
            else:
                name, badge, unit = subject.name_as_given, subject.badge_as_given, subject.unit_as_given
            kinds = []
            for allegation in subject.allegations.all():
                kind = allegation.category.localized_name(language) if allegation.category else _("Not yet classified")
                if kind not in kinds:
                    kinds.append(kind)
            table = facts_table(
                [
                    (_("Name"), name or _("Not given")),
                    (_("Badge number"), badge or _("Not given")),
                    (_("Appearance"), subject.appearance or None),
                    (_("Vehicle"), subject.vehicle or None),
                    (_("Unit"), unit or None),
                    (_("Kind of misconduct"), "\n".join(kinds) or _("Not yet classified")),
                ]
            )
            heading = para(_("Officer %(number)s") % {"number": number}, officer_heading)
            out += [heading, table]
        return out

    def _people(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        parties = list(complaint.parties.all())
        out: list[Flowable] = [para(_("People"), styles.subheading)]
        if complaint.is_anonymous:
            # An anonymous receipt may be found by someone else: it must not point to anyone.
            out.append(para(_("You filed this complaint anonymously. No personal details about you were recorded.")))
            others = len(parties)
            if others:
                out.append(
                    para(
                        ngettext(
                            "You also told us about %(count)d other person. Their details are kept with your "
                            "complaint but are not printed on this receipt.",
                            "You also told us about %(count)d other people. Their details are kept with your "
                            "complaint but are not printed on this receipt.",
                            others,
                        )
                        % {"count": others}
                    )
                )
            return out
        if complaint.anonymity == Complaint.Anonymity.CONFIDENTIAL:
            out.append(para(_("You asked us to keep your identity confidential. We will not share your name.")))
        if not parties:
            return [*out, para(_("You did not tell us about any person."))]
        rows = []
        for party in parties:
            name = f"{party.first_name} {party.last_name}".strip()
            rows.append([party.get_role_display(), name or party.description or _("Not given")])
        out.append(data_table([_("Role"), _("Name or description")], rows, col_widths=[0.3, 0.7]))
        return out

    def _evidence(self, complaint: Complaint) -> list[Flowable]:
        styles = get_styles()
        attachments = list(complaint.attachments.all())
        out: list[Flowable] = [para(_("Evidence files"), styles.subheading)]
        if not attachments:
            return [*out, para(_("You did not send us any files."))]
        out.append(
            para(
                _(
                    "The fingerprint (SHA-256) identifies each file exactly. Anyone can use it later to check "
                    "that the file we hold is the one you sent."
                ),
                styles.small,
            )
        )
        rows = [
            [a.original_name, filesizeformat(a.size), para(a.sha256, styles.mono)]
            for a in attachments  # the hash is 64 characters: its column fits it on one line
        ]
        out.append(data_table([_("File"), _("Size"), _("Fingerprint (SHA-256)")], rows, col_widths=[0.25, 0.1, 0.65]))
        return out

    def _next_steps(self) -> list[Flowable]:
        styles = get_styles()
        stages = [
            (_("Received"), _("We have your complaint. This receipt confirms it.")),
            (
                _("Under review"),
                _(
                    "We read your complaint and decide how to handle it. Some complaints are offered mediation "
                    "or sent to another agency. If that happens, we will tell you why."
                ),
            ),
            (
                _("Under investigation"),
                _(
                    "An investigator collects evidence and talks to the people involved. This can take several "
                    "months. If you gave us a way to reach you, we may ask you for more information."
                ),
            ),
            (
                _("With the board"),
                _("The oversight board, made up of residents, looks at what the investigation found."),
            ),
            (_("Decided"), _("The board decides whether each thing you reported happened and broke the rules.")),
            (_("Closed"), _("We tell you the result and close the case.")),
        ]
        item_style = ParagraphStyle("stage", parent=styles.body, spaceAfter=3)
        items = [
            ListItem(Paragraph(f"<b>{esc(name)}.</b> {esc(text)}", item_style), value=number)
            for number, (name, text) in enumerate(stages, start=1)
        ]
        # Short enough to keep on one page, so the stages are read as one list.
        return [
            KeepTogether(
                [
                    para(_("What happens next"), styles.heading),
                    para(_("Your complaint moves through these stages. You can see which one it is in at any time.")),
                    ListFlowable(
                        items, bulletType="1", bulletFormat="%s.", bulletFontName=FONT, bulletFontSize=10, leftIndent=18
                    ),
                ]
            )
        ]

    def _how_to_check(self) -> list[Flowable]:
        styles = get_styles()
        if self.status_code:
            check = _(
                "Go to the status page on our website and enter your tracking number and the status code "
                "printed on this receipt."
            )
        else:
            check = _(
                "Go to the status page on our website and enter your tracking number and the status code "
                "you were given when you filed."
            )
        contact = _("Questions? Call %(phone)s or email %(email)s. Please have your tracking number ready.") % {
            "phone": settings.OVERSIGHT_CONTACT_PHONE,
            "email": settings.OVERSIGHT_CONTACT_EMAIL,
        }
        return [
            KeepTogether([para(_("How to check your status"), styles.heading), para(check), para(contact)]),
        ]


__all__ = ["ComplaintReceipt"]
