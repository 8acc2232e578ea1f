"""Destruction: personal data and files gone from every table and from storage, history included;
the tombstone and the statistics stay; the case pages say what happened."""

import io
from collections import Counter
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from complaints.models import AllegationCategory, Complaint, Party, SubjectOfficer
from investigations.models import (
    CaseNote,
    CustodyEvent,
    Disposition,
    EvidenceItem,
    Finding,
    Interview,
    Investigation,
    Subpoena,
)
from investigations.retention.closings import store_closing
from investigations.retention.models import LegalHold, RetentionRecord
from investigations.retention.services import RetentionRefused, case_destroy, legal_hold_place, legal_hold_release
from investigations.services.evidence import custody_record, evidence_add, evidence_from_attachments
from investigations.services.interviews import interview_record
from investigations.services.notes import note_add
from investigations.services.subpoenas import subpoena_draft
from investigations.services.transitions import complaint_transition
from oversight.models import AuditEvent, SentNotification
from tests.factories import (
    PNG_BYTES,
    AllegationFactory,
    AttachmentFactory,
    ComplaintFactory,
    DistrictFactory,
    OfficerFactory,
    PartyFactory,
    SubjectOfficerFactory,
)
from tests.retention.conftest import noon

pytestmark = pytest.mark.django_db

S = Complaint.Status

# One distinctive string per personal field; none may survive anywhere.
SECRETS = {
    "narrative": "Narrativeqx71 the officer shoved me",
    "location": "Locationqx72 corner",
    "first_name": "Firstqx73",
    "last_name": "Lastqx74",
    "email": "mailqx75@example.com",
    "old_email": "oldmailqx76@example.com",
    "phone": "555-7707-7107",
    "address": "77 Addressqx77 Road",
    "party_description": "Tall man in a red coat qx78",
    "witness": "Witnessqx79",
    "name_as_given": "Givenqx81",
    "appearance": "Appearanceqx82",
    "vehicle": "Vehicleqx83",
    "unit_as_given": "Unitqx84",
    "allegation": "Allegationqx86",
    "attachment_name": "Attachqx87.png",
    "report": "Reportqx88",
    "summary": "Summaryqx89",
    "evidence_source": "Sourceqx90",
    "evidence_description": "Evidenceqx91",
    "evidence_name": "Evfileqx92.png",
    "counterparty": "Counterqx93",
    "custody_note": "Custodyqx94",
    "note": "Noteqx95",
    "interview_place": "Placeqx96",
    "interview_summary": "Interviewqx97",
    "recipient": "Recipientqx98",
    "recipient_address": "Raddrqx99",
    "subpoena_request": "Requestqx100",
    "rationale": "Rationaleqx101",
    "board_rationale": "Boardqx102",
    "hold_reason": "Holdqx103",
    "release_reason": "Releaseqx104",
}


