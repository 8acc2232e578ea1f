"""The publication lifecycle, on the shared mechanism (``oversight.lifecycle``).

::

    draft ─approve─> approved ─publish─> published ─retract (reason)─> retracted
      ^                 │                    └─supersede (the correction's publish)─> superseded
      └───send back─────┘
    draft, approved ─discard─> discarded

Who may, by permission (the publication officer's role holds them all): drafting and editing
``publication.draft_publication``; approve and send back ``publication.approve_publication``;
publish ``publication.publish_publication``; discard ``publication.draft_publication``; retract
``publication.retract_publication``. Supersede is owned by the correction's publication: publishing
version N+1 of a public id moves version N from published to superseded in the same transaction.

Guards, checked inside the locked transaction on every path (the staff pages, a service, a direct
call of ``PUBLICATION_LIFECYCLE.run``):

* approve: the two-person rule (``PUBLICATION_TWO_PERSON``, on by default): nobody who drafted the
  version or changed its text approves it. One approval is let through, the bulk import approval
  (``BULK_IMPORT``, the ``via`` of ``bulk.publish_imported`` only): the drafter approves
  their own version when the case is an imported one, a reason is given and nobody changed the text.
  Asked for on any other version it is refused (``bulk_import_approval``);
* approve and publish: the disclosure policy in force still allows every officer name and every
  discipline the snapshot shows; the case's public summary is still the text the draft was made
  from; and the redactor, run again on the final text with the case's records, removes nothing (so
  an edit cannot put a name or a phone number back), nor is any tracking number left;
* publish a correction: the version it corrects is still published.

Each move is audited under its own code (``publication.approved``, ``publication.published``, ...),
with the public id, version and counts, never the summary's text or anyone's name. A bulk import
approval keeps its reason on the version (``approval_reason``) and says so in its event
(``bulk_import``), with the reason's length only: a reason may name someone.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oversight.lifecycle import Lifecycle, Move, MoveContext

from .models import Publication

P = Publication.Status
DRAFT_PERM = "publication.draft_publication"
APPROVE_PERM = "publication.approve_publication"
PUBLISH_PERM = "publication.publish_publication"
RETRACT_PERM = "publication.retract_publication"
VIEW_PERM = "publication.view_publication"
CORRECTION = "publication.correction"
# The ``via`` ``bulk.publish_imported`` names on the approve move: the imported
# cases it drafts are approved by the same officer, with a reason (``bulk_import_approval``).
BULK_IMPORT = "publication.bulk_import"

# Every target status is reached by one action only, so the audit code follows from the target.
AUDIT_CODES = {
    P.APPROVED: "publication.approved",
    P.DRAFT: "publication.sent_back",
    P.PUBLISHED: "publication.published",
    P.DISCARDED: "publication.discarded",
    P.RETRACTED: "publication.retracted",
    P.SUPERSEDED: "publication.superseded",
}
_move_code: ContextVar[str] = ContextVar("publication_move_code", default="")


class PublicationLifecycle(Lifecycle):
    """The shared lifecycle, recording each move under its own audit code rather than one code for
    every move (the audit log lists "Publication retracted", not "status changed")."""

    @property
    def audit_action(self) -> str:  # type: ignore[override]
        return _move_code.get() or self._audit_action

    @audit_action.setter
    def audit_action(self, value: str) -> None:
        self._audit_action = value

    def run(self, *, target: str, **kwargs: Any) -> Any:
        token = _move_code.set(AUDIT_CODES.get(target, self._audit_action))
        try:
            return super().run(target=target, **kwargs)
        finally:
            _move_code.reset(token)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _name(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""


def target_label(publication: Publication) -> str:
    """How the audit trail names a version: the case's tracking number, the public id and version."""
    return f"{publication.complaint.tracking_number} {publication.public_id} v{publication.version}"


# --- Guards -------------------------------------------------------------------------------------------


def is_bulk_import(ctx: MoveContext) -> bool:
    """Whether the move was asked for as a bulk import approval (it is made only if it qualifies)."""
    return ctx.move.action == "approve" and ctx.via == BULK_IMPORT


