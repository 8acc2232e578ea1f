"""A hold placed, or a case reopened, at the moment its records are destroyed: one wins, never both."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from complaints.models import Complaint
from investigations.retention.models import LegalHold, RetentionRecord
from investigations.retention.services import case_destroy, legal_hold_place
from investigations.services.transitions import complaint_transition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*actions: Callable[[], object]) -> list[BaseException]:
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            action()
        except BaseException as error:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_a_hold_and_a_destruction_at_once_never_both_succeed(closed_case, supervisor):
    assert connection.vendor == "postgresql"
    for _attempt in range(3):
        case = closed_case(closed_on=timezone.localdate() - timedelta(days=365 * 6))
        errors = _race(
            lambda case=case: case_destroy(complaint=case, actor=supervisor, reason="Due"),
            lambda case=case: legal_hold_place(complaint=case, actor=supervisor, kind="litigation", reason="Suit"),
        )
        destroyed = RetentionRecord.objects.filter(complaint=case, status="destroyed").exists()
        held = LegalHold.objects.filter(complaint=case, status="active").exists()
        assert destroyed != held
        assert len(errors) == 1


def test_a_reopening_and_a_destruction_at_once_never_both_succeed(closed_case, supervisor):
    assert connection.vendor == "postgresql"
    for _attempt in range(3):
        case = closed_case(closed_on=timezone.localdate() - timedelta(days=365 * 6))
        errors = _race(
            lambda case=case: case_destroy(complaint=case, actor=supervisor, reason="Due"),
            lambda case=case: complaint_transition(
                complaint=case, to_status=Complaint.Status.UNDER_INVESTIGATION, actor=supervisor, reason="New facts"
            ),
        )
        destroyed = RetentionRecord.objects.filter(complaint=case, status="destroyed").exists()
        reopened = Complaint.objects.get(pk=case.pk).status == Complaint.Status.UNDER_INVESTIGATION
        assert destroyed != reopened
        assert len(errors) == 1
