"""The public reports as PDFs: ``AnnualReport`` and ``QuarterlyReport``.

Every count comes from the ``Statistics`` of the report's period (``period_statistics``: the
dashboard's snapshot for a year, ``compute_statistics`` otherwise), printed only through its
suppressed ``Cell`` (``display()``: "fewer than 11", "withheld" or the published count), so the
report shows the dashboard's counts. The times (to close, to assignment, in each stage, to the
department's response) and the caseload come from the management measures
(``investigations.measures.public``), the numbers supervisors read on the measures page for the same
period, each shown only when it rests on more than ``PUBLIC_MIN_CELL`` cases. The recommendations
come from the public selectors. This module reads no case table itself."""

import logging
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer

from investigations.measures.public import PUBLIC_STAGE_LABELS, PublicMeasures, public_measures
from investigations.measures.tables import format_days
from oversight.pdf import CONTENT_WIDTH, Document, data_table, facts_table, get_styles, para, paragraphs

from .models import PublicReport

logger = logging.getLogger(__name__)

CHART_HEIGHT = 2.8 * inch

# The measures a civilian oversight report gives (after NACOLE's guidance on public reporting), and
# where each is found in the statistics: measures (``summary``) and tables, by key. Keys the
# statistics do not hold are left out, so the section shows what was computed and nothing else.
NACOLE_MEASURES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("intakes", ("received",), ("received-closed-by-month", "by-channel")),
    ("screening", (), ("screening-outcomes",)),
    ("dispositions", ("allegations",), ("by-disposition", "by-category")),
    ("backlog", ("open_backlog",), ("open-backlog-by-stage",)),
    ("time_to_close", ("median_days_to_close", "p90_days_to_close"), ("time-to-close",)),
    ("time_to_assignment", ("median_days_to_assignment", "p90_days_to_assignment"), ()),
    (
        "department_responses",
        ("median_days_to_department_response", "p90_days_to_department_response"),
        ("department-responses",),
    ),
    ("caseload", ("caseload_per_investigator", "caseload_max_per_investigator"), ()),
]


def _measure_heading(key: str) -> str:
    return {
        "intakes": _("Intakes: complaints received"),
        "screening": _("Screening: what happened to complaints at intake"),
        "dispositions": _("Dispositions: the findings on allegations"),
        "backlog": _("Backlog: complaints still open"),
        "time_to_close": _("Time to close"),
        "time_to_assignment": _("Time to assign an investigator"),
        "department_responses": _("The department's responses to recommended discipline"),
        "caseload": _("Caseload per investigator"),
    }[key]


def _drawable(drawing: Any, key: str) -> Any:
    """``drawing`` if reportlab can draw it into a PDF, else None: a chart that cannot be drawn is
    left out (and logged) rather than failing the whole report; its table is printed either way."""
    from reportlab.graphics import renderPDF

    try:
        renderPDF.drawToString(drawing)
    except Exception:
        logger.exception("The chart of table %s could not be drawn; the report prints its table only", key)
        return None
    return drawing


def _date(value: Any) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _moment(value: Any) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _language_name(code: str) -> str:
    names = {"en": _("English"), "es": _("Spanish")}
    return names.get(code) or dict(settings.LANGUAGES).get(code, code)


def public_recommendations(until: Any) -> list[Any]:
    """The board's recommendations adopted up to ``until``, newest first, with their current status
    in the public's words (the public selectors: recommendation tables only)."""
    from public_portal.transparency import recommendations as recs

    return recs.with_public_text(recs.recommendations_public().filter(adopted_on__lte=until))


