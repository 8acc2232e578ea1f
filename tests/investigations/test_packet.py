"""The board packet PDF, its download and the board demo data."""

import hashlib
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from pypdf import PdfReader

from complaints.models import Party
from investigations.board.documents import BoardPacket, prior_complaints
from investigations.board.models import (
    BoardDecision,
    BoardMembership,
    DecisionFinding,
    DepartmentResponse,
    Recusal,
    Vote,
    VoteProposal,
)
from investigations.models import Disposition, EvidenceItem, Finding, Interview, Investigation, Subpoena
from oversight import permissions
from oversight.models import AuditEvent

from ..factories import AllegationFactory, ComplaintFactory, OfficerFactory, PartyFactory, SubjectOfficerFactory

pytestmark = pytest.mark.django_db

EMAIL = "rosa.delgado@example.com"
PHONE = "555-201-3344"
WITNESS_EMAIL = "w.jones@example.net"
WITNESS_PHONE = "555-777-8899"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    return "".join(text.split())


def _add_items(complaint, subject, n: int, start: int = 1) -> list[EvidenceItem]:
    items = []
    for number in range(start, start + n):
        allegation = AllegationFactory(subject_officer=subject, description=f"Allegation {number}")
        Finding.objects.create(
            allegation=allegation, proposed_disposition=Disposition.SUSTAINED, rationale=f"Rationale {number}"
        )
        items.append(
            EvidenceItem.objects.create(
                complaint=complaint,
                number=number,
                kind=EvidenceItem.Kind.BODY_CAMERA,
                source="Records unit",
                description=f"Video {number}",
                sha256=hashlib.sha256(f"{complaint.pk}-{number}".encode()).hexdigest(),
            )
        )
        Interview.objects.create(
            complaint=complaint,
            person_name="Wanda Jones",
            role=Interview.Role.WITNESS,
            conducted_at=timezone.now(),
            location="Commission office",
            interviewer=_interviewer(),
            recorded=True,
            summary=f"Witness statement {number}",
        )
    return items


def _interviewer():
    from django.contrib.auth import get_user_model

    from ..factories import UserFactory

    user = get_user_model().objects.filter(username="ingrid_interviewer").first()
    return user or UserFactory(username="ingrid_interviewer", first_name="Ingrid", last_name="Vance")


@pytest.fixture
def case():
    complaint = ComplaintFactory(status="board_review", narrative="Officer pushed me outside the laundromat.")
    PartyFactory(
        complaint=complaint,
        role=Party.Role.COMPLAINANT,
        first_name="Rosa",
        last_name="Delgado",
        email=EMAIL,
        phone=PHONE,
        address="12 Elm Street",
    )
    PartyFactory(
        complaint=complaint,
        role=Party.Role.WITNESS,
        first_name="Wanda",
        last_name="Jones",
        email=WITNESS_EMAIL,
        phone=WITNESS_PHONE,
    )
    Investigation.objects.create(
        complaint=complaint, discovery_date=date(2026, 3, 14), public_summary="Video and statements reviewed."
    )
    subject = SubjectOfficerFactory(complaint=complaint)
    _add_items(complaint, subject, 2)
    Subpoena.objects.create(
        complaint=complaint,
        number=1,
        recipient_kind=Subpoena.RecipientKind.PERSON,
        recipient_name="Wanda Jones",
        recipient_address="99 Oak Avenue",
        demand=Subpoena.Demand.TESTIMONY,
        description="Testimony",
        due_date=date(2026, 1, 1),
    )
    return complaint


def test_packet_has_every_allegation_and_full_hash_and_no_contact_details(case):
    pdf = BoardPacket(case).render()
    text = _text(pdf)
    flat = _flat(text)
    for allegation in case.allegations.select_related("category"):
        assert allegation.category.name in text
    for item in case.evidence.all():
        assert len(item.sha256) == 64
        assert item.sha256 in flat
    assert "Sustained" in text and "Rationale 1" in text
    assert case.tracking_number in text
    for secret in (EMAIL, PHONE, WITNESS_EMAIL, WITNESS_PHONE, "Rosa", "Delgado", "Wanda", "12 Elm", "99 Oak"):
        assert secret not in text, secret
        assert _flat(secret) not in flat, secret
    assert "Witness statement 1" in text and "Ingrid Vance" in text
    assert "Deadline" in text and "Due date" in text


