"""The board chair's decision (adopt / modify / remand) and the department's response to
sustained findings. The decision service owns the complaint lifecycle's ``decide`` and ``remand``
moves (``via=BOARD_DECISION``); the guards board review registers on them
(``board.registry``) check quorum and the recorded decision again inside the move."""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Allegation, Complaint
from investigations.models import Disposition, Finding
from investigations.services.transitions import complaint_transition
from investigations.workflow import BOARD_DECISION
from oversight import audit
from oversight.lifecycle import MoveRefused
from oversight.tasks import enqueue

from ..membership import is_current_chair, is_recused
from ..models import BoardDecision, DecisionFinding, DepartmentResponse
from ..selectors import decision_quorum, votes_counted

S = Complaint.Status
K = BoardDecision.Kind


# --- The decision ------------------------------------------------------------------------------------


def _refuse(complaint: Complaint, actor: Any, data: dict[str, Any]) -> None:
    audit.record_refusal("board.decided", target=complaint, actor=actor, data=data)
    raise PermissionDenied


def _findings_by_allegation(complaint: Complaint) -> list[tuple[Allegation, Finding | None]]:
    allegations = (
        Allegation.objects.filter(complaint=complaint)
        .select_related("finding", "category", "subject_officer__officer")
        .order_by("subject_officer_id", "id")
    )
    return [(a, getattr(a, "finding", None)) for a in allegations]


def _finals_for(
    *, kind: str, rows: list[tuple[Allegation, Finding | None]], finals: dict, discipline: dict
) -> list[dict[str, Any]]:
    """Validate and compute each allegation's final disposition, rationale and discipline."""
    errors: list[str] = []
    scale = list(settings.DISCIPLINE_SCALE)
    result = []
    finals = {int(k): v for k, v in (finals or {}).items()}
    discipline = {int(k): (v or "").strip() for k, v in (discipline or {}).items()}
    known = {a.pk for a, _f in rows}
    for unknown in sorted(set(finals) - known):
        errors.append(_("Allegation %(id)s is not on this case.") % {"id": unknown})
    changed = 0
    for allegation, finding in rows:
        if finding is None:
            errors.append(_("“%(allegation)s” has no proposed finding.") % {"allegation": allegation})
            continue
        disposition, rationale = finding.proposed_disposition, ""
        if kind == K.MODIFY and allegation.pk in finals:
            disposition, rationale = finals[allegation.pk]
            disposition, rationale = disposition or finding.proposed_disposition, (rationale or "").strip()
            if disposition not in Disposition.values:
                errors.append(_("Choose a final disposition for “%(allegation)s”.") % {"allegation": allegation})
                continue
            if disposition != finding.proposed_disposition:
                changed += 1
                if not rationale:
                    errors.append(
                        _("Give the board's rationale for changing the finding on “%(allegation)s”.")
                        % {"allegation": allegation}
                    )
        recommended = ""
        if disposition == Disposition.SUSTAINED:
            recommended = discipline.get(allegation.pk, "")
            if recommended not in scale:
                errors.append(
                    _("Recommend discipline for the sustained finding on “%(allegation)s”.")
                    % {"allegation": allegation}
                )
        result.append(
            {"finding": finding, "disposition": disposition, "rationale": rationale, "discipline": recommended}
        )
    if kind == K.MODIFY and not changed and not errors:
        errors.append(_("No final disposition differs from the proposal: adopt the proposed findings instead."))
    if errors:
        raise ValidationError(errors, code="invalid_finals")
    return result


def _apply_finals(decision: BoardDecision, finals: list[dict[str, Any]]) -> None:
    due = timezone.localdate() + timedelta(days=settings.DEPARTMENT_RESPONSE_DAYS)
    DecisionFinding.objects.bulk_create(
        DecisionFinding(
            decision=decision,
            finding=row["finding"],
            final_disposition=row["disposition"],
            rationale=row["rationale"],
            recommended_discipline=row["discipline"],
        )
        for row in finals
    )
    for row in finals:
        finding = row["finding"]
        finding.final_disposition = row["disposition"]
        finding.final_rationale = row["rationale"]
        finding.save(update_fields=["final_disposition", "final_rationale", "updated_at"])
        if row["disposition"] == Disposition.SUSTAINED:
            DepartmentResponse.objects.get_or_create(finding=finding, defaults={"due_date": due})