class PublicReportDocument(Document):
    """One report: cover, summary, the board's narrative, the measures, every chart with its table,
    the policy recommendations and a note on how the numbers are made."""

    def __init__(
        self,
        report: PublicReport,
        *,
        statistics: Any,
        recommendations: list[Any],
        language: str | None = None,
        measures: PublicMeasures | None = None,
    ) -> None:
        super().__init__(language=language or report.language)
        self.report = report
        self.statistics = statistics
        self.measures = measures
        self.recommendations = recommendations
        self.filename = report.filename
        self.page_count = 0

    def get_title(self) -> str:
        return self.report.title

    def get_subject(self) -> str:
        return _("Complaints about police conduct, their outcomes and the board's recommendations: %(period)s") % {
            "period": self.statistics.period_label
        }

    def get_footer_text(self) -> str:
        return f"{settings.OVERSIGHT_BODY_SHORT_NAME} · {self.report.title}"

    def intro(self) -> str:
        raise NotImplementedError

    def draw_footer(self, canvas: Any, width: float, page: int, pages: int) -> None:
        self.page_count = max(self.page_count, pages)
        super().draw_footer(canvas, width, page, pages)

    # --- The story ---------------------------------------------------------------------------------

    def story(self) -> list[Flowable]:
        return [
            *self._cover(),
            *self._summary(),
            *self._narrative(),
            *self._measures(),
            *self._tables(),
            *self._recommendations(),
            *self._methods(),
        ]

    def _cover(self) -> list[Flowable]:
        styles = get_styles()
        report = self.report
        return [
            Spacer(1, 0.6 * inch),
            para(report.title, styles.title),
            para(settings.OVERSIGHT_BODY_NAME, styles.subheading),
            Spacer(1, 0.2 * inch),
            facts_table(
                [
                    (
                        _("Period"),
                        _("%(start)s to %(end)s")
                        % {"start": _date(report.period_start), "end": _date(report.period_end)},
                    ),
                    (_("Data as of"), _moment(self.statistics.as_of)),
                    (_("Language"), _language_name(self.language or report.language)),
                ]
            ),
            Spacer(1, 0.2 * inch),
            para(self.intro()),
            para(
                _(
                    "No complainant, witness or other resident is named in this report, and no number in it is "
                    "small enough to point at one: see “About these numbers” at the end."
                ),
                styles.small,
            ),
            PageBreak(),
        ]

    def _measure_rows(self, measures: Any) -> list[tuple[str, Any]]:
        styles = get_styles()
        rows = []
        for measure in measures:
            # A measure not shown has no value: its note says why (too few cases, no open case...).
            if measure.value:
                parts: list[Flowable] = [para(measure.value)]
                if measure.note:
                    parts.append(para(measure.note, styles.small))
            else:
                parts = [para(measure.note or _("Not shown."))]
            rows.append((measure.label, parts))
        return rows

    def _summary(self) -> list[Flowable]:
        styles = get_styles()
        out: list[Flowable] = [para(_("Summary"), styles.heading)]
        if self.statistics.summary:
            out.append(facts_table(self._measure_rows(self.statistics.summary), key_width=2.6 * inch))
        else:
            out.append(para(_("There are no numbers for this period.")))
        return out

    def _narrative(self) -> list[Flowable]:
        styles = get_styles()
        out: list[Flowable] = [para(_("From the board"), styles.heading)]
        narrative = (self.report.narrative or "").strip()
        if not narrative:
            return [*out, para(_("The board's narrative has not been written yet."), styles.small)]
        if self.report.narrative_language != (self.language or self.report.language):
            out.append(
                para(
                    _("The board wrote this section in %(language)s.")
                    % {"language": _language_name(self.report.narrative_language)},
                    styles.small,
                )
            )
        return out + paragraphs(narrative)

    def _measures(self) -> list[Flowable]:
        styles = get_styles()
        measures = {m.key: m for m in self.statistics.summary}
        tables = {t.key: t for t in self.statistics.tables}
        out: list[Flowable] = []
        for key, measure_keys, table_keys in NACOLE_MEASURES:
            found = [measures[k] for k in measure_keys if k in measures]
            titles = [tables[k].title for k in table_keys if k in tables]
            if not found and not titles:
                continue
            out.append(para(_measure_heading(key), styles.subheading))
            if found:
                out.append(facts_table(self._measure_rows(found), key_width=2.6 * inch))
            for title in titles:
                out.append(para(_("See the table “%(title)s” below.") % {"title": title}, styles.small))
        out += self._stage_times()
        if not out:
            return []
        return [
            para(_("Measures"), styles.heading),
            para(
                _(
                    "The measures civilian oversight bodies report on: how many complaints came in, what happened "
                    "to them at intake, the findings, the complaints still open, how long cases took at each step, "
                    "how quickly the department answered the board and how many cases each investigator carries on "
                    "average."
                )
            ),
            *out,
        ]

    def _stage_times(self) -> list[Flowable]:
        """How long complaints spent in each stage: the stays that ended in the period (median, and the
        time nine in ten stays did not exceed), each shown only when more than the limit ended."""
        if self.measures is None:
            return []
        styles = get_styles()
        limit = self.statistics.threshold or settings.PUBLIC_MIN_CELL
        rows, shown = [], False
        for status, label in PUBLIC_STAGE_LABELS.items():
            spread = self.measures.stage_days.get(status)
            if spread is None or spread.count <= limit or spread.median is None:
                text = _("Not shown when %(limit)s or fewer complaints left this stage in the period.") % {
                    "limit": limit
                }
                rows.append((str(label), [para(text, styles.small)]))
                continue
            shown = True
            text = _("%(median)s (median); nine in ten within %(p90)s") % {
                "median": format_days(spread.median),
                "p90": format_days(spread.p90),
            }
            rows.append((str(label), [para(text)]))
        out: list[Flowable] = [
            para(_("Time in each stage"), styles.subheading),
            para(
                _(
                    "How long complaints stayed at each step before moving on, counted for the stays that ended "
                    "in this period."
                ),
                styles.small,
            ),
        ]
        if not shown:
            text = _("Not shown: in this period, %(limit)s or fewer complaints left each stage.") % {"limit": limit}
            return [*out, para(text)]
        return [*out, facts_table(rows, key_width=2.6 * inch)]

    def _tables(self) -> list[Flowable]:
        from oversight.charts import chart_drawing

        styles = get_styles()
        out: list[Flowable] = [PageBreak(), para(_("Charts and tables"), styles.heading)]
        out.append(para(_("Each chart is followed by a table with its numbers.")))
        for table in self.statistics.tables:
            # The title, the description and the chart stay on one page; the table may run over.
            head: list[Flowable] = [para(table.title, styles.subheading)]
            if table.description:
                head.append(para(table.description, styles.small))
            if table.chart and table.rows:
                chart = _drawable(chart_drawing(table, width=CONTENT_WIDTH, height=CHART_HEIGHT), table.key)
                if chart is not None:
                    head.append(chart)
            out.append(KeepTogether(head))
            out.append(self._data_table(table))
            out.append(Spacer(1, 0.15 * inch))
        return out

    def _data_table(self, table: Any) -> Flowable:
        if not table.rows:
            return para(getattr(table, "note", "") or _("Nothing to count in this period."))
        has_totals = any(row.total is not None for row in table.rows)
        header = [table.row_heading, *table.column_headings, *([_("Total")] if has_totals else [])]
        rows = [
            [
                row.label,
                *[cell.display() for cell in row.cells],
                *([row.total.display() if row.total is not None else "—"] if has_totals else []),
            ]
            for row in table.rows
        ]
        if table.column_totals is not None:
            total_row = [_("Total"), *[cell.display() for cell in table.column_totals]]
            if has_totals:
                total_row.append(table.grand_total.display() if table.grand_total is not None else "—")
            rows.append(total_row)
        counts = len(header) - 1
        first = 0.34 if counts > 1 else 0.6
        widths = [first, *[(1 - first) / counts] * counts]
        return data_table(header, rows, col_widths=widths)

    def _recommendations(self) -> list[Flowable]:
        styles = get_styles()
        out: list[Flowable] = [
            PageBreak(),
            para(_("Policy recommendations"), styles.heading),
            para(
                _(
                    "The recommendations the board has made to the police department up to the end of this period, "
                    "newest first, with the department's response and whether the change has been made, as of %(day)s."
                )
                % {"day": _date(timezone.localdate(self.statistics.as_of))}
            ),
        ]
        if not self.recommendations:
            return [*out, para(_("The board had made no policy recommendations by the end of this period."))]
        rows = [
            [
                recommendation.number,
                [para(recommendation.title), para(_date(recommendation.adopted_on), styles.small)],
                recommendation.response_text,
                recommendation.implementation_text,
            ]
            for recommendation in self.recommendations
        ]
        out.append(
            data_table(
                [_("Number"), _("Recommendation and date adopted"), _("Department's response"), _("Is it in place?")],
                rows,
                col_widths=[0.14, 0.4, 0.23, 0.23],
            )
        )
        return out

    def _methods(self) -> list[Flowable]:
        styles = get_styles()
        limit = settings.PUBLIC_MIN_CELL
        return [
            para(_("About these numbers"), styles.heading),
            para(
                _(
                    "A count from 1 to %(max)s is shown as “fewer than %(limit)s”, so that no one can be recognised "
                    "from a small number. Zero is shown as 0."
                )
                % {"max": limit, "limit": limit + 1}
            ),
            para(
                _(
                    "Some larger counts are shown as “withheld”, so that a hidden number cannot be worked out by "
                    "subtracting the others from a total. A withheld count is always more than %(max)s. The same "
                    "rules apply on the website's dashboard and in the open data, so the numbers match."
                )
                % {"max": limit}
            ),
            para(
                _(
                    "Time to close and other numbers that are not counts are not shown when they would rest on "
                    "fewer than %(limit)s cases."
                )
                % {"limit": limit + 1}
            ),
            para(
                _(
                    "Times are counted in whole days between two dates in the %(zone)s time zone. The median is the "
                    "middle value, or halfway between the two middle values; “nine in ten within” gives the 90th "
                    "percentile, worked out the same way between the two nearest values. These are the numbers the "
                    "office's managers use for the same period."
                )
                % {"zone": settings.TIME_ZONE}
            ),
            para(
                _(
                    "The numbers cover every complaint, not only the cases published one by one. They were computed "
                    "on %(moment)s; later changes to the records are not in this report. Dates are in the %(zone)s "
                    "time zone."
                )
                % {"moment": _moment(self.statistics.as_of), "zone": settings.TIME_ZONE}
            ),
        ]