def test_packet_shows_votes_recusals_and_decisions(case, board_member, recused_board_member):
    allegation = case.allegations.first()
    vote = Vote.objects.create(complaint=case, member=board_member, choice=Vote.Choice.DO_NOT_CONCUR, comment="No.")
    VoteProposal.objects.create(
        vote=vote, allegation=allegation, disposition=Disposition.NOT_SUSTAINED, rationale="Conflicting accounts"
    )
    Recusal.objects.create(complaint=case, member=recused_board_member, reason="Conflict")
    decision = BoardDecision.objects.create(complaint=case, kind=BoardDecision.Kind.MODIFY, instructions="Changed")
    DecisionFinding.objects.create(
        decision=decision,
        finding=allegation.finding,
        final_disposition=Disposition.NOT_SUSTAINED,
        rationale="Conflicting accounts",
    )
    text = _text(BoardPacket(case).render())
    flat = _flat(text)  # names in narrow columns may wrap
    assert _flat(board_member.get_full_name()) in flat
    assert _flat(recused_board_member.get_full_name()) in flat
    assert "Donotconcur" in flat and "Modify the findings" in text


def test_prior_complaints_counts_other_cases_in_one_query(case):
    subject = case.subject_officers.get()
    other = ComplaintFactory()
    other_subject = SubjectOfficerFactory(complaint=other, officer=subject.officer)
    a1 = AllegationFactory(subject_officer=other_subject)
    a2 = AllegationFactory(subject_officer=other_subject)
    Finding.objects.create(allegation=a1, proposed_disposition=Disposition.SUSTAINED, rationale="x")
    Finding.objects.create(allegation=a2, proposed_disposition=Disposition.SUSTAINED, rationale="x")
    Finding.objects.filter(allegation=a2).update(final_disposition=Disposition.EXONERATED)
    lonely = OfficerFactory()
    with CaptureQueriesContext(connection) as queries:
        histories = prior_complaints(case, [subject.officer_id, lonely.pk])
    assert len(queries) == 1
    assert histories[subject.officer_id].complaints == 1
    assert histories[subject.officer_id].dispositions == {"sustained": 1, "exonerated": 1}
    assert histories[lonely.pk].complaints == 0
    assert "Other complaints" in _text(BoardPacket(case).render())


def test_packet_query_count_does_not_grow_with_items(case):
    small = ComplaintFactory(status="board_review")
    Investigation.objects.create(complaint=small, discovery_date=date(2026, 3, 14))
    _add_items(small, SubjectOfficerFactory(complaint=small), 1)
    BoardPacket(small).render()  # warm caches (content types, translations)
    with CaptureQueriesContext(connection) as one:
        BoardPacket(small).render()
    _add_items(case, case.subject_officers.get(), 6, start=3)
    with CaptureQueriesContext(connection) as many:
        BoardPacket(case).render()
    assert len(many) == len(one), [q["sql"] for q in many]


# --- The download --------------------------------------------------------------------------------


def _url(complaint) -> str:
    return f"/staff/cases/{complaint.tracking_number}/packet/"


def test_unassigned_investigator_gets_404(client, case, other_investigator):
    client.force_login(other_investigator)
    assert client.get(_url(case)).status_code == 404
    assert not AuditEvent.objects.filter(action="board.packet_downloaded").exists()


def test_every_download_is_audited(client, case, supervisor):
    client.force_login(supervisor)
    for _attempt in range(2):
        response = client.get(_url(case))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="board-packet-{case.tracking_number}.pdf"'
        assert response.content.startswith(b"%PDF")
    events = AuditEvent.objects.filter(action="board.packet_downloaded")
    assert events.count() == 2
    assert {e.actor_id for e in events} == {supervisor.pk}


def test_assigned_investigator_may_download(client, case):
    from ..factories import UserFactory

    investigator = UserFactory(roles=["investigator"])
    permissions.grant(investigator, "complaints.view_complaint", case)
    permissions.grant(investigator, "complaints.change_complaint", case)
    client.force_login(investigator)
    assert client.get(_url(case)).status_code == 200


