"""Bulk publication of imported decided cases: the same drafting, redaction and checks as any case,
approved by the importing publication officer with a reason, and the two-person rule kept for every
other version."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from complaints.models import Complaint
from investigations.importing.models import ImportedCase, ImportRun
from oversight.lifecycle import MoveRefused
from oversight.models import AuditEvent
from public_portal.publication import checks
from public_portal.publication.bulk import publish_imported
from public_portal.publication.models import Publication
from public_portal.publication.selectors import published_get
from public_portal.publication.services import publication_draft, publication_edit, publication_move
from public_portal.publication.workflow import BULK_IMPORT, PUBLICATION_LIFECYCLE
from search import backends
from search.backends.base import PublicQuery
from search.models import PendingUpdate
from tests.factories import UserFactory

from .cases import decided_case
from .conftest import NAMED_SUMMARY

pytestmark = pytest.mark.django_db
P = Publication.Status
S = Complaint.Status

REASON = "Historical decisions of the former office, published on the board's instruction of 12 May."
NEVER_PUBLISHED = ["Rosa", "Delgado", "DELGADO", "555-0142", "4410 N Broad St", "Whitfield", "CPC-2026-00042"]


@pytest.fixture
def import_run(db):
    return ImportRun.objects.create(system="legacy-cms", mapping_name="legacy.toml", mapping_sha256="0" * 64)


@pytest.fixture
def imported(import_run):
    """Marks a complaint as brought in by the import run, the way the importer leaves it."""
    count = 0

    def mark(complaint):
        nonlocal count
        count += 1
        ImportedCase.objects.create(
            complaint=complaint,
            system=import_run.system,
            source_id=f"LEG-{count:05d}",
            source_file="cases.csv",
            source_line=count + 1,
            fingerprint=f"{count:064d}",
            run=import_run,
        )
        return complaint

    return mark


def _only_version(complaint):
    (publication,) = Publication.objects.filter(complaint=complaint)
    return publication


# --- Publishing --------------------------------------------------------------------------------------


def test_imported_cases_are_published_with_their_summary_redacted(imported, named_case, publisher):
    closed = imported(decided_case(status=S.CLOSED))
    imported(named_case)
    done = []

    report = publish_imported(
        complaint_ids=[named_case.pk, closed.pk], actor=publisher, reason=REASON, progress=done.append
    )

    assert (report.published, dict(report.skipped)) == (2, {})
    assert done == [1, 2]
    publication = _only_version(named_case)
    assert publication.status == P.PUBLISHED
    assert published_get(publication.public_id) == publication
    for text in NEVER_PUBLISHED:
        assert text not in publication.summary, text
    # Officer Quintero's sustained unlawful search names him under the California rules.
    assert "told us that Officer Hector Quintero stopped her" in publication.summary
    assert publication.redaction_log
    assert _only_version(closed).status == P.PUBLISHED


def test_the_approval_is_recorded_as_the_importing_officer_with_the_reason(imported, named_case, publisher):
    imported(named_case)
    publish_imported(complaint_ids=[named_case.pk], actor=publisher, reason=f"  {REASON}  ")

    publication = _only_version(named_case)
    assert (publication.drafted_by, publication.approved_by, publication.published_by) == (
        publisher,
        publisher,
        publisher,
    )
    assert publication.approved_by_name == "priya_publisher"
    assert publication.approved_at is not None
    assert publication.approval_reason == REASON
    assert publication.edited_by_ids == []


def test_every_step_is_audited_and_the_run_too_without_the_reason_or_any_name(imported, named_case, publisher):
    imported(named_case)
    publish_imported(complaint_ids=[named_case.pk], actor=publisher, reason=REASON)

    events = list(AuditEvent.objects.filter(action__startswith="publication.", outcome="success").order_by("id"))
    assert [e.action for e in events] == [
        "publication.drafted",
        "publication.approved",
        "publication.published",
        "publication.bulk_published",
    ]
    assert all(e.actor_username == "priya_publisher" for e in events)
    drafted, approved, published, run = events
    assert drafted.data["redactions"] == {"name": 2, "address": 1, "phone": 1, "officer_name": 1, "case_number": 1}
    assert (approved.data["bulk_import"], approved.data["reason_length"]) == (True, len(REASON))
    assert published.data["bulk_import"] is True
    assert run.data == {"published": 1, "skipped": {}, "reason_length": len(REASON)}
    dumped = json.dumps([[e.target_label, e.data] for e in events])
    for text in [*NEVER_PUBLISHED, "Quintero", REASON[:20], NAMED_SUMMARY[:30]]:
        assert text not in dumped, text


def test_a_bulk_publication_queues_the_public_search_update(imported, publisher):
    case = imported(decided_case())
    publish_imported(complaint_ids=[case.pk], actor=publisher, reason=REASON)
    publication = _only_version(case)
    assert PendingUpdate.objects.filter(kind="dispositions", object_id=publication.pk).exists()


def test_a_bulk_publication_reaches_the_public_search_once_committed(
    imported, publisher, settings, django_capture_on_commit_callbacks
):
    settings.SEARCH_BACKEND = "database"
    backends.reset()
    try:
        case = imported(decided_case())
        with django_capture_on_commit_callbacks(execute=True):
            publish_imported(complaint_ids=[case.pk], actor=publisher, reason=REASON)
        publication = _only_version(case)
        found = backends.backend().public_search(query=PublicQuery(text="park"))
        assert {hit.key for hit in found.hits} == {publication.public_id}
        assert not PendingUpdate.objects.filter(kind="dispositions").exists()
    finally:
        backends.reset()


# --- What is left alone ------------------------------------------------------------------------------


def test_a_case_not_imported_is_refused_the_bulk_path(publisher):
    case = decided_case()

    report = publish_imported(complaint_ids=[case.pk], actor=publisher, reason=REASON)

    assert (report.published, dict(report.skipped)) == (0, {"not_imported": 1})
    assert not Publication.objects.filter(complaint=case).exists()


def test_the_bulk_import_approval_is_refused_on_a_case_not_imported(publisher):
    draft = publication_draft(complaint=decided_case(), actor=publisher)
    with pytest.raises(MoveRefused) as refused:
        PUBLICATION_LIFECYCLE.run(obj=draft, target=P.APPROVED, actor=publisher, reason=REASON, via=BULK_IMPORT)
    assert refused.value.code == "precondition"
    assert "Only imported cases are approved in bulk" in refused.value.message
    # The ordinary path keeps the two-person rule as before.
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=draft, actor=publisher, to_status=P.APPROVED, reason=REASON)
    assert "someone else must approve it" in refused.value.message
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by, draft.approval_reason) == (P.DRAFT, None, "")


def test_the_two_person_rule_still_holds_for_imported_cases_on_the_ordinary_path(imported, publisher, second_publisher):
    draft = publication_draft(complaint=imported(decided_case()), actor=publisher)
    with pytest.raises(MoveRefused) as refused:
        publication_move(publication=draft, actor=publisher, to_status=P.APPROVED, reason=REASON)
    assert "someone else must approve it" in refused.value.message
    with pytest.raises(MoveRefused) as refused:
        PUBLICATION_LIFECYCLE.run(obj=draft, target=P.APPROVED, actor=publisher, reason=REASON)
    assert "someone else must approve it" in refused.value.message

    publication_move(publication=draft, actor=second_publisher, to_status=P.APPROVED)
    assert (draft.status, draft.approved_by, draft.approval_reason) == (P.APPROVED, second_publisher, "")
    approved = AuditEvent.objects.filter(action="publication.approved", outcome="success").get()
    assert "bulk_import" not in approved.data


@pytest.mark.parametrize("why", ["edited", "redacted_more", "no_reason", "not_the_drafter"])
def test_the_bulk_import_approval_is_refused_unless_the_drafter_approves_untouched_text_with_a_reason(
    why, imported, publisher, second_publisher
):
    draft = publication_draft(complaint=imported(decided_case()), actor=publisher)
    approver, reason = publisher, REASON
    if why == "edited":
        publication_edit(publication=draft, actor=second_publisher, summary="A shorter summary.")
    elif why == "redacted_more":
        from public_portal.publication.services import publication_redact_more

        publication_redact_more(publication=draft, actor=publisher, phrase="park", category="address")
    elif why == "no_reason":
        reason = "   "
    else:
        approver = second_publisher
    expected = {
        "edited": "changed by hand",
        "redacted_more": "changed by hand",
        "no_reason": "Give the reason",
        "not_the_drafter": "made only by the officer who drafted the version",
    }[why]

    with pytest.raises(MoveRefused) as refused:
        PUBLICATION_LIFECYCLE.run(obj=draft, target=P.APPROVED, actor=approver, reason=reason, via=BULK_IMPORT)

    assert expected in refused.value.message
    draft.refresh_from_db()
    assert draft.status == P.DRAFT


def test_a_user_without_the_publication_permissions_is_refused_before_anything(imported, supervisor):
    case = imported(decided_case())
    drafts_and_approves = UserFactory(username="half_publisher")
    drafts_and_approves.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="publication", codename__in=["draft_publication", "approve_publication"]
        )
    )
    for user in (supervisor, drafts_and_approves):
        with pytest.raises(PermissionDenied):
            publish_imported(complaint_ids=[case.pk], actor=user, reason=REASON)

    assert not Publication.objects.exists()
    refusals = AuditEvent.objects.filter(action="publication.bulk_published", outcome="denied")
    assert sorted(e.actor_username for e in refusals) == sorted([supervisor.username, "half_publisher"])


def test_a_blank_reason_is_refused_before_anything(imported, publisher):
    case = imported(decided_case())
    with pytest.raises(ValidationError) as refused:
        publish_imported(complaint_ids=[case.pk], actor=publisher, reason="  \n ")
    assert "reason" in refused.value.message_dict
    assert not Publication.objects.exists()


def test_published_and_in_progress_cases_are_skipped_untouched(imported, publisher, second_publisher):
    published = imported(decided_case())
    version = publication_draft(complaint=published, actor=second_publisher)
    publication_move(publication=version, actor=publisher, to_status=P.APPROVED)
    publication_move(publication=version, actor=publisher, to_status=P.PUBLISHED)
    in_progress = imported(decided_case())
    draft = publication_draft(complaint=in_progress, actor=second_publisher)
    fresh = imported(decided_case())

    report = publish_imported(
        complaint_ids=[published.pk, in_progress.pk, fresh.pk, fresh.pk, 999_999], actor=publisher, reason=REASON
    )

    assert report.published == 1
    assert dict(report.skipped) == {"already_published": 1, "in_preparation": 1, "not_found": 1}
    assert report.processed == 4
    assert list(Publication.objects.filter(complaint=published).values_list("version", "status")) == [(1, P.PUBLISHED)]
    draft.refresh_from_db()
    assert (draft.status, draft.drafted_by, draft.approved_by) == (P.DRAFT, second_publisher, None)
    assert _only_version(fresh).status == P.PUBLISHED
    assert report.lines() == [
        "Published: 1",
        "Not published, already published: 1",
        "Not published, a version is already being prepared: 1",
        "Not published, no such case: 1",
    ]


def test_a_case_not_eligible_is_reported_and_left_unpublished(imported, publisher):
    open_case = imported(decided_case(status=S.BOARD_REVIEW))
    mediated = imported(decided_case(status=S.MEDIATED))

    report = publish_imported(complaint_ids=[open_case.pk, mediated.pk], actor=publisher, reason=REASON)

    assert (report.published, dict(report.skipped)) == (0, {"not_eligible": 2})
    assert not Publication.objects.exists()


def test_a_case_a_check_refuses_is_reported_left_without_a_publication_and_the_run_goes_on(
    imported, publisher, monkeypatch
):
    refused = imported(decided_case())
    fine = imported(decided_case())
    real = checks.text_problems

    def redactor_still_finds_a_name(publication):
        # As if the redactor, run again on the final text, found a name the draft kept.
        return ["1 name"] if publication.complaint_id == refused.pk else real(publication)

    monkeypatch.setattr(checks, "text_problems", redactor_still_finds_a_name)

    report = publish_imported(complaint_ids=[refused.pk, fine.pk], actor=publisher, reason=REASON)

    assert (report.published, dict(report.skipped)) == (1, {"refused_by_check": 1})
    assert not Publication.objects.filter(complaint=refused).exists()
    assert _only_version(fine).status == P.PUBLISHED
    denied = AuditEvent.objects.get(action="publication.approved", outcome="denied")
    assert denied.data["refused"] == "precondition"
    assert "1 name" in denied.data["message"]
    run = AuditEvent.objects.get(action="publication.bulk_published", outcome="success")
    assert run.data["skipped"] == {"refused_by_check": 1}
