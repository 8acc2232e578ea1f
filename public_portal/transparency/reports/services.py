"""Every write to the public reports: asking for one, generating it, its narrative, its status.

Two ways a report comes to be:

- a publication officer asks for one on the staff page (``report_request``): the report is saved as
  *being generated* and the generation task (``tasks.generate_report``, in-process after commit
  when no broker is configured) builds the PDF and moves it to draft, acting for that person;
- the schedule, the ``generate_report`` command and the demo build it at once
  (``report_generate``): the new report starts as a draft with its PDF.

Changing the narrative rebuilds the PDF the same way as asking for it (draft → being generated →
draft), so the PDF always prints the narrative the approver reads. Every status move goes through
``workflow.REPORT_LIFECYCLE``; everything is audited, refusals too.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oversight import audit
from oversight.lifecycle import MoveRefused
from oversight.storage import files_removed_on_failure, note_written
from oversight.tasks import enqueue

from .models import PublicReport
from .workflow import GENERATE_PERM, GENERATION, REPORT_LIFECYCLE

logger = logging.getLogger(__name__)

S = PublicReport.Status
K = PublicReport.Kind
NARRATIVE = "reports.narrative"
NARRATIVE_MAX = 20_000
FIRST_YEAR = 2000

QUARTER_MONTHS = {
    1: gettext_lazy("January to March"),
    2: gettext_lazy("April to June"),
    3: gettext_lazy("July to September"),
    4: gettext_lazy("October to December"),
}


class ReportRefused(Exception):
    """A step the report's lifecycle refused; ``message`` is for the person, ``code`` says why."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --- Periods ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    quarter: int | None
    start: date
    end: date  # the last day, included

    @property
    def slug(self) -> str:
        return f"{self.year}-q{self.quarter}" if self.kind == K.QUARTERLY else f"{self.year}-annual"

    def title(self) -> str:
        """The report's title, in the active language."""
        if self.kind == K.QUARTERLY:
            return _("Quarterly report, %(months)s %(year)s") % {
                "months": QUARTER_MONTHS[self.quarter],
                "year": self.year,
            }
        return _("Annual report %(year)s") % {"year": self.year}

    def label(self) -> str:
        """The period in words, in the active language ("2025", "July to September 2026")."""
        if self.kind == K.QUARTERLY:
            return _("%(months)s %(year)s") % {"months": QUARTER_MONTHS[self.quarter], "year": self.year}
        return str(self.year)


