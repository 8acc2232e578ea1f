"""The closing date and schedule the complaint lifecycle stores for the due list (closings.py)."""

from datetime import date
from itertools import chain

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import Complaint
from investigations.checks import contradictions
from investigations.models import Disposition, Finding, Investigation
from investigations.retention.closings import backfill_closings
from investigations.retention.models import RetentionRecord
from investigations.retention.selectors import cases_due
from investigations.services.transitions import complaint_transition
from investigations.workflow import COMPLAINT_LIFECYCLE
from oversight import hooks
from tests.factories import AllegationFactory, ComplaintFactory, SubjectOfficerFactory
from tests.retention.conftest import noon

pytestmark = pytest.mark.django_db

S = Complaint.Status


def _decided(*dispositions: str) -> Complaint:
    complaint = ComplaintFactory(status=S.DECIDED)
    Investigation.objects.create(complaint=complaint, discovery_date=date(2026, 1, 5), public_summary="Summary.")
    subject = SubjectOfficerFactory(complaint=complaint)
    for disposition in dispositions:
        Finding.objects.create(
            allegation=AllegationFactory(complaint=complaint, subject_officer=subject),
            proposed_disposition=disposition,
            rationale="Weighed.",
            final_disposition=disposition,
        )
    return complaint


def all_contradictions():
    return list(chain(contradictions(), *hooks.run("workflow.checks")))


def _record(complaint: Complaint) -> tuple:
    return RetentionRecord.objects.filter(complaint=complaint).values_list("status", "closed_on", "schedule").get()


def test_closing_through_the_lifecycle_stores_the_date_and_the_schedule(supervisor):
    not_sustained = _decided(Disposition.NOT_SUSTAINED, Disposition.EXONERATED)
    sustained = _decided(Disposition.NOT_SUSTAINED, Disposition.SUSTAINED)
    for case in (not_sustained, sustained):
        complaint_transition(complaint=case, to_status=S.CLOSED, actor=supervisor)
    today = timezone.localdate()
    assert _record(not_sustained) == ("kept", today, "not_sustained")
    assert _record(sustained) == ("kept", today, "sustained")


def test_every_move_into_a_closed_status_stores_it_and_every_move_out_clears_it():
    closed = {S.CLOSED, S.MEDIATED, S.REFERRED, S.ADMINISTRATIVELY_CLOSED}
    into = {m.action for m in COMPLAINT_LIFECYCLE.moves if m.target in closed}
    out_of = {m.action for m in COMPLAINT_LIFECYCLE.moves if m.source in closed and m.target not in closed}
    assert into == {"refer", "close", "mediation_succeeded", "close_case"}
    assert out_of
    for action in into:
        assert "retention.closed_on" in COMPLAINT_LIFECYCLE._effects.get(action, {}), action
    for action in out_of:
        assert "retention.reopened" in COMPLAINT_LIFECYCLE._effects.get(action, {}), action


def test_reopening_clears_them_and_the_next_closing_starts_over(supervisor):
    case = _decided(Disposition.NOT_SUSTAINED)
    complaint_transition(complaint=case, to_status=S.CLOSED, actor=supervisor)
    RetentionRecord.objects.filter(complaint=case).update(closed_on=date(2015, 3, 1))
    assert set(cases_due().values_list("pk", flat=True)) == {case.pk}

    case.refresh_from_db()
    complaint_transition(complaint=case, to_status=S.UNDER_INVESTIGATION, actor=supervisor, reason="New witness.")
    assert _record(case) == ("kept", None, "")
    assert not cases_due().exists()


def test_the_due_list_reads_no_record_of_moves_and_no_findings():
    case = _decided(Disposition.SUSTAINED)
    Complaint.objects.filter(pk=case.pk).update(status=S.CLOSED, status_changed_at=noon(date(2005, 1, 3)))
    backfill_closings()
    with CaptureQueriesContext(connection) as queries:
        assert list(cases_due().values_list("pk", flat=True)) == [case.pk]
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "investigations_statuschange" not in sql
    assert "investigations_finding" not in sql
    assert "retention_retentionrecord" in sql


def test_backfill_fills_cases_closed_outside_the_lifecycle_and_is_safe_to_run_again():
    old_sustained = _decided(Disposition.SUSTAINED)
    old_not = _decided(Disposition.UNFOUNDED)
    still_open = ComplaintFactory(status=S.UNDER_INVESTIGATION)
    for case in (old_sustained, old_not):
        Complaint.objects.filter(pk=case.pk).update(status=S.CLOSED, status_changed_at=noon(date(2012, 7, 9)))
    # An open case that still carries a closing (reopened by a bulk load) is cleared.
    RetentionRecord.objects.create(complaint=still_open, closed_on=date(2011, 1, 1), schedule="not_sustained")

    assert backfill_closings() == {"created": 2, "updated": 0, "cleared": 1}
    assert _record(old_sustained) == ("kept", date(2012, 7, 9), "sustained")
    assert _record(old_not) == ("kept", date(2012, 7, 9), "not_sustained")
    assert _record(still_open) == ("kept", None, "")
    assert backfill_closings() == {"created": 0, "updated": 0, "cleared": 0}
    assert set(cases_due(today=date(2018, 1, 1)).values_list("pk", flat=True)) == {old_not.pk}


def test_the_command_backfills_and_workflow_check_names_what_lacks_a_closing(capsys):
    case = _decided(Disposition.NOT_SUSTAINED)
    Complaint.objects.filter(pk=case.pk).update(status=S.CLOSED)
    problems = [row for row in all_contradictions() if row[0] == case.tracking_number]
    assert any("holds no closing date" in problem for _number, _status, problem in problems)

    call_command("retention_backfill")
    assert "1 created" in capsys.readouterr().out
    problems = [row for row in all_contradictions() if row[0] == case.tracking_number]
    assert not any("closing date" in problem for _number, _status, problem in problems)
