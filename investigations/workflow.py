"""The complaint lifecycle as data: every allowed move, who may make it, its guards and the service
that owns it. ``COMPLAINT_LIFECYCLE`` (the shared mechanism, ``oversight.lifecycle``) is the only
writer of ``Complaint.status``; ``services.transitions.complaint_transition`` calls it.

Who may, by ``rule``:
- ``triage``: intake coordinators and supervisors (``complaints.triage_complaint``) who can see it;
- ``work``: whoever works the case: an assigned investigator (object permission
  ``complaints.change_complaint``) or a supervisor;
- ``board_chair``: registered by board review (``investigations.board``): the board's current
  chair, not recused on the case. Until a part registers a rule, nobody passes it;
- any other value is a model permission the actor must hold (supervisor-level moves).

Owners: a move with an ``owner`` is made only by that service (``via=owner``); the generic move
endpoint refuses it and sends people to the owner's page. Guards defined here are case work's own;
board review registers its guards (quorum and a recorded decision on ``decide`` and ``remand``) and
effects (referral grants on ``approve``) on the same table.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from complaints.models import Allegation, Complaint, PublicTimelineEntry
from complaints.selectors import complaint_visible_to
from complaints.stages import public_stage
from oversight import hooks, permissions
from oversight.lifecycle import Entered, Lifecycle, Move, MoveContext
from oversight.tasks import enqueue

S = Complaint.Status
Transition = Move  # the name the case pages use

TRIAGE_ACCEPT = "triage.accept"
TRIAGE_REFER = "triage.refer"
TRIAGE_CLOSE = "triage.close"
FINDINGS_SUBMIT = "findings.submit"
BOARD_DECISION = "board.decision"

# --- Case work's own guards (named in the moves below) ------------------------------------------


def findings_complete(ctx: MoveContext) -> str | None:
    """Submit: a proposed finding with a rationale on every allegation, and the public summary."""
    from .models import Investigation

    complaint = ctx.obj
    allegations = list(Allegation.objects.filter(complaint=complaint).select_related("finding"))
    problems = []
    if not allegations:
        problems.append(_("The case has no allegations to make findings on."))
    missing = [a for a in allegations if not _proposed(a)]
    if missing:
        problems.append(
            ngettext(
                "%(count)d of %(total)d allegations has no proposed finding.",
                "%(count)d of %(total)d allegations have no proposed finding.",
                len(missing),
            )
            % {"count": len(missing), "total": len(allegations)}
        )
    summary = Investigation.objects.filter(complaint=complaint).values_list("public_summary", flat=True).first()
    if not (summary or "").strip():
        problems.append(_("Write the public summary."))
    return " ".join(problems) or None


def _proposed(allegation: Allegation) -> bool:
    finding = getattr(allegation, "finding", None)
    return bool(finding and finding.proposed_disposition and (finding.rationale or "").strip())


def not_own_investigation(ctx: MoveContext) -> str | None:
    """Approve: nobody approves an investigation they are assigned to."""
    from .models import InvestigatorAssignment

    assigned = InvestigatorAssignment.objects.filter(
        investigation__complaint=ctx.obj, investigator_id=getattr(ctx.actor, "pk", None), ended_at__isnull=True
    ).exists()
    if assigned:
        return _("You are assigned to this investigation, so someone else must approve its findings.")
    return None


def finals_complete(ctx: MoveContext) -> str | None:
    """Close the case: a final finding on every allegation."""
    allegations = list(Allegation.objects.filter(complaint=ctx.obj).select_related("finding"))
    missing = [a for a in allegations if not getattr(getattr(a, "finding", None), "final_disposition", "")]
    if not allegations:
        return _("The case has no allegations, so it has no final findings to close on.")
    if missing:
        return ngettext(
            "%(count)d of %(total)d allegations has no final finding yet.",
            "%(count)d of %(total)d allegations have no final finding yet.",
            len(missing),
        ) % {"count": len(missing), "total": len(allegations)}
    return None


def _investigation_opened(ctx: MoveContext) -> None:
    """Mediation failed: investigate, opening the investigation if there is none yet."""
    from django.utils import timezone

    from .models import Investigation
    from .services.evidence import evidence_from_attachments

    if not Investigation.objects.filter(complaint=ctx.obj).exists():
        Investigation.objects.create(complaint=ctx.obj, discovery_date=timezone.localtime(ctx.obj.received_at).date())
        evidence_from_attachments(complaint=ctx.obj, actor=ctx.actor)


TRANSITIONS: list[Move] = [
    Move("claim", S.RECEIVED, S.IN_TRIAGE, "triage", gettext_lazy("Start triage")),
    Move(
        "accept",
        S.IN_TRIAGE,
        S.UNDER_INVESTIGATION,
        "triage",
        gettext_lazy("Accept for investigation"),
        owner=TRIAGE_ACCEPT,
    ),
    Move(
        "mediate",
        S.IN_TRIAGE,
        S.IN_MEDIATION,
        "triage",
        gettext_lazy("Offer mediation"),
        confirm=gettext_lazy(
            "The complainant will be told, in their language, that mediation is offered. "
            "The case leaves triage and waits for the mediation's result."
        ),
    ),
    Move(
        "refer",
        S.IN_TRIAGE,
        S.REFERRED,
        "triage",
        gettext_lazy("Refer to another agency"),
        reason_required=True,
        owner=TRIAGE_REFER,
    ),
    Move(
        "close",
        S.IN_TRIAGE,
        S.ADMINISTRATIVELY_CLOSED,
        "triage",
        gettext_lazy("Close"),
        reason_required=True,
        owner=TRIAGE_CLOSE,
    ),
    Move(
        "mediation_succeeded",
        S.IN_MEDIATION,
        S.MEDIATED,
        "triage",
        gettext_lazy("Mediation succeeded"),
        confirm=gettext_lazy(
            "The case will be closed as resolved through mediation, and the complainant will be told. "
            "Only a supervisor can reopen it."
        ),
    ),
    Move(
        "mediation_failed",
        S.IN_MEDIATION,
        S.UNDER_INVESTIGATION,
        "triage",
        gettext_lazy("Mediation failed: investigate"),
        reason_required=True,
    ),
    Move(
        "submit",
        S.UNDER_INVESTIGATION,
        S.FINDINGS_PROPOSED,
        "work",
        gettext_lazy("Submit findings"),
        owner=FINDINGS_SUBMIT,
        guards=(findings_complete,),
    ),
    Move(
        "approve",
        S.FINDINGS_PROPOSED,
        S.BOARD_REVIEW,
        "investigations.approve_findings",
        gettext_lazy("Approve for board review"),
        guards=(not_own_investigation,),
        requires=("board.referral",),  # the board members' access to the case
        confirm=gettext_lazy(
            "The case goes to the board: every current board member who is not recused will be able to "
            "see it, and the complainant's status page will say it is with the board."
        ),
    ),
    Move(
        "send_back",
        S.FINDINGS_PROPOSED,
        S.UNDER_INVESTIGATION,
        "investigations.approve_findings",
        gettext_lazy("Send back to the investigator"),
        reason_required=True,
    ),
    Move(
        "decide",
        S.BOARD_REVIEW,
        S.DECIDED,
        "board_chair",
        gettext_lazy("Record the board's decision"),
        owner=BOARD_DECISION,
        # Board review's own checks (investigations/board/registry.py); without them, no decision.
        requires=("board.quorum", "board.decision_recorded"),
    ),
    Move(
        "remand",
        S.BOARD_REVIEW,
        S.UNDER_INVESTIGATION,
        "board_chair",
        gettext_lazy("Remand to investigation"),
        reason_required=True,
        owner=BOARD_DECISION,
        requires=("board.quorum", "board.remand_recorded"),
    ),
    Move(
        "close_case",
        S.DECIDED,
        S.CLOSED,
        "investigations.approve_findings",
        gettext_lazy("Close the case"),
        guards=(finals_complete,),
        confirm=gettext_lazy(
            "The case will be closed and the complainant's status page will say so. "
            "Only a supervisor can reopen it, with a reason."
        ),
    ),
    Move(
        "reopen",
        S.CLOSED,
        S.UNDER_INVESTIGATION,
        "investigations.reopen_case",
        gettext_lazy("Reopen"),
        reason_required=True,
    ),
]


# --- Who may --------------------------------------------------------------------------------------


def can_work(user: Any, complaint: Complaint) -> bool:
    """Whether ``user`` may do case work (notes, evidence, interviews, subpoenas, findings) on it:
    a supervisor, or an investigator assigned to this case; nobody once a higher part has frozen it
    (``case.frozen``: its records were destroyed under the retention schedule, say)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if hooks.run("case.frozen", complaint):
        return False
    if user.has_perm("complaints.view_all_complaints") and user.has_perm("complaints.change_complaint"):
        return True
    return permissions.user_can(user, "complaints.change_complaint", complaint)