def test_board_members_current_and_not_recused_only(client, case, board_member, recused_board_member):
    today = timezone.localdate()
    for member in (board_member, recused_board_member):  # both sit on the board (their fixtures)
        permissions.grant(member, "complaints.view_complaint", case)
    Recusal.objects.create(complaint=case, member=recused_board_member, reason="Conflict")
    client.force_login(board_member)
    assert client.get(_url(case)).status_code == 200
    client.force_login(recused_board_member)
    assert client.get(_url(case)).status_code == 404
    # A former member who still holds the grant may not download either.
    BoardMembership.objects.filter(member=board_member).update(term_end=today - timedelta(days=1))
    client.force_login(board_member)
    assert client.get(_url(case)).status_code == 404
    assert AuditEvent.objects.filter(action="board.packet_downloaded").count() == 1


def test_anonymous_user_is_sent_to_login(client, case):
    response = client.get(_url(case))
    assert response.status_code == 302


# --- Demo data -----------------------------------------------------------------------------------


def test_board_demo_seeder_on_a_seeded_database(capsys):
    # Seeders run in registration order: the apps' demo modules first (as seed_demo loads them),
    # then this one, as the lead's import at the bottom of investigations/demo.py will do.
    autodiscover_modules("demo")
    import investigations.board.demo  # noqa: F401 (registers the "board" seeder)

    call_command("seed_demo", complaints=300, seed=7, as_of="2026-11-01", quiet_logins=True)
    as_of = date(2026, 11, 1)
    chair = BoardMembership.objects.get(member__username="board")
    assert chair.is_chair and chair.is_current(as_of)
    members = BoardMembership.objects.filter(member__username__in=["board2", "board3", "board4", "board5"])
    assert members.count() == 4 and not members.filter(is_chair=True).exists()
    assert all(m.is_current(as_of) and not m.member.is_staff for m in members.select_related("member"))
    assert all(m.member.groups.filter(name="board_member").exists() for m in members.select_related("member"))
    assert Vote.objects.filter(choice=Vote.Choice.CONCUR).exists()
    assert Vote.objects.exclude(choice=Vote.Choice.CONCUR).exists()
    assert Recusal.objects.exists()
    for recusal in Recusal.objects.select_related("member", "complaint"):
        assert not permissions.user_can(recusal.member, "complaints.view_complaint", recusal.complaint)
        assert not Vote.objects.filter(member=recusal.member, complaint=recusal.complaint).exists()
    assert set(BoardDecision.objects.values_list("kind", flat=True)) == set(BoardDecision.Kind.values)
    assert DecisionFinding.objects.filter(decision__kind="modify").exclude(rationale="").exists()
    assert Finding.objects.exclude(final_disposition="").exists()
    assert DepartmentResponse.objects.exclude(response="").exists()
    assert DepartmentResponse.objects.filter(response="", due_date__lt=as_of).exists()  # overdue
    assert DepartmentResponse.objects.filter(response="", due_date__gte=as_of).exists()  # awaiting
    assert not DecisionFinding.objects.filter(final_disposition="sustained", recommended_discipline="").exists()


@pytest.mark.urls("oversight.urls")
def test_a_large_packet_is_built_in_the_background_and_downloaded_with_an_audit(
    client, supervisor, settings, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from investigations.models import GeneratedDocument
    from investigations.services import triage as triage_services
    from oversight.models import AuditEvent
    from tests.factories import AllegationFactory, ComplaintFactory, SubjectOfficerFactory

    settings.BOARD_PACKET_TASK_THRESHOLD = 0
    complaint = ComplaintFactory()
    AllegationFactory(subject_officer=SubjectOfficerFactory(complaint=complaint))
    triage_services.triage_claim(complaint=complaint, actor=supervisor)
    triage_services.triage_accept(complaint=complaint, actor=supervisor)
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("board:packet", args=[complaint.tracking_number]))
    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and str(document.pk) in response["Location"]
    document.refresh_from_db()
    assert document.ready_at is not None and document.file.name
    page = client.get(response["Location"]).content.decode()
    assert "Download the board packet" in page
    download = client.get(reverse("board:packet_file", args=[complaint.tracking_number, document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="board.packet_downloaded", target_id=str(complaint.pk)).exists()
    # Someone else cannot use this member's prepared file.
    from tests.factories import UserFactory

    other = UserFactory(username="another_supervisor", roles=["supervisor"])
    client.force_login(other)
    assert client.get(reverse("board:packet_file", args=[complaint.tracking_number, document.pk])).status_code == 404
