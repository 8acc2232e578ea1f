"""Moving board review into its own app keeps every board row of an existing database.

The database is taken back to the last migration before the move, board rows are written with the
models as they were then (board review inside ``investigations``), and the database is migrated
forward again: the counts, a sample of rows, the subpoena's authorizing vote, the content types and
the permissions attached to them all survive.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("board", None),  # the board app did not exist yet
    ("investigations", "0003_subpoena_votes_generated_documents"),
    ("complaints", "0005_complaint_closure_reason_complaint_duplicate_of_and_more"),
    ("oversight", "0002_sent_notifications"),
]
MOVED = [
    "BoardMembership",
    "BoardMeeting",
    "Recusal",
    "Vote",
    "VoteProposal",
    "BoardDecision",
    "DecisionFinding",
    "DepartmentResponse",
    "SubpoenaVote",
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor = MigrationExecutor(connection)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _seed_old(apps):
    """Board rows as the application wrote them before the move."""
    User = apps.get_model("auth", "User")
    Complaint = apps.get_model("complaints", "Complaint")
    Allegation = apps.get_model("complaints", "Allegation")
    Investigation = apps.get_model("investigations", "Investigation")
    Finding = apps.get_model("investigations", "Finding")
    Subpoena = apps.get_model("investigations", "Subpoena")
    m = {name: apps.get_model("investigations", name) for name in MOVED}
    chair = User.objects.create(username="mig_chair", first_name="Ada", last_name="Chair")
    member = User.objects.create(username="mig_member")
    now = timezone.now()
    complaint = Complaint.objects.create(
        tracking_number="MIG-2026-00001", received_at=now, narrative="Moved.", status="decided", status_changed_at=now
    )
    subject = apps.get_model("complaints", "SubjectOfficer").objects.create(
        complaint=complaint, name_as_given="A. Smith"
    )
    allegation = Allegation.objects.create(complaint=complaint, subject_officer=subject)
    Investigation.objects.create(complaint=complaint, discovery_date=date(2026, 1, 5))
    finding = Finding.objects.create(
        allegation=allegation, proposed_disposition="sustained", rationale="Video.", final_disposition="sustained"
    )
    m["BoardMembership"].objects.create(member=chair, is_chair=True, term_start=date(2025, 1, 1))
    m["BoardMembership"].objects.create(member=member, term_start=date(2025, 1, 1), term_end=date(2027, 1, 1))
    meeting = m["BoardMeeting"].objects.create(date=date(2026, 3, 3), minutes="Quorum present.")
    meeting.agenda.add(complaint)
    meeting.attendees.add(chair, member)
    m["Recusal"].objects.create(complaint=complaint, member=member, reason="Neighbour.", recorded_by=member)
    vote = m["Vote"].objects.create(complaint=complaint, member=chair, choice="concur", comment="Agree.")
    m["VoteProposal"].objects.create(vote=vote, allegation=allegation, disposition="sustained", rationale="Video.")
    decision = m["BoardDecision"].objects.create(
        complaint=complaint, kind="adopt", recorded_by=chair, votes_counted={"concur": 1}
    )
    m["DecisionFinding"].objects.create(
        decision=decision, finding=finding, final_disposition="sustained", recommended_discipline="suspension"
    )
    m["DepartmentResponse"].objects.create(finding=finding, due_date=date(2026, 5, 1), response="accepted")
    subpoena = Subpoena.objects.create(
        complaint=complaint,
        number=1,
        recipient_kind="agency",
        recipient_name="Records",
        demand="documents",
        description="Logs.",
        due_date=date.today() + timedelta(days=9),
        status="authorized",
        authorized_by=chair,
        authorized_at=now,
    )
    subpoena_vote = m["SubpoenaVote"].objects.create(
        subpoena=subpoena, meeting=meeting, votes_for=3, votes_against=1, recorded_by=chair
    )
    Subpoena.objects.filter(pk=subpoena.pk).update(authorizing_vote=subpoena_vote)
    return {
        "complaint": complaint.pk,
        "chair": chair.pk,
        "member": member.pk,
        "meeting": meeting.pk,
        "subpoena": subpoena.pk,
        "subpoena_vote": subpoena_vote.pk,
        "decision": decision.pk,
        "finding": finding.pk,
    }


def _snapshot(apps, app_label, like=None):
    """Every moved row, as its columns; with ``like`` (the state before the move), only the columns
    the rows had then: a later migration may add columns with their defaults."""
    rows = {}
    for name in MOVED:
        model = apps.get_model(app_label, name)
        columns = [f.attname for f in like.get_model("investigations", name)._meta.concrete_fields] if like else []
        rows[name] = sorted(
            tuple(sorted((k, str(v)) for k, v in row.items())) for row in model.objects.values(*columns)
        )
    meeting = apps.get_model(app_label, "BoardMeeting").objects.get()
    rows["agenda"] = sorted(meeting.agenda.values_list("pk", flat=True))
    rows["attendees"] = sorted(meeting.attendees.values_list("pk", flat=True))
    return rows


@pytest.mark.django_db(transaction=True)
def test_board_rows_survive_the_move_into_their_own_app():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    old = _migrate(BEFORE)
    ids = _seed_old(old)
    before = _snapshot(old, "investigations")
    old_perm_ids = set(
        old.get_model("auth", "Permission")
        .objects.filter(content_type__app_label="investigations", content_type__model="boardmembership")
        .values_list("pk", flat=True)
    )

    new = _migrate(_latest())
    after = _snapshot(new, "board", like=old)
    assert after == before
    assert {name: len(rows) for name, rows in after.items() if name in MOVED} == {
        **dict.fromkeys(MOVED, 1),
        "BoardMembership": 2,
    }

    # The subpoena's authorizing vote moved onto the board's link row.
    link = new.get_model("board", "SubpoenaAuthorization").objects.get()
    assert (link.subpoena_id, link.vote_id, link.recorded_by_id) == (
        ids["subpoena"],
        ids["subpoena_vote"],
        ids["chair"],
    )

    # Content types (and so permissions and admin history) follow the models.
    assert not ContentType.objects.filter(app_label="investigations", model="boardmembership").exists()
    moved_type = ContentType.objects.get(app_label="board", model="boardmembership")
    assert set(Permission.objects.filter(content_type=moved_type).values_list("pk", flat=True)) >= old_perm_ids

    # The application reads them through the new app.
    from investigations.board.models import BoardDecision, BoardMeeting, SubpoenaAuthorization

    assert BoardDecision.objects.get(pk=ids["decision"]).findings.get().recommended_discipline == "suspension"
    assert list(BoardMeeting.objects.get(pk=ids["meeting"]).agenda.values_list("pk", flat=True)) == [ids["complaint"]]
    assert SubpoenaAuthorization.objects.get().subpoena.board_authorization.vote_id == ids["subpoena_vote"]