class AnnualReport(PublicReportDocument):
    def intro(self) -> str:
        return _(
            "This report covers %(year)s: how many complaints about police conduct %(body)s received, what came "
            "of them, what the board recommended to the police department, and the board's own account of the "
            "year."
        ) % {"body": settings.OVERSIGHT_BODY_NAME, "year": self.report.year}


class QuarterlyReport(PublicReportDocument):
    def intro(self) -> str:
        return _(
            "This report covers %(period)s: how many complaints about police conduct %(body)s received, what "
            "came of them, what the board recommended to the police department, and the board's own account of "
            "the quarter."
        ) % {"body": settings.OVERSIGHT_BODY_NAME, "period": self.statistics.period_label}


def _usable_snapshot(report: PublicReport) -> Any:
    """The dashboard's snapshot of an annual report's year, when it holds that year, was computed
    after the year ended and under the present threshold; else None."""
    from public_portal.transparency import statistics as stats

    if report.kind != PublicReport.Kind.ANNUAL:
        return None
    snapshot = stats.published_statistics(year=report.year)
    if (
        snapshot is not None
        and timezone.localdate(snapshot.as_of) > report.period_end
        and getattr(snapshot, "threshold", settings.PUBLIC_MIN_CELL) == settings.PUBLIC_MIN_CELL
    ):
        return snapshot
    return None


