"""The printable agenda of a meeting, on the house PDF (``oversight.pdf``): the meeting's title,
time, place or link, and its public agenda items, in the reader's language."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, ListFlowable, ListItem

from investigations.board.models import BoardMeeting
from oversight.pdf import Document, facts_table, get_styles, para, paragraphs

from .selectors import agenda_public, localized


class MeetingAgenda(Document):
    def __init__(self, meeting: BoardMeeting, *, language: str | None = None) -> None:
        super().__init__(language=language)
        self.meeting = meeting

    @property
    def filename(self) -> str:
        return f"board-meeting-{self.meeting.pk}-agenda.pdf"

    def get_title(self) -> str:
        title, _lang = localized(self.meeting.title, self.meeting.title_es, self.language)
        return _("Agenda: %(title)s") % {"title": title}

    def get_subject(self) -> str:
        return _("Public agenda of a board meeting")

    def story(self) -> list[Flowable]:
        styles = get_styles()
        meeting = self.meeting
        title, _lang = localized(meeting.title, meeting.title_es, self.language)
        starts = timezone.localtime(meeting.starts_at)
        ends = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
        when = formats.date_format(starts, "DATE_FORMAT") + ", " + formats.time_format(starts, "TIME_FORMAT")
        if ends is not None:
            when += " – " + formats.time_format(ends, "TIME_FORMAT")
        story: list[Flowable] = [
            para(title, styles.title),
            facts_table(
                [
                    (_("When"), when),
                    (_("Where"), meeting.place or None),
                    (_("Join remotely"), meeting.remote_url or None),
                ]
            ),
            para(_("Agenda"), styles.heading),
        ]
        items = agenda_public(meeting, self.language)
        if items:
            story.append(
                ListFlowable(
                    [ListItem(paragraphs(item.text) or [para("")]) for item in items],
                    bulletType="1",
                    bulletFontName=styles.body.fontName,
                    bulletFontSize=styles.body.fontSize,
                )
            )
        else:
            story.append(para(_("The agenda has no items yet.")))
        story.append(
            para(
                _(
                    "Board meetings are open to the public. This agenda is also on our website, with the "
                    "minutes once the board approves them."
                ),
                styles.small,
            )
        )
        return story
