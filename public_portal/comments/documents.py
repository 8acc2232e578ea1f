"""The comment period's summary as a PDF for the board's meeting packet: ``CommentSummary``.

The counts by state and by language, then every approved comment with the name the resident gave
(or "Anonymous"), the date and the language. Held and rejected comments are counted, never
printed, and no contact email is ever in it: the packet is a public document.
"""

from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, KeepTogether

from oversight.pdf import Document, data_table, facts_table, get_styles, para, paragraphs

from .selectors import Summary, language_name


def _date(value: Any) -> str:
    return formats.date_format(value, "DATE_FORMAT")


class CommentSummary(Document):
    def __init__(self, summary: Summary, *, language: str | None = None) -> None:
        super().__init__(language=language)
        self.summary = summary
        self.filename = f"comments-{summary.recommendation.number}.pdf"

    def get_title(self) -> str:
        return _("Public comments on %(number)s") % {"number": self.summary.recommendation.number}

    def get_subject(self) -> str:
        return self.summary.recommendation.title

    def get_footer_text(self) -> str:
        return f"{settings.OVERSIGHT_BODY_SHORT_NAME} · {self.get_title()}"

    def _period_text(self) -> str:
        summary = self.summary
        if summary.period is None:
            return _("No comment period was opened.")
        if summary.is_open:
            return _("Open from %(start)s until %(end)s. These are the comments so far, as of %(today)s.") % {
                "start": _date(summary.period.opened_on),
                "end": _date(summary.period.closes_on),
                "today": _date(summary.as_of),
            }
        return _("Open from %(start)s; closed on %(end)s.") % {
            "start": _date(summary.period.opened_on),
            "end": _date(summary.closed_on),
        }

    def story(self) -> list[Flowable]:
        styles = get_styles()
        summary = self.summary
        recommendation = summary.recommendation
        story: list[Flowable] = [
            para(self.get_title(), styles.title),
            para(recommendation.title, styles.heading),
            facts_table(
                [
                    (_("Recommendation"), recommendation.number),
                    (_("Comment period"), self._period_text()),
                    (_("Comments received"), str(summary.total)),
                ]
            ),
            para(_("Comments by state"), styles.heading),
            data_table([_("State"), _("Comments")], [[label, str(count)] for label, count in summary.by_state]),
            para(_("Comments by language"), styles.heading),
            data_table([_("Language"), _("Comments")], [[label, str(count)] for label, count in summary.by_language]),
            para(_("The recommendation"), styles.heading),
            *paragraphs(recommendation.text),
            para(_("Approved comments"), styles.heading),
        ]
        if not summary.approved:
            story.append(para(_("No comment has been approved.")))
        for number, comment in enumerate(summary.approved, start=1):
            heading = _("%(number)d. %(name)s, %(date)s (%(language)s)") % {
                "number": number,
                "name": comment.shown_name,
                "date": _date(timezone.localdate(comment.received_at)),
                "language": language_name(comment.language),
            }
            story.append(KeepTogether([para(heading, styles.subheading), *paragraphs(comment.text)[:1]]))
            story.extend(paragraphs(comment.text)[1:])
        story.append(
            para(
                _(
                    "Comments waiting for moderation and rejected comments are counted above and not printed. "
                    "Residents' contact details are never included."
                ),
                styles.small,
            )
        )
        return story