def period_for(kind: str, year: int, quarter: int | None = None) -> Period:
    """The period of a report; raises ``ValidationError`` (on the field at fault) for one that does
    not exist, or that has not ended yet: a report covers a whole quarter or year."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if kind not in K.values:
        errors["kind"] = [_("Choose a quarterly or an annual report.")]
    if not isinstance(year, int) or not FIRST_YEAR <= year <= today.year:
        errors["year"] = [_("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": today.year}]
    if kind == K.QUARTERLY and quarter not in QUARTER_MONTHS:
        errors["quarter"] = [_("Choose the quarter the report covers.")]
    if errors:
        raise ValidationError(errors)
    if kind == K.QUARTERLY:
        start = date(year, 3 * quarter - 2, 1)
        end = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(days=1)
    else:
        quarter = None
        start, end = date(year, 1, 1), date(year, 12, 31)
    if end >= today:
        field = "quarter" if kind == K.QUARTERLY else "year"
        raise ValidationError(
            {
                field: [
                    _("This period has not ended yet: it ends on %(end)s. A report covers a whole period.")
                    % {"end": end.isoformat()}
                ]
            }
        )
    return Period(kind=kind, year=year, quarter=quarter, start=start, end=end)


def period_for_report(report: PublicReport) -> Period:
    return Period(
        kind=report.kind, year=report.year, quarter=report.quarter, start=report.period_start, end=report.period_end
    )


def last_full_periods(today: date) -> list[Period]:
    """The last quarter and the last year that have ended by ``today``."""
    quarter = (today.month - 1) // 3  # the quarter before the current one (0: the last of last year)
    year = today.year if quarter else today.year - 1
    return [period_for(K.QUARTERLY, year, quarter or 4), period_for(K.ANNUAL, today.year - 1)]


# --- Building the PDF -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    content: bytes
    sha256: str
    pages: int
    as_of: datetime


def render_report(report: PublicReport) -> Rendered:
    """Compute the period's statistics and lay out the PDF, in the report's language."""
    from .documents import document_for

    with translation.override(report.language):
        document = document_for(report)
        content = document.render()
    return Rendered(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        pages=document.page_count,
        as_of=document.statistics.as_of,
    )


def _store(report: PublicReport, rendered: Rendered) -> None:
    """Write the PDF to storage under a new random name (inside ``files_removed_on_failure``)."""
    report.file.save("report.pdf", ContentFile(rendered.content), save=False)
    note_written(report.file.storage, report.file.name)
    report.sha256 = rendered.sha256
    report.size = len(rendered.content)
    report.pages = rendered.pages
    report.data_as_of = rendered.as_of
    report.generated_at = timezone.now()
    report.failure = ""


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _check_language(language: str, field: str = "language") -> str:
    if language not in _languages():
        raise ValidationError({field: [_("Choose one of the languages offered.")]})
    return language


def _check_narrative(narrative: str) -> str:
    narrative = (narrative or "").replace("\r\n", "\n").strip()
    if len(narrative) > NARRATIVE_MAX:
        raise ValidationError(
            {"narrative": [_("Keep the narrative under %(limit)s characters.") % {"limit": f"{NARRATIVE_MAX:,}"}]}
        )
    return narrative


def _authors(report: PublicReport, actor: Any) -> list[int]:
    authors = list(report.authors or [])
    if getattr(actor, "is_authenticated", False) and actor.pk not in authors:
        authors.append(actor.pk)
    return authors


def _may_generate(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active and actor.has_perm(GENERATE_PERM))


def _new_report(period: Period, *, language: str, narrative: str, narrative_language: str, actor: Any) -> PublicReport:
    with translation.override(language):
        title = period.title()
    user = actor if getattr(actor, "is_authenticated", False) else None
    report = PublicReport(
        kind=period.kind,
        year=period.year,
        quarter=period.quarter,
        period_start=period.start,
        period_end=period.end,
        slug=period.slug,
        title=title,
        language=language,
        narrative=narrative,
        narrative_language=narrative_language,
        requested_by=user,
        requested_by_name=user.get_username() if user else "",
        authors=[user.pk] if user else [],
    )
    report._history_user = user
    return report


def report_request(
    *,
    actor: Any,
    kind: str,
    year: int,
    quarter: int | None = None,
    language: str = "en",
    narrative: str = "",
    narrative_language: str | None = None,
) -> PublicReport:
    """Ask for a report of a period (a publication officer): it is saved as being generated and the
    generation task builds its PDF after commit. A period may have several reports; each request
    makes a new one."""
    if not _may_generate(actor):
        audit.record_refusal("report.requested", target_label=f"{kind} {year}", actor=actor)
        raise PermissionDenied
    period = period_for(kind, year, quarter)
    language = _check_language(language)
    narrative = _check_narrative(narrative)
    narrative_language = _check_language(narrative_language or language, "narrative_language")
    with audit.service_atomic():
        report = _new_report(
            period, language=language, narrative=narrative, narrative_language=narrative_language, actor=actor
        )
        report.save()
        audit.record(
            "report.requested",
            target=report,
            target_label=f"{report.slug} #{report.pk}",
            actor=actor,
            data={"kind": kind, "slug": report.slug, "language": language},
        )
        _queue_generation(report)
    return report


def _queue_generation(report: PublicReport) -> None:
    from .tasks import generate_report

    enqueue(generate_report, report.pk)


def report_generate(
    *,
    kind: str,
    year: int,
    quarter: int | None = None,
    language: str | None = None,
    narrative: str = "",
    narrative_language: str | None = None,
    actor: Any = None,
    scheduled: bool = False,
) -> PublicReport:
    """Build a report of a period now and save it as a draft with its PDF: for the schedule, the
    management command (no one signed in) and the demo. A signed-in ``actor`` must be a publication
    officer and counts as the report's author."""
    if actor is not None and not _may_generate(actor):
        audit.record_refusal("report.generated", target_label=f"{kind} {year}", actor=actor)
        raise PermissionDenied
    period = period_for(kind, year, quarter)
    language = _check_language(language or settings.LANGUAGE_CODE)
    narrative = _check_narrative(narrative)
    narrative_language = _check_language(narrative_language or language, "narrative_language")
    report = _new_report(
        period, language=language, narrative=narrative, narrative_language=narrative_language, actor=actor
    )
    report.status = S.DRAFT
    rendered = render_report(report)
    with files_removed_on_failure(), audit.service_atomic():
        _store(report, rendered)
        report.save()
        audit.record(
            "report.generated",
            target=report,
            target_label=f"{report.slug} #{report.pk}",
            actor=actor,
            data={
                "kind": kind,
                "slug": report.slug,
                "language": language,
                "sha256": report.sha256,
                "scheduled": scheduled,
            },
        )
    return report


