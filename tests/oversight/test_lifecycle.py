"""The shared lifecycle mechanism, on a small table of its own (independent of the case tables)."""

import pytest
from django.core.exceptions import ValidationError

from complaints.models import Complaint
from oversight.lifecycle import Lifecycle, Move, MoveRefused
from oversight.models import AuditEvent

from ..factories import ComplaintFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


def _lifecycle(*moves: Move, recorded: list | None = None) -> Lifecycle:
    recorded = recorded if recorded is not None else []
    lifecycle = Lifecycle(
        name="toy",
        model=Complaint,
        moves=moves,
        audit_action="case.transitioned",
        record_change=lambda ctx: recorded.append((ctx.source, ctx.move.target, ctx.reason)) or len(recorded),
    )
    lifecycle.add_rule("anyone", lambda actor, obj: True)
    lifecycle.add_rule("nobody", lambda actor, obj: False)
    return lifecycle


def test_a_guard_refusal_rolls_back_the_callers_changes_and_is_audited(supervisor):
    complaint = ComplaintFactory(status=S.RECEIVED, location_text="before")
    lifecycle = _lifecycle(Move("go", S.RECEIVED, S.IN_TRIAGE, "anyone", "Go"))
    lifecycle.add_guard("go", name="never", check=lambda ctx: "Not today.")

    def apply(ctx):
        ctx.obj.location_text = "after"
        ctx.obj.save(update_fields=["location_text"])

    with pytest.raises(MoveRefused) as refused:
        lifecycle.run(obj=complaint, target=S.IN_TRIAGE, actor=supervisor, apply=apply)
    assert (refused.value.code, refused.value.message) == ("precondition", "Not today.")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.location_text) == (S.RECEIVED, "before")
    event = AuditEvent.objects.filter(action="case.transitioned", outcome="denied").latest("id")
    assert event.data == {"to": S.IN_TRIAGE, "refused": "precondition", "message": "Not today."}


def test_guards_may_raise_field_errors_and_blockers_report_them_without_moving(supervisor):
    complaint = ComplaintFactory(status=S.RECEIVED)
    lifecycle = _lifecycle(Move("go", S.RECEIVED, S.IN_TRIAGE, "anyone", "Go"))

    def needs_vote(ctx):
        if not ctx.params.get("vote"):
            raise ValidationError({"vote": ["Choose the vote."]})

    lifecycle.add_guard("go", name="vote", check=needs_vote)
    move = lifecycle.move_for(S.RECEIVED, S.IN_TRIAGE)
    assert lifecycle.blockers(complaint, supervisor, move) == ["Choose the vote."]
    with pytest.raises(ValidationError):
        lifecycle.run(obj=complaint, target=S.IN_TRIAGE, actor=supervisor)
    lifecycle.run(obj=complaint, target=S.IN_TRIAGE, actor=supervisor, params={"vote": 1})
    assert Complaint.objects.get(pk=complaint.pk).status == S.IN_TRIAGE


def test_a_move_whose_required_checks_are_not_registered_is_refused(supervisor):
    complaint = ComplaintFactory(status=S.RECEIVED)
    lifecycle = _lifecycle(Move("go", S.RECEIVED, S.IN_TRIAGE, "anyone", "Go", requires=("board.quorum",)))
    with pytest.raises(MoveRefused) as refused:
        lifecycle.run(obj=complaint, target=S.IN_TRIAGE, actor=supervisor)
    assert refused.value.code == "precondition" and "not installed" in refused.value.message
    lifecycle.add_guard("go", name="board.quorum", check=lambda ctx: None)
    lifecycle.run(obj=complaint, target=S.IN_TRIAGE, actor=supervisor)
    assert Complaint.objects.get(pk=complaint.pk).status == S.IN_TRIAGE


def test_owned_moves_need_their_owner_and_permits_widen_who_may(supervisor, other_investigator):
    complaint = ComplaintFactory(status=S.RECEIVED)
    recorded = []
    lifecycle = _lifecycle(Move("go", S.RECEIVED, S.IN_TRIAGE, "nobody", "Go", owner="toy.owner"), recorded=recorded)
    with pytest.raises(MoveRefused) as refused:
        lifecycle.run(obj=complaint, target=S.IN_TRIAGE, actor=supervisor)
    assert refused.value.code == "owned"
    with pytest.raises(MoveRefused) as refused:
        lifecycle.run(obj=complaint, target=S.IN_TRIAGE, actor=supervisor, via="toy.owner")
    assert refused.value.code == "forbidden"
    lifecycle.add_permit("go", name="sup", check=lambda actor, obj: actor == supervisor)
    assert not lifecycle.may(other_investigator, complaint, lifecycle.moves[0])
    change = lifecycle.run(obj=complaint, target=S.IN_TRIAGE, actor=supervisor, via="toy.owner", reason=" why ")
    assert change == 1 and recorded == [(S.RECEIVED, S.IN_TRIAGE, "why")]
    assert complaint.status == S.IN_TRIAGE  # the caller's object follows the saved row


def test_effects_run_after_the_guards_and_after_commit_work_waits_for_the_commit(
    supervisor, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory(status=S.RECEIVED)
    order = []
    lifecycle = _lifecycle(Move("go", S.RECEIVED, S.IN_TRIAGE, "anyone", "Go"))
    lifecycle.add_guard("go", name="g", check=lambda ctx: order.append("guard"))
    lifecycle.add_effect("go", name="e", effect=lambda ctx: order.append("effect"))
    lifecycle.add_after_commit("go", name="a", effect=lambda ctx, change: order.append("after"))
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.run(obj=complaint, target=S.IN_TRIAGE, actor=supervisor, apply=lambda ctx: order.append("apply"))
        assert order == ["apply", "guard", "effect"]
    assert order == ["apply", "guard", "effect", "after"]


def test_registering_on_an_unknown_move_is_an_error():
    lifecycle = _lifecycle(Move("go", S.RECEIVED, S.IN_TRIAGE, "anyone", "Go"))
    with pytest.raises(ValueError):
        lifecycle.add_guard("fly", name="x", check=lambda ctx: None)
    with pytest.raises(ValueError):
        Lifecycle(
            name="twice",
            model=Complaint,
            moves=[Move("a", S.RECEIVED, S.IN_TRIAGE, "x", "A"), Move("b", S.RECEIVED, S.IN_TRIAGE, "x", "B")],
            audit_action="case.transitioned",
            record_change=lambda ctx: None,
        )