def decision_record(
    *,
    complaint: Complaint,
    actor: Any,
    kind: str,
    instructions: str = "",
    finals: dict[int, tuple[str, str]] | None = None,
    discipline: dict[int, str] | None = None,
    corrects: BoardDecision | None = None,
) -> BoardDecision:
    """Record the board's decision on a case in board review: the current, non-recused chair only,
    once quorum is reached.

    - ``adopt``: every proposed finding becomes final; the case moves to decided.
    - ``modify``: ``finals`` = ``{allegation_id: (disposition, rationale)}``; a rationale is required
      for every final that differs from the proposal; the case moves to decided.
    - ``remand``: ``instructions`` required; the case goes back under investigation with them as the
      reason; the findings stay proposals.
    Sustained finals need a recommended discipline from ``settings.DISCIPLINE_SCALE``
    (``discipline`` = ``{allegation_id: value}``) and get a department response due in
    ``settings.DEPARTMENT_RESPONSE_DAYS``. ``corrects`` records a correction of an earlier adopt or
    modify decision while the case is decided: a new decision referencing it that re-sets the finals.
    """
    kind = str(kind)
    instructions = (instructions or "").strip()
    base = {"kind": kind, "corrects": corrects.pk if corrects else None}
    if kind not in K.values:
        raise ValidationError(_("Choose adopt, modify or remand."), code="kind")
    if not is_current_chair(actor):
        _refuse(complaint, actor, {**base, "reason": "not_chair"})
    if is_recused(actor, complaint):
        _refuse(complaint, actor, {**base, "reason": "recused"})
    if kind == K.REMAND and not instructions:
        raise ValidationError({"instructions": [_("Give the investigator instructions for the remand.")]})
    if corrects is not None and (corrects.complaint_id != complaint.pk or kind == K.REMAND):
        raise ValidationError(_("Only an adopt or modify decision on this case can be corrected."), code="corrects")
    result: dict[str, Any] = {}

    def apply(locked: Complaint) -> None:
        # Quorum is the decide and remand moves' own guard (board.registry), checked after this runs.
        quorum = decision_quorum(locked)
        rows = []
        if kind != K.REMAND:
            rows = _finals_for(kind=kind, rows=_findings_by_allegation(locked), finals=finals, discipline=discipline)
        decision = BoardDecision.objects.create(
            complaint=locked,
            kind=kind,
            instructions=instructions,
            recorded_by=actor,
            votes_counted={**votes_counted(locked), "quorum_required": quorum["required"]},
            corrects=corrects,
        )
        if rows:
            _apply_finals(decision, rows)
        result["decision"] = decision
        result["finals"] = {str(r["finding"].allegation_id): r["disposition"] for r in rows}

    with audit.service_atomic():
        if corrects is None:
            target = S.UNDER_INVESTIGATION if kind == K.REMAND else S.DECIDED
            try:
                complaint_transition(
                    complaint=complaint,
                    to_status=target,
                    actor=actor,
                    reason=instructions if kind == K.REMAND else "",
                    data={"decision_kind": kind},
                    apply=apply,
                    via=BOARD_DECISION,
                )
            except MoveRefused as refused:
                if refused.code != "precondition":
                    raise
                # Quorum not reached: the chair reads it on the decision form (the refusal is audited).
                raise ValidationError(refused.message, code="precondition") from None
        else:
            locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
            if locked.status != S.DECIDED:
                raise ValidationError(
                    _("A decision can only be corrected while the case is decided; it is now “%(status)s”.")
                    % {"status": locked.get_status_display()},
                    code="not_decided",
                )
            if BoardDecision.objects.filter(corrects=corrects).exists():
                raise ValidationError(_("That decision has already been corrected."), code="already_corrected")
            apply(locked)
        decision = result["decision"]
        audit.record(
            "board.decided",
            target=complaint,
            actor=actor,
            data={**base, "decision": decision.pk, "finals": result["finals"], "votes": decision.votes_counted},
        )
        if kind != K.REMAND:
            from ..tasks import send_decision_notification

            enqueue(send_decision_notification, decision.pk)
    return decision


# --- The department's response --------------------------------------------------------------------------


def department_response_record(
    *, response: DepartmentResponse, actor: Any, kind: str, responded_on: date, discipline_imposed: str
) -> DepartmentResponse:
    """Record the police department's response to a sustained finding (supervisors)."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm("investigations.approve_findings"):
        audit.record_refusal(
            "department.responded",
            target_label=f"department response {response.pk}",
            actor=actor,
            data={"response": response.pk},
        )
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if kind not in DepartmentResponse.Response.values:
        errors["response"] = [_("Choose the department's response.")]
    if responded_on is None:
        errors["responded_on"] = [_("Give the date of the response.")]
    elif responded_on > timezone.localdate():
        errors["responded_on"] = [_("The date of the response cannot be in the future.")]
    discipline_imposed = (discipline_imposed or "").strip()
    if kind in {DepartmentResponse.Response.ACCEPTED, DepartmentResponse.Response.MODIFIED} and not discipline_imposed:
        errors["discipline_imposed"] = [_("Say what discipline the department imposed.")]
    if errors:
        raise ValidationError(errors)
    with audit.service_atomic():
        locked = (
            DepartmentResponse.objects.select_for_update().select_related("finding__allegation").get(pk=response.pk)
        )
        locked.response = kind
        locked.responded_on = responded_on
        locked.discipline_imposed = discipline_imposed
        locked.recorded_by = actor
        locked.save(update_fields=["response", "responded_on", "discipline_imposed", "recorded_by", "updated_at"])
        audit.record(
            "department.responded",
            target=locked.finding.allegation.complaint,
            actor=actor,
            data={"response": locked.pk, "allegation": locked.finding.allegation_id, "kind": kind},
        )
    return locked


# --- Reads ------------------------------------------------------------------------------------------------