def period_statistics(report: PublicReport, *, label: str) -> Any:
    """The statistics of the report's period, in the active language.

    An annual report takes its year from the dashboard's snapshot when the snapshot holds that year
    and was computed after the year ended, under the present threshold: the report then shows exactly
    the dashboard's numbers for the year, as of the snapshot, and builds in a moment whatever the size
    of the archive. Otherwise (a quarter; no snapshot yet; one taken before the year ended) the
    numbers are counted now with ``compute_statistics``, which counts a whole year the way the snapshot
    does."""
    from public_portal.transparency import statistics as stats

    snapshot = _usable_snapshot(report)
    if snapshot is not None:
        return replace(snapshot, period_label=label)
    return stats.compute_statistics(start=report.period_start, end=report.period_end, label=label)


def _shown_days(measure: Any, value: float | None, count: int, limit: int) -> Any:
    """``measure`` (a time the statistics show) with the management measures' value, or not shown
    when that rests on too few cases."""
    if value is None or count <= limit:
        return replace(
            measure,
            value="",
            raw=None,
            note=_("Not shown when %(limit)s or fewer complaints were closed.") % {"limit": limit},
        )
    return replace(measure, value=format_days(value), raw=float(value))


def _new_days(key: str, label: str, value: float | None, count: int, limit: int, too_few: str) -> Any:
    from public_portal.transparency.statistics import Measure

    if value is None or count <= limit:
        return Measure(key, label, "", None, too_few % {"limit": limit})
    return Measure(key, label, format_days(value), float(value), "")