def _may_triage(user: Any, complaint: Complaint) -> bool:
    return user.has_perm("complaints.triage_complaint") and complaint_visible_to(user, complaint)


# --- What each move records -------------------------------------------------------------------------


def _record_change(ctx: MoveContext) -> Any:
    from .models import StatusChange
    from .tasks import send_status_notifications

    complaint = ctx.obj
    actor = ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None
    change = StatusChange.objects.create(
        complaint=complaint,
        action=ctx.move.action,
        from_status=ctx.source,
        to_status=ctx.move.target,
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        reason=ctx.reason,
        data=ctx.params.get("change_data") or {},
        created_at=ctx.now,
    )
    if public_stage(ctx.source) != public_stage(ctx.move.target):
        PublicTimelineEntry.objects.create(
            complaint=complaint,
            stage=public_stage(ctx.move.target),
            occurred_at=ctx.now,
            detail=(ctx.params.get("public_detail") or "")[:300],
        )
    enqueue(send_status_notifications, change.pk)
    return change


# --- The import path (``Lifecycle.enter``) -----------------------------------------------------------
# The statuses a case from another system may be brought into, and what it must have for each: the
# same facts ``manage.py workflow_check`` asks of every case (``checks.py``), asked of one batch.
ENTRIES = (
    S.RECEIVED,
    S.UNDER_INVESTIGATION,
    S.DECIDED,
    S.CLOSED,
    S.REFERRED,
    S.ADMINISTRATIVELY_CLOSED,
)
ENTRY_WORKED = (S.UNDER_INVESTIGATION, S.DECIDED, S.CLOSED)
ENTRY_DECIDED = (S.DECIDED, S.CLOSED)