def report_generation_run(report_id: int) -> bool:
    """The generation task's work: build the PDF of a report being generated and move it to draft,
    acting for the person who asked. A failure moves it to "generation failed" with a plain note;
    a report no longer being generated (discarded meanwhile) is left alone."""
    report = PublicReport.objects.select_related("requested_by").filter(pk=report_id).first()
    if report is None or report.status != S.GENERATING:
        return False
    actor = report.requested_by
    previous = report.file.name if report.has_file else ""
    try:
        rendered = render_report(report)
    except Exception:
        logger.exception("Public report %s could not be generated", report_id)

        def failed(ctx: Any) -> None:
            ctx.obj.failure = _("The report could not be built. Try again; if it fails again, tell the administrator.")
            ctx.fields.append("failure")

        try:
            REPORT_LIFECYCLE.run(
                obj=report, target=S.FAILED, actor=actor, via=GENERATION, expected=S.GENERATING, apply=failed
            )
        except MoveRefused as refused:
            logger.warning("Public report %s: the failure could not be recorded (%s)", report_id, refused.code)
        return False

    def attach(ctx: Any) -> None:
        _store(ctx.obj, rendered)
        ctx.fields += ["file", "sha256", "size", "pages", "data_as_of", "generated_at", "failure"]
        ctx.data.update({"sha256": rendered.sha256, "language": ctx.obj.language})

    try:
        with files_removed_on_failure():
            REPORT_LIFECYCLE.run(
                obj=report, target=S.DRAFT, actor=actor, via=GENERATION, expected=S.GENERATING, apply=attach
            )
    except MoveRefused as refused:
        logger.warning("Public report %s was not moved to draft (%s)", report_id, refused.code)
        return False
    if previous and previous != report.file.name:
        storage = report.file.storage
        transaction.on_commit(lambda: storage.delete(previous), robust=True)
    return True


def report_narrative_change(
    *,
    report: PublicReport,
    actor: Any,
    narrative: str,
    narrative_language: str,
    expected: str | None = S.DRAFT,
) -> PublicReport:
    """Change a draft's narrative (a publication officer). The PDF is rebuilt with it, so the
    report goes back to being generated, then to draft; whoever writes it counts as an author."""
    narrative = _check_narrative(narrative)
    narrative_language = _check_language(narrative_language, "narrative_language")

    def apply(ctx: Any) -> None:
        locked: PublicReport = ctx.obj
        ctx.data["narrative_changed"] = locked.narrative != narrative
        ctx.data["narrative_language"] = narrative_language
        locked.narrative = narrative
        locked.narrative_language = narrative_language
        locked.requested_by = actor
        locked.requested_by_name = actor.get_username()
        locked.authors = _authors(locked, actor)
        ctx.fields += ["narrative", "narrative_language", "requested_by", "requested_by_name", "authors"]

    with audit.service_atomic():
        try:
            REPORT_LIFECYCLE.run(
                obj=report, target=S.GENERATING, actor=actor, via=NARRATIVE, expected=expected, apply=apply
            )
        except MoveRefused as refused:
            raise ReportRefused(refused.message, code=refused.code) from None
        _queue_generation(report)
    return report


def report_move(
    *, report: PublicReport, target: str, actor: Any, reason: str = "", expected: str | None = None
) -> PublicReport:
    """Make one move of the report's lifecycle (approve, publish, retract, discard, return to draft),
    with every rule and guard the lifecycle holds; owned moves are refused here."""
    try:
        REPORT_LIFECYCLE.run(obj=report, target=target, actor=actor, reason=reason, expected=expected)
    except MoveRefused as refused:
        raise ReportRefused(refused.message, code=refused.code) from None
    return report


def report_draft_due(*, today: date | None = None, language: str | None = None) -> list[PublicReport]:
    """Draft the report of the last quarter and of the last year once each has ended, if that period
    has no report yet (of any status: a discarded one is not drafted again). Idempotent."""
    made = []
    for period in last_full_periods(today or timezone.localdate()):
        if PublicReport.objects.filter(kind=period.kind, period_start=period.start).exists():
            continue
        made.append(
            report_generate(
                kind=period.kind, year=period.year, quarter=period.quarter, language=language, scheduled=True
            )
        )
    return made


def report_preview_downloaded(*, report: PublicReport, actor: Any) -> None:
    """Record that a member of staff downloaded a report's PDF from the staff pages."""
    audit.record(
        "report.downloaded",
        target=report,
        target_label=f"{report.slug} #{report.pk}",
        actor=actor,
        data={"status": report.status, "sha256": report.sha256},
    )