def _every_value() -> list[tuple[str, str]]:
    """Every value of every row of every table (history, audit and Django's own included), as text."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from the schema)
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes | memoryview) else str(value)
                    found.append((table, text.lower()))
    return found


def _leaks() -> dict[str, list[str]]:
    values = _every_value()
    return {
        key: sorted({table for table, text in values if secret.lower() in text})
        for key, secret in SECRETS.items()
        if any(secret.lower() in text for _table, text in values)
    }


def _statistics() -> tuple[Counter, Counter, Counter, Counter]:
    by_year = Counter(timezone.localtime(c.received_at).year for c in Complaint.objects.all())
    by_category = Counter(code for code in Finding.objects.values_list("allegation__category__code", flat=True))
    by_disposition = Counter(Finding.objects.values_list("final_disposition", flat=True))
    by_district = Counter(Complaint.objects.values_list("district__code", flat=True))
    return by_year, by_category, by_disposition, by_district


@pytest.fixture
def seeded(db, supervisor, django_capture_on_commit_callbacks, private_storage):
    """A sustained case with a distinctive string in every personal field, closed on 1 June 2010
    (so due since 1 June 2025), and a second case, closed last year, that must not change."""
    district = DistrictFactory(code="07")
    complaint = ComplaintFactory(
        received_at=noon(date(2009, 5, 1)),
        narrative=SECRETS["narrative"],
        location_text=SECRETS["location"],
        district=district,
        status=S.UNDER_INVESTIGATION,
    )
    party = PartyFactory(
        complaint=complaint,
        first_name=SECRETS["first_name"],
        last_name=SECRETS["last_name"],
        email=SECRETS["old_email"],
        phone=SECRETS["phone"],
        address=SECRETS["address"],
        race_ethnicity="asian",
        gender="female",
        age_range="25_34",
    )
    party.email = SECRETS["email"]  # the old address stays in the party's history
    party.save()
    witness = PartyFactory(
        complaint=complaint,
        role=Party.Role.WITNESS,
        first_name=SECRETS["witness"],
        last_name="",
        email="",
        phone="",
        description=SECRETS["party_description"],
    )
    officer = OfficerFactory()
    identified = SubjectOfficerFactory(
        complaint=complaint, officer=officer, name_as_given=SECRETS["name_as_given"], appearance=SECRETS["appearance"]
    )
    unidentified = SubjectOfficerFactory(
        complaint=complaint, officer=None, vehicle=SECRETS["vehicle"], unit_as_given=SECRETS["unit_as_given"]
    )
    force = AllegationFactory(
        complaint=complaint,
        subject_officer=identified,
        category=AllegationCategory.objects.get(code="force-physical"),
        description=SECRETS["allegation"],
    )
    words = AllegationFactory(
        complaint=complaint, subject_officer=unidentified, category=AllegationCategory.objects.get(code="disc-words")
    )
    attachment = AttachmentFactory(complaint=complaint, original_name=SECRETS["attachment_name"])
    Investigation.objects.create(
        complaint=complaint,
        discovery_date=date(2009, 5, 1),
        report=SECRETS["report"],
        public_summary=SECRETS["summary"],
    )
    evidence_from_attachments(complaint=complaint, actor=supervisor)
    item = evidence_add(
        complaint=complaint,
        actor=supervisor,
        kind=EvidenceItem.Kind.PHOTO,
        source=SECRETS["evidence_source"],
        description=SECRETS["evidence_description"],
        stream=io.BytesIO(PNG_BYTES),
        original_name=SECRETS["evidence_name"],
    )
    custody_record(
        item=item,
        actor=supervisor,
        action=CustodyEvent.Action.TRANSFERRED,
        counterparty=SECRETS["counterparty"],
        note=SECRETS["custody_note"],
    )
    note_add(complaint=complaint, actor=supervisor, body=SECRETS["note"])
    interview_record(
        complaint=complaint,
        actor=supervisor,
        person_name="",
        role=Interview.Role.WITNESS,
        conducted_at=timezone.now() - timedelta(days=1),
        location=SECRETS["interview_place"],
        interviewer=supervisor,
        recorded=False,
        summary=SECRETS["interview_summary"],
        party=witness,
    )
    subpoena_draft(
        complaint=complaint,
        actor=supervisor,
        recipient_kind=Subpoena.RecipientKind.PERSON,
        recipient_name=SECRETS["recipient"],
        recipient_address=SECRETS["recipient_address"],
        demand=Subpoena.Demand.DOCUMENTS,
        description=SECRETS["subpoena_request"],
        due_date=timezone.localdate() + timedelta(days=30),
    )
    subpoena_draft(
        complaint=complaint,
        actor=supervisor,
        recipient_kind=Subpoena.RecipientKind.ORGANISATION,
        recipient_name="Acme Telephone Company",
        recipient_address="1 Exchange Plaza",
        demand=Subpoena.Demand.DOCUMENTS,
        description="Call records for the night in question",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    Finding.objects.create(
        allegation=force,
        proposed_disposition=Disposition.SUSTAINED,
        rationale=SECRETS["rationale"],
        final_disposition=Disposition.SUSTAINED,
        final_rationale=SECRETS["board_rationale"],
    )
    Finding.objects.create(
        allegation=words,
        proposed_disposition=Disposition.NOT_SUSTAINED,
        rationale="Not enough evidence either way.",
        final_disposition=Disposition.NOT_SUSTAINED,
    )
    hold = legal_hold_place(
        complaint=complaint,
        actor=supervisor,
        kind=LegalHold.Kind.LITIGATION,
        reference="10-CV-0001",
        reason=SECRETS["hold_reason"],
    )
    legal_hold_release(hold=hold, actor=supervisor, reason=SECRETS["release_reason"])
    # Decided, then closed through the lifecycle: the complainant is emailed (a SentNotification row).
    Complaint.objects.filter(pk=complaint.pk).update(status=S.DECIDED)
    complaint.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        change = complaint_transition(complaint=complaint, to_status=S.CLOSED, actor=supervisor)
    assert SentNotification.objects.filter(recipient=SECRETS["email"]).exists()
    closed_at = noon(date(2010, 6, 1))
    type(change).objects.filter(pk=change.pk).update(created_at=closed_at)
    Complaint.objects.filter(pk=complaint.pk).update(status_changed_at=closed_at)
    complaint.refresh_from_db()
    store_closing(complaint, closed_on=date(2010, 6, 1))
    files = [attachment.file.name, EvidenceItem.objects.get(pk=item.pk).file.name]
    assert all(private_storage.exists(name) for name in files)
    return complaint, files


def test_after_destruction_no_personal_data_remains_in_any_table(
    seeded, supervisor, client, django_capture_on_commit_callbacks, private_storage, closed_case
):
    complaint, files = seeded
    kept = closed_case(
        closed_on=timezone.localdate() - timedelta(days=365),
        received_on=date(2010, 3, 3),
        dispositions=(Disposition.EXONERATED,),
        district=complaint.district,
    )
    assert set(_leaks()) == set(SECRETS)  # every string really was stored somewhere
    expected = (
        Counter({2009: 1, 2010: 1}),
        Counter({"force-physical": 2, "disc-words": 1}),
        Counter({"sustained": 1, "not_sustained": 1, "exonerated": 1}),
        Counter({"07": 2}),
    )
    assert _statistics() == expected

    client.force_login(supervisor)
    url = reverse("staff:retention:destroy", args=[complaint.tracking_number])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "reason": "Fifteen years since closing under PC 832.5; no hold.",
                "confirm": "on",
                "tracking_number": complaint.tracking_number,
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]

    assert _leaks() == {}
    assert not any(private_storage.exists(name) for name in files)
    assert _statistics() == expected

    # The tombstone: the complaint row and what statistics need, marked destroyed.
    complaint.refresh_from_db()
    assert (complaint.tracking_number, complaint.status, complaint.channel) == (
        complaint.tracking_number,
        S.CLOSED,
        Complaint.Channel.WEB,
    )
    assert complaint.received_at == noon(date(2009, 5, 1))
    record = RetentionRecord.objects.get(complaint=complaint)
    assert record.status == RetentionRecord.Status.DESTROYED
    assert record.destroyed_by == supervisor
    assert record.reason == "Fifteen years since closing under PC 832.5; no hold."
    assert (record.schedule, record.closed_on, record.due_on) == ("sustained", date(2010, 6, 1), date(2025, 6, 1))
    assert SubjectOfficer.objects.filter(complaint=complaint, officer__isnull=False).count() == 1
    assert Party.objects.filter(complaint=complaint).count() == 2  # rows kept, identities gone
    assert Subpoena.objects.get(complaint=complaint, recipient_kind="organisation").recipient_name == (
        "Acme Telephone Company"
    )
    # Each evidence item is recorded as destroyed in its chain of custody.
    assert CustodyEvent.objects.filter(evidence__complaint=complaint, action="destroyed").count() == 2
    # Every change was made by the supervisor: the new history rows and the audit event.
    assert {h.history_user for h in Party.history.filter(complaint_id=complaint.pk, history_type="~")} >= {supervisor}
    event = AuditEvent.objects.get(action="retention.destroyed", outcome="success")
    assert event.actor == supervisor
    assert event.target_label == complaint.tracking_number
    assert event.data["schedule"] == "sustained" and event.data["files"] == 2
    # The other case is untouched.
    kept.refresh_from_db()
    assert RetentionRecord.objects.get(complaint=kept).status == RetentionRecord.Status.KEPT
    assert kept.narrative != "[Destroyed under the retention schedule]"


def test_every_page_of_a_destroyed_case_says_so_and_none_fails(seeded, supervisor, client):
    complaint, _files = seeded
    case_destroy(complaint=complaint, actor=supervisor, reason="Due and not held.")
    number = complaint.tracking_number
    client.force_login(supervisor)
    item = EvidenceItem.objects.filter(complaint=complaint).order_by("number").first()
    subpoena = Subpoena.objects.filter(complaint=complaint).order_by("number").first()
    pages = [
        reverse("cases:overview", args=[number]),
        reverse("cases:timeline", args=[number]),
        reverse("cases:notes", args=[number]),
        reverse("cases:history", args=[number]),
        reverse("cases:interviews", args=[number]),
        reverse("cases:evidence", args=[number]),
        reverse("cases:evidence_detail", args=[number, item.number]),
        reverse("cases:subpoenas", args=[number]),
        reverse("cases:subpoena_detail", args=[number, subpoena.number]),
        reverse("cases:findings", args=[number]),
        reverse("cases:deadline", args=[number]),
        reverse("board:decision", args=[number]),
        reverse("complaints:detail", args=[number]),
        reverse("staff:retention:case", args=[number]),
        reverse("staff:retention:destroy", args=[number]),
    ]
    destroyed_on = timezone.localdate().isoformat()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.startswith("/staff/cases/") or url.startswith("/staff/retention/"):
            assert f"Records destroyed on {destroyed_on} under the retention schedule" in response.content.decode(), url
    download = client.get(reverse("cases:evidence_download", args=[number, item.number]))
    assert download.status_code == 410
    page = client.get(reverse("staff:retention:destroy", args=[number])).content.decode()
    assert "were already destroyed on" in page and "Destroy the records</button>" not in page


def test_a_destroyed_case_cannot_be_destroyed_again_or_reopened(seeded, supervisor):
    complaint, _files = seeded
    case_destroy(complaint=complaint, actor=supervisor, reason="Due and not held.")
    with pytest.raises(RetentionRefused) as again:
        case_destroy(complaint=complaint, actor=supervisor, reason="Once more")
    assert again.value.code == "already_destroyed"
    assert "were already destroyed on" in again.value.message
    assert AuditEvent.objects.filter(action="retention.destroyed", outcome="denied").count() == 1
    with pytest.raises(RetentionRefused) as reopen:
        complaint_transition(complaint=complaint, to_status=S.UNDER_INVESTIGATION, actor=supervisor, reason="New facts")
    assert "destroyed on" in reopen.value.message and "cannot be reopened" in reopen.value.message
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED


def test_a_case_not_yet_due_is_refused_with_its_due_date(closed_case, supervisor, client):
    closed_on = timezone.localdate() - timedelta(days=400)
    case = closed_case(closed_on=closed_on)
    with pytest.raises(RetentionRefused) as refused:
        case_destroy(complaint=case, actor=supervisor, reason="Tidy up")
    due = closed_on + relativedelta(years=5)
    assert refused.value.message == (
        "Not due yet: under the “Not sustained” schedule a case is kept for 5 years after it closed. "
        f"This one closed on {closed_on.isoformat()} and may be destroyed from {due.isoformat()}."
    )
    assert AuditEvent.objects.get(action="retention.destroyed", outcome="denied").data["refused"] == "precondition"
    assert not RetentionRecord.objects.filter(complaint=case, status="destroyed").exists()
    client.force_login(supervisor)
    response = client.post(
        reverse("staff:retention:destroy", args=[case.tracking_number]),
        {"reason": "Tidy up", "confirm": "on", "tracking_number": case.tracking_number},
    )
    assert response.status_code == 400
    assert "Not due yet" in response.content.decode()


def test_the_confirmation_needs_the_tracking_number_and_the_checkbox(closed_case, supervisor, client):
    case = closed_case(closed_on=timezone.localdate() - timedelta(days=365 * 6))
    client.force_login(supervisor)
    url = reverse("staff:retention:destroy", args=[case.tracking_number])
    response = client.post(url, {"reason": "Due", "tracking_number": "TST-1999-00001"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "That is not this case&#x27;s tracking number." in body
    assert not RetentionRecord.objects.filter(complaint=case, status="destroyed").exists()


def test_no_case_work_is_done_on_a_destroyed_case(seeded, supervisor, client):
    complaint, _files = seeded
    case_destroy(complaint=complaint, actor=supervisor, reason="Due and not held.")
    notes_before = CaseNote.objects.filter(complaint=complaint).count()
    with pytest.raises(PermissionDenied):
        note_add(complaint=complaint, actor=supervisor, body="Ana Quintero called back from 555-0142.")
    client.force_login(supervisor)
    response = client.post(reverse("cases:notes", args=[complaint.tracking_number]), {"kind": "note", "body": "Again"})
    assert response.status_code in (403, 404)
    assert CaseNote.objects.filter(complaint=complaint).count() == notes_before
    page = client.get(reverse("cases:notes", args=[complaint.tracking_number])).content.decode()
    assert 'name="body"' not in page