def _ids_without(ids: list[int], having: Any) -> set[int]:
    return set(ids) - set(having)


def _entry_has_investigation(ids: list[int]) -> dict[int, str]:
    from .models import Investigation

    having = Investigation.objects.filter(complaint_id__in=ids).values_list("complaint_id", flat=True)
    return dict.fromkeys(_ids_without(ids, having), _("it has no investigation"))


def _entry_findings_final(ids: list[int]) -> dict[int, str]:
    """Decided or closed: allegations, each with a proposed finding and rationale and a final
    disposition, and the public summary."""
    from .models import Investigation

    problems: dict[int, str] = {}
    with_allegations = Allegation.objects.filter(complaint_id__in=ids).values_list("complaint_id", flat=True)
    for pk in _ids_without(ids, with_allegations):
        problems[pk] = _("it has no allegations")
    incomplete = (
        Allegation.objects.filter(complaint_id__in=ids)
        .exclude(
            finding__isnull=False,
            finding__proposed_disposition__gt="",
            finding__rationale__gt="",
            finding__final_disposition__gt="",
        )
        .values_list("complaint_id", flat=True)
        .distinct()
    )
    for pk in incomplete:
        problems.setdefault(pk, _("an allegation has no final finding with a rationale"))
    unsummarized = Investigation.objects.filter(complaint_id__in=ids, public_summary="").values_list(
        "complaint_id", flat=True
    )
    for pk in unsummarized:
        problems.setdefault(pk, _("it has no public summary"))
    return problems