def _bulk_import_refusal(ctx: MoveContext) -> str | None:
    """Why this version cannot be approved by its drafter as a bulk import approval, or None.

    Only a case brought in from another system qualifies, approved by the officer who drafted it,
    with a reason, while its text is exactly what the redactor wrote: then no person chose the words,
    the other guards still re-check them, and the reason records who decided to publish and why. A
    version anyone edited or redacted by hand needs a second person like any other."""
    from investigations.importing.models import ImportedCase

    publication: Publication = ctx.obj
    if not ImportedCase.objects.filter(complaint_id=publication.complaint_id).exists():
        return _("Only imported cases are approved in bulk: this case needs a second publication officer.")
    if not ctx.reason:
        return _("Give the reason for approving imported cases in bulk.")
    if publication.edited_by_ids or publication.manual_redactions:
        return _("This version's text was changed by hand, so another publication officer must approve it.")
    if publication.drafted_by_id is None or publication.drafted_by_id != getattr(ctx.actor, "pk", None):
        return _("A bulk import approval is made only by the officer who drafted the version.")
    return None


def bulk_import_approval(ctx: MoveContext) -> str | None:
    if not is_bulk_import(ctx):
        return None
    return _bulk_import_refusal(ctx)


def two_person_rule(ctx: MoveContext) -> str | None:
    if not settings.PUBLICATION_TWO_PERSON:
        return None
    # Asked again here rather than trusted from an earlier guard: the guards may run in any order,
    # and ``blockers`` runs them all.
    if is_bulk_import(ctx) and _bulk_import_refusal(ctx) is None:
        return None
    publication: Publication = ctx.obj
    actor_id = getattr(ctx.actor, "pk", None)
    if actor_id is not None and (
        actor_id == publication.drafted_by_id or actor_id in (publication.edited_by_ids or [])
    ):
        return _(
            "You drafted or edited this version, so someone else must approve it: publications are "
            "checked by two people."
        )
    return None


def policy_allows(ctx: MoveContext) -> str | None:
    from .checks import policy_problems

    problems = policy_problems(ctx.obj)
    if problems:
        return " ".join(problems) + " " + _("Discard this version and draft the case again.")
    return None


def source_unchanged(ctx: MoveContext) -> str | None:
    from .checks import source_changed

    if source_changed(ctx.obj):
        return _(
            "The case's public summary has changed since this version was drafted. Discard it and draft "
            "the case again, so the new summary is redacted."
        )
    return None


def text_is_clean(ctx: MoveContext) -> str | None:
    from .checks import text_problems

    problems = text_problems(ctx.obj)
    if problems:
        return _("The text still holds details the redactor removes: %(what)s. Edit them out or use “Redact more”.") % {
            "what": ", ".join(problems)
        }
    return None


def corrected_version_published(ctx: MoveContext) -> str | None:
    previous = ctx.obj.supersedes
    if previous is not None and previous.status != P.PUBLISHED:
        return _(
            "The version this corrects is no longer published (it is “%(status)s”). Discard this "
            "correction, or draft the case again."
        ) % {"status": previous.get_status_display()}
    return None


# --- Effects ------------------------------------------------------------------------------------------


def _approved(ctx: MoveContext) -> None:
    publication: Publication = ctx.obj
    publication.approved_by = _user(ctx.actor)
    publication.approved_by_name = _name(ctx.actor)
    publication.approved_at = ctx.now
    ctx.fields += ["approved_by", "approved_by_name", "approved_at"]
    if is_bulk_import(ctx):
        # Every guard passed, so the bulk import approval qualified.
        publication.approval_reason = ctx.reason
        ctx.fields.append("approval_reason")
        ctx.data["bulk_import"] = True
        # Only its length: the reason may name someone.
        ctx.data["reason_length"] = len(ctx.reason)


def _sent_back(ctx: MoveContext) -> None:
    publication: Publication = ctx.obj
    publication.approved_by = None
    publication.approved_by_name = ""
    publication.approved_at = None
    publication.approval_reason = ""
    ctx.fields += ["approved_by", "approved_by_name", "approved_at", "approval_reason"]


def _published(ctx: MoveContext) -> None:
    publication: Publication = ctx.obj
    previous = publication.supersedes
    if previous is not None and previous.status == P.PUBLISHED:
        # The one-published-per-case constraint holds at every statement: the old version goes first.
        PUBLICATION_LIFECYCLE.run(
            obj=previous,
            target=P.SUPERSEDED,
            actor=ctx.actor,
            via=CORRECTION,
            expected=P.PUBLISHED,
            data={"superseded_by": publication.version},
        )
        ctx.data["supersedes"] = previous.version
    publication.published_by = _user(ctx.actor)
    publication.published_by_name = _name(ctx.actor)
    publication.published_at = ctx.now
    ctx.fields += ["published_by", "published_by_name", "published_at"]


