"""The public report lifecycle, on the shared mechanism (``oversight.lifecycle``).

```
generating ─generated─> draft ─approve─> approved ─publish─> published ─retract (reason)─> retracted
    │  └─failed─> failed  │  ^               │
    │                     │  └─return to draft┘
    │                     └─revise (new narrative or fresh data)─> generating
    └── discard: from generating, failed, draft or approved ─> discarded
```

Who may, by permission (the publisher role holds all three):

- ``public_reports.generate_publicreport``: ask for a report, change its narrative (which rebuilds
  the PDF: ``revise``), discard one that is not published. The moves out of ``generating`` belong to
  the generation task (``owner``), which acts for the person who asked;
- ``public_reports.approve_publicreport``: approve a draft, return an approved one to draft. Under
  the two-person rule (``PUBLICATION_TWO_PERSON``, on by default) nobody who generated the report or
  wrote its narrative may approve it; a draft with no narrative cannot be approved;
- ``public_reports.publish_publicreport``: publish an approved report (if no other report of the
  period is published) and retract a published one, with a reason.

The rules are guards registered on the moves, so the generic move endpoint and any other caller
meet the same refusals as the buttons.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oversight.lifecycle import Lifecycle, Move, MoveContext

from .models import PublicReport, PublicReportEvent

S = PublicReport.Status
GENERATE_PERM = "public_reports.generate_publicreport"
APPROVE_PERM = "public_reports.approve_publicreport"
PUBLISH_PERM = "public_reports.publish_publicreport"
VIEW_PERM = "public_reports.view_publicreport"
# The generation task: the only caller that may finish (or fail) a generation.
GENERATION = "reports.generation"


def two_person_rule() -> bool:
    """Whether an approver must be someone other than the report's authors (default on)."""
    return bool(getattr(settings, "PUBLICATION_TWO_PERSON", True))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _name(actor: Any) -> str:
    user = _user(actor)
    return user.get_username() if user is not None else ""


# --- Guards --------------------------------------------------------------------------------------------


def not_an_author(ctx: MoveContext) -> str | None:
    report: PublicReport = ctx.obj
    if not two_person_rule():
        return None
    actor = _user(ctx.actor)
    if actor is not None and actor.pk in (report.authors or []):
        return _(
            "You generated this report or wrote its narrative, so someone else must approve it (the "
            "two-person rule). Ask another publication officer to approve it."
        )
    return None


def has_narrative(ctx: MoveContext) -> str | None:
    if not (ctx.obj.narrative or "").strip():
        return _("Write the board's narrative first: it is printed in the report, and the report is rebuilt with it.")
    return None


def has_file(ctx: MoveContext) -> str | None:
    if not ctx.obj.has_file or not ctx.obj.sha256:
        return _("This report has no PDF yet. Generate it again.")
    return None


def period_not_published(ctx: MoveContext) -> str | None:
    report: PublicReport = ctx.obj
    other = PublicReport.objects.filter(slug=report.slug, status=S.PUBLISHED).exclude(pk=report.pk).only("pk").first()
    if other is not None:
        return _(
            "Another report for this period is published already. Retract it first (giving the reason), then "
            "publish this one."
        )
    return None


# --- Effects -------------------------------------------------------------------------------------------


def _approved(ctx: MoveContext) -> None:
    report: PublicReport = ctx.obj
    report.approved_by = _user(ctx.actor)
    report.approved_by_name = _name(ctx.actor)
    report.approved_at = ctx.now
    ctx.fields += ["approved_by", "approved_by_name", "approved_at"]
    ctx.data["two_person_rule"] = two_person_rule()


def _returned(ctx: MoveContext) -> None:
    report: PublicReport = ctx.obj
    report.approved_by = None
    report.approved_by_name = ""
    report.approved_at = None
    ctx.fields += ["approved_by", "approved_by_name", "approved_at"]


def _published(ctx: MoveContext) -> None:
    report: PublicReport = ctx.obj
    report.published_by = _user(ctx.actor)
    report.published_by_name = _name(ctx.actor)
    report.published_at = ctx.now
    ctx.fields += ["published_by", "published_by_name", "published_at"]
    ctx.data.update({"slug": report.slug, "sha256": report.sha256})