def _entry_referred(ids: list[int]) -> dict[int, str]:
    unnamed = Complaint.objects.filter(pk__in=ids, referred_to="").values_list("pk", flat=True)
    return dict.fromkeys(unnamed, _("it is referred but names no agency"))


def _entry_closure_reason(ids: list[int]) -> dict[int, str]:
    unexplained = Complaint.objects.filter(pk__in=ids, closure_reason="").values_list("pk", flat=True)
    return dict.fromkeys(unexplained, _("it is closed in triage without a reason"))


def _record_entries(records: list[Entered], actor: Any, via: str) -> None:
    """History of an import: one status change per case (action ``import``, from ``received``, the
    status every case is created in) and, when the public stage differs, one timeline entry."""
    from .models import StatusChange

    actor = actor if getattr(actor, "is_authenticated", False) else None
    username = actor.get_username() if actor is not None else ""
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                complaint_id=record.pk,
                action="import",
                from_status=S.RECEIVED,
                to_status=record.status,
                actor=actor,
                actor_username=username,
                reason=record.reason,
                data={"via": via},
                created_at=record.at,
            )
            for record in records
            if record.status != S.RECEIVED
        ],
        batch_size=1000,
    )
    PublicTimelineEntry.objects.bulk_create(
        [
            PublicTimelineEntry(complaint_id=record.pk, stage=public_stage(record.status), occurred_at=record.at)
            for record in records
            if public_stage(record.status) != public_stage(S.RECEIVED)
        ],
        batch_size=1000,
    )


COMPLAINT_LIFECYCLE = Lifecycle(
    name="complaint",
    model=Complaint,
    moves=TRANSITIONS,
    audit_action="case.transitioned",
    record_change=_record_change,
    denied_message=gettext_lazy("You are not allowed to do this on this case."),
    conflict_message=gettext_lazy(
        "Someone else changed this case while you were looking at it: it is now “%(status)s”."
    ),
    entries=ENTRIES,
    record_entries=_record_entries,
)
COMPLAINT_LIFECYCLE.add_entry_check(*ENTRY_WORKED, name="investigation", check=_entry_has_investigation)
COMPLAINT_LIFECYCLE.add_entry_check(*ENTRY_DECIDED, name="findings_final", check=_entry_findings_final)
COMPLAINT_LIFECYCLE.add_entry_check(S.REFERRED, name="referred_to", check=_entry_referred)
COMPLAINT_LIFECYCLE.add_entry_check(S.ADMINISTRATIVELY_CLOSED, name="closure_reason", check=_entry_closure_reason)


def _stamp(ctx: MoveContext) -> None:
    ctx.obj.status_changed_at = ctx.now
    ctx.fields.append("status_changed_at")


COMPLAINT_LIFECYCLE.add_effect(*dict.fromkeys(t.action for t in TRANSITIONS), name="stamp", effect=_stamp)
COMPLAINT_LIFECYCLE.add_rule("triage", _may_triage)
COMPLAINT_LIFECYCLE.add_rule("work", can_work)


COMPLAINT_LIFECYCLE.add_effect("mediation_failed", name="investigation_opened", effect=_investigation_opened)


COMPLAINT_LIFECYCLE.set_owner_page(TRIAGE_ACCEPT, "cases:accept")
COMPLAINT_LIFECYCLE.set_owner_page(TRIAGE_REFER, "cases:refer")
COMPLAINT_LIFECYCLE.set_owner_page(TRIAGE_CLOSE, "cases:close")
COMPLAINT_LIFECYCLE.set_owner_page(FINDINGS_SUBMIT, "cases:findings")


# --- Reads ------------------------------------------------------------------------------------------

BY_PAIR: dict[tuple[str, str], Move] = {(t.source, t.target): t for t in TRANSITIONS}


def transition_for(source: str, target: str) -> Move | None:
    return COMPLAINT_LIFECYCLE.move_for(source, target)


def transitions_from(source: str) -> list[Move]:
    return COMPLAINT_LIFECYCLE.moves_from(source)