def _ended(ctx: MoveContext) -> None:
    publication: Publication = ctx.obj
    publication.ended_at = ctx.now
    publication.ended_by = _user(ctx.actor)
    publication.ended_by_name = _name(ctx.actor)
    ctx.fields += ["ended_at", "ended_by", "ended_by_name"]
    if ctx.move.action == "retract":
        publication.end_reason = ctx.reason
        ctx.fields.append("end_reason")
        # Only its length: the reason may name someone.
        ctx.data["reason_length"] = len(ctx.reason)


def _described(ctx: MoveContext) -> None:
    publication: Publication = ctx.obj
    publication._history_user = _user(ctx.actor)
    ctx.data.update({"public_id": publication.public_id, "version": publication.version})


# --- The table ----------------------------------------------------------------------------------------

PUBLICATION_GUARDS = (policy_allows, source_unchanged, text_is_clean)

MOVES = [
    Move(
        "approve",
        P.DRAFT,
        P.APPROVED,
        APPROVE_PERM,
        gettext_lazy("Approve"),
        confirm=gettext_lazy("The text and the allegations are then fixed: only publishing or sending back is left."),
        guards=(bulk_import_approval, two_person_rule, *PUBLICATION_GUARDS),
    ),
    Move("send_back", P.APPROVED, P.DRAFT, APPROVE_PERM, gettext_lazy("Send back to draft")),
    Move(
        "publish",
        P.APPROVED,
        P.PUBLISHED,
        PUBLISH_PERM,
        gettext_lazy("Publish"),
        confirm=gettext_lazy("It appears on the public portal, in the open data and the API at once."),
        guards=(*PUBLICATION_GUARDS, corrected_version_published),
    ),
    Move("discard", P.DRAFT, P.DISCARDED, DRAFT_PERM, gettext_lazy("Discard")),
    Move("discard", P.APPROVED, P.DISCARDED, DRAFT_PERM, gettext_lazy("Discard")),
    Move(
        "retract",
        P.PUBLISHED,
        P.RETRACTED,
        RETRACT_PERM,
        gettext_lazy("Retract"),
        reason_required=True,
        confirm=gettext_lazy("It is taken off the public portal, the open data and the API at once."),
    ),
    Move(
        "supersede",
        P.PUBLISHED,
        P.SUPERSEDED,
        PUBLISH_PERM,
        gettext_lazy("Supersede with the correction"),
        owner=CORRECTION,
    ),
]

PUBLICATION_LIFECYCLE = PublicationLifecycle(
    name="publication",
    model=Publication,
    moves=MOVES,
    audit_action="publication.published",
    record_change=lambda ctx: ctx.obj,  # the publication's own history row records the move
    target_label=target_label,
    denied_message=gettext_lazy("Only a publication officer can do this."),
    conflict_message=gettext_lazy(
        "Someone else changed this version while you were looking at it: it is now “%(status)s”."
    ),
    select_related=("complaint",),
)
PUBLICATION_LIFECYCLE.add_effect("approve", name="publication.approved", effect=_approved)
PUBLICATION_LIFECYCLE.add_effect("send_back", name="publication.sent_back", effect=_sent_back)
PUBLICATION_LIFECYCLE.add_effect("publish", name="publication.published", effect=_published)
PUBLICATION_LIFECYCLE.add_effect("retract", "supersede", name="publication.ended", effect=_ended)
for _action in ("approve", "send_back", "publish", "discard", "retract", "supersede"):
    PUBLICATION_LIFECYCLE.add_effect(_action, name="publication.described", effect=_described)


def available_moves(publication: Publication, user: Any) -> list[Move]:
    """The moves ``user`` may make on ``publication`` now (supersede is never a button)."""
    return [m for m in PUBLICATION_LIFECYCLE.available(publication, user) if not m.owner]


def move_for(source: str, target: str) -> Move | None:
    return PUBLICATION_LIFECYCLE.move_for(source, target)