def _ended(ctx: MoveContext) -> None:
    report: PublicReport = ctx.obj
    report.ended_at = ctx.now
    report.end_reason = ctx.reason
    ctx.fields += ["ended_at", "end_reason"]
    # The reason stays on the report for the staff; the audit event says only that there was one.
    ctx.data["reason_given"] = bool(ctx.reason)


def _history_user(ctx: MoveContext) -> None:
    ctx.obj._history_user = _user(ctx.actor)


def _record_event(ctx: MoveContext) -> PublicReportEvent:
    return PublicReportEvent.objects.create(
        report=ctx.obj,
        action=ctx.move.action,
        from_status=ctx.source,
        to_status=ctx.move.target,
        actor=_user(ctx.actor),
        actor_username=_name(ctx.actor),
        note=ctx.reason,
        occurred_at=ctx.now,
    )


def _label(report: PublicReport) -> str:
    return f"{report.slug} #{report.pk}"


MOVES = [
    Move("generated", S.GENERATING, S.DRAFT, GENERATE_PERM, gettext_lazy("Finish generating"), owner=GENERATION),
    Move("failed", S.GENERATING, S.FAILED, GENERATE_PERM, gettext_lazy("Record the failure"), owner=GENERATION),
    Move(
        "revise",
        S.DRAFT,
        S.GENERATING,
        GENERATE_PERM,
        gettext_lazy("Rebuild with this narrative"),
        owner="reports.narrative",
    ),
    Move(
        "approve",
        S.DRAFT,
        S.APPROVED,
        APPROVE_PERM,
        gettext_lazy("Approve"),
        confirm=gettext_lazy("The report can then be published by a publication officer."),
        guards=(has_file, has_narrative, not_an_author),
    ),
    Move("return", S.APPROVED, S.DRAFT, APPROVE_PERM, gettext_lazy("Return to draft")),
    Move(
        "publish",
        S.APPROVED,
        S.PUBLISHED,
        PUBLISH_PERM,
        gettext_lazy("Publish"),
        confirm=gettext_lazy("Anyone will be able to download it from the public reports page."),
        guards=(has_file, period_not_published),
    ),
    Move(
        "retract",
        S.PUBLISHED,
        S.RETRACTED,
        PUBLISH_PERM,
        gettext_lazy("Retract"),
        reason_required=True,
        confirm=gettext_lazy("It leaves the public reports page at once and its file is no longer served."),
    ),
    *[
        Move("discard", source, S.DISCARDED, GENERATE_PERM, gettext_lazy("Discard"))
        for source in (S.GENERATING, S.FAILED, S.DRAFT, S.APPROVED)
    ],
]

REPORT_LIFECYCLE = Lifecycle(
    name="public_report",
    model=PublicReport,
    moves=MOVES,
    audit_action="report.transitioned",
    record_change=_record_event,
    target_label=_label,
    denied_message=gettext_lazy("Only a publication officer can do this to a public report."),
    conflict_message=gettext_lazy(
        "Someone else changed this report while you were looking at it: it is now “%(status)s”."
    ),
)
REPORT_LIFECYCLE.add_effect("approve", name="reports.approved", effect=_approved)
REPORT_LIFECYCLE.add_effect("return", name="reports.returned", effect=_returned)
REPORT_LIFECYCLE.add_effect("publish", name="reports.published", effect=_published)
REPORT_LIFECYCLE.add_effect("retract", "discard", name="reports.ended", effect=_ended)
for _action in dict.fromkeys(m.action for m in MOVES):
    REPORT_LIFECYCLE.add_effect(_action, name="reports.history_user", effect=_history_user)


def available_moves(report: PublicReport, user: Any) -> list[Move]:
    """The moves ``user`` may make on ``report`` now, owned ones left out: the page's buttons."""
    return [m for m in REPORT_LIFECYCLE.available(report, user) if not m.owner]