def _cases(value: float | None) -> str:
    if value is None:
        return ""
    return formats.number_format(value, decimal_pos=0 if value == int(value) else 1, force_grouping=True)


def with_management_measures(statistics: Any, measures: PublicMeasures) -> Any:
    """``statistics`` whose times to close and caseload are the management measures' numbers, with
    the times to assignment and to the department's response added (labels in the active language)."""
    limit = statistics.threshold or settings.PUBLIC_MIN_CELL
    closed = measures.days_to_close
    summary = []
    for measure in statistics.summary:
        if measure.key in ("median_days_to_close", "p90_days_to_close") and measure.value:
            value = closed.median if measure.key == "median_days_to_close" else closed.p90
            measure = _shown_days(measure, value, closed.count, limit)
        elif measure.key == "caseload_per_investigator" and measure.value:
            measure = replace(measure, value=_cases(measures.caseload_median), raw=measures.caseload_median)
        elif measure.key == "caseload_max_per_investigator" and measure.value:
            most = float(measures.caseload_most) if measures.caseload_most is not None else None
            measure = replace(measure, value=_cases(most), raw=most)
        summary.append(measure)
    assigned, answered = measures.days_to_assignment, measures.days_to_department_response
    too_few_assigned = _("Not shown when %(limit)s or fewer complaints were first assigned in this period.")
    too_few_answered = _("Not shown when %(limit)s or fewer responses answer this period's recommendations.")
    summary += [
        _new_days(
            "median_days_to_assignment",
            _("Median time to assign an investigator"),
            assigned.median,
            assigned.count,
            limit,
            too_few_assigned,
        ),
        _new_days(
            "p90_days_to_assignment",
            _("Nine in ten complaints assigned within"),
            assigned.p90,
            assigned.count,
            limit,
            too_few_assigned,
        ),
        _new_days(
            "median_days_to_department_response",
            _("Median time for the department to respond to recommended discipline"),
            answered.median,
            answered.count,
            limit,
            too_few_answered,
        ),
        _new_days(
            "p90_days_to_department_response",
            _("Nine in ten department responses came within"),
            answered.p90,
            answered.count,
            limit,
            too_few_answered,
        ),
    ]
    return replace(statistics, summary=tuple(summary))


def document_for(report: PublicReport) -> PublicReportDocument:
    """The report's document with its period's statistics and management measures (call it inside
    the report's language: the tables' titles and labels are translated when the statistics are read).

    Built from the dashboard's snapshot, the measures are those kept for that snapshot
    (``public_measures(basis=...)``), so a rebuild reads no case table; otherwise they are counted now."""
    from public_portal.transparency import statistics as stats

    from .services import period_for_report

    label = period_for_report(report).label()
    snapshot = _usable_snapshot(report)
    if snapshot is not None:
        statistics = replace(snapshot, period_label=label)
    else:
        statistics = stats.compute_statistics(start=report.period_start, end=report.period_end, label=label)
    measures = public_measures(
        start=report.period_start, end=report.period_end, basis=snapshot.as_of if snapshot is not None else None
    )
    statistics = with_management_measures(statistics, measures)
    cls = AnnualReport if report.kind == PublicReport.Kind.ANNUAL else QuarterlyReport
    return cls(
        report,
        statistics=statistics,
        recommendations=public_recommendations(report.period_end),
        measures=measures,
    )
