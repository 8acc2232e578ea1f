"""Drafting: what the snapshot holds, what it never holds, and which cases are refused."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from complaints.models import AllegationCategory, Complaint
from investigations.board.models import BoardDecision
from investigations.models import Investigation
from oversight.models import AuditEvent
from public_portal.publication.models import Publication
from public_portal.publication.services import PublicationRefused, publication_correct, publication_draft
from public_portal.publication.workflow import PUBLICATION_LIFECYCLE
from tests.factories import ComplaintFactory, DistrictFactory

from .cases import Alleged, D, decided_case
from .conftest import NAMED_SUMMARY

pytestmark = pytest.mark.django_db
S = Complaint.Status
P = Publication.Status


def test_the_snapshot_holds_month_year_district_decision_and_allegations(named_case, publisher):
    publication = publication_draft(complaint=named_case, actor=publisher)

    assert publication.status == P.DRAFT
    assert publication.version == 1
    assert publication.public_id.startswith("D-") and len(publication.public_id) == 10
    assert (publication.incident_year, publication.incident_month) == (2025, 11)
    assert publication.district_id == named_case.district_id
    assert publication.received_year == 2026
    assert publication.decision_date == date(2026, 5, 6)
    assert publication.decision_year == 2026
    assert publication.board_decision == "adopt"
    assert publication.disclosure_policy == "rules"
    assert publication.drafted_by == publisher
    rows = list(publication.allegations.order_by("position"))
    assert [(r.category.code, r.category_class.code, r.disposition) for r in rows] == [
        ("disc-words", "discourtesy", "sustained"),
        ("aoa-search", "abuse-of-authority", "sustained"),
    ]


def test_the_snapshot_never_holds_the_day_the_tracking_number_or_a_resident(named_case, publisher):
    publication = publication_draft(complaint=named_case, actor=publisher)
    stored = " ".join(
        str(value)
        for value in Publication.objects.filter(pk=publication.pk)
        .values(*[f.attname for f in Publication._meta.concrete_fields if f.attname != "complaint_id"])
        .get()
        .values()
    )
    stored += " ".join(str(v) for row in publication.allegations.values() for v in row.values())
    assert named_case.tracking_number not in stored
    assert "CPC-2026-00042" not in stored
    assert "2025-11-23" not in stored
    for personal in ("Rosa", "Delgado", "DELGADO", "rosa.delgado@example.com", "555-0142", "4410 N Broad"):
        assert personal not in stored, personal
    assert "[case number removed]" in publication.summary


def test_the_summary_is_redacted_and_the_log_keeps_positions_not_text(named_case, publisher):
    publication = publication_draft(complaint=named_case, actor=publisher)

    assert publication.summary == (
        "[name removed] told us that Officer Hector Quintero stopped her outside [address removed] and "
        "searched her bag. Ms. [name removed] gave her number, [phone number removed], and Officer A wrote "
        "the report. Quintero said she agreed to the search. See case [case number removed]."
    )
    categories = [entry["category"] for entry in publication.redaction_log]
    assert categories == ["name", "address", "name", "phone", "officer_name", "case_number"]
    for entry in publication.redaction_log:
        assert set(entry) == {"category", "start", "length", "output_start", "output_length"}
    first = publication.redaction_log[0]
    assert NAMED_SUMMARY[first["start"] : first["start"] + first["length"]] == "Rosa Delgado"
    assert publication.source_sha256 == __import__("hashlib").sha256(NAMED_SUMMARY.encode()).hexdigest()


def test_discipline_and_response_are_public_only_where_the_policy_says(named_case, publisher):
    publication = publication_draft(complaint=named_case, actor=publisher)
    private, named = publication.allegations.order_by("position")

    assert (private.recommended_discipline, private.department_response, private.discipline_imposed) == ("", "", "")
    assert (named.recommended_discipline, named.department_response, named.discipline_imposed) == (
        "suspension",
        "modified",
        "reprimand",
    )
    assert publication.discipline_outcome == (
        "Hector Quintero, Search of a person, vehicle or home: the board recommended suspension; the department "
        "imposed reprimand."
    )
    assert publication.department_response == (
        "Hector Quintero, Search of a person, vehicle or home: the department modified the recommendation (2026-05-30)."
    )
    assert "counseling" not in publication.discipline_outcome


def test_no_discipline_shown_when_the_policy_keeps_every_allegation_private(publisher):
    case = decided_case(allegations=[Alleged("a", "disc-words", D.SUSTAINED, "training", "accepted", "training")])
    publication = publication_draft(complaint=case, actor=publisher)
    assert publication.discipline_outcome == "" and publication.department_response == ""


def test_an_unknown_incident_date_publishes_no_month(publisher):
    case = decided_case(incident_date=None)
    publication = publication_draft(complaint=case, actor=publisher)
    assert (publication.incident_year, publication.incident_month) == (None, None)


def test_a_closed_case_is_drafted_too(publisher):
    case = decided_case(status=S.CLOSED, kind=BoardDecision.Kind.MODIFY)
    publication = publication_draft(complaint=case, actor=publisher)
    assert publication.board_decision == "modify"


@pytest.mark.parametrize("status", [S.MEDIATED, S.REFERRED, S.ADMINISTRATIVELY_CLOSED])
def test_case_types_never_published_one_by_one_are_refused(status, publisher):
    case = ComplaintFactory(status=status)
    with pytest.raises(PublicationRefused) as refused:
        publication_draft(complaint=case, actor=publisher)
    assert "never published one by one" in refused.value.message
    assert not Publication.objects.exists()


def test_the_setting_decides_which_types_are_never_published(settings, publisher):
    settings.PUBLICATION_NEVER_INDIVIDUAL = ["closed"]
    case = decided_case(status=S.CLOSED)
    with pytest.raises(PublicationRefused) as refused:
        publication_draft(complaint=case, actor=publisher)
    assert "never published one by one" in refused.value.message


@pytest.mark.parametrize(
    "status",
    [S.RECEIVED, S.IN_TRIAGE, S.IN_MEDIATION, S.UNDER_INVESTIGATION, S.FINDINGS_PROPOSED, S.BOARD_REVIEW],
)
def test_undecided_cases_are_refused(status, publisher):
    case = ComplaintFactory(status=status)
    with pytest.raises(PublicationRefused) as refused:
        publication_draft(complaint=case, actor=publisher)
    assert "Only a decided or closed case is published" in refused.value.message


def test_a_decided_case_without_an_adopting_decision_is_refused(publisher):
    case = ComplaintFactory(status=S.DECIDED)
    Investigation.objects.create(complaint=case, discovery_date=date(2026, 1, 1), public_summary="x")
    with pytest.raises(PublicationRefused) as refused:
        publication_draft(complaint=case, actor=publisher)
    assert "no board decision adopting or modifying" in refused.value.message
    BoardDecision.objects.create(complaint=case, kind=BoardDecision.Kind.REMAND, instructions="More.")
    with pytest.raises(PublicationRefused):
        publication_draft(complaint=case, actor=publisher)


def test_drafting_again_answers_with_the_open_version(named_case, publisher):
    first = publication_draft(complaint=named_case, actor=publisher)
    with pytest.raises(PublicationRefused) as refused:
        publication_draft(complaint=named_case, actor=publisher)
    assert refused.value.existing == first
    assert Publication.objects.count() == 1


def test_drafting_a_published_case_answers_with_the_published_version(named_case, publisher, second_publisher):
    first = publication_draft(complaint=named_case, actor=publisher)
    PUBLICATION_LIFECYCLE.run(obj=first, target=P.APPROVED, actor=second_publisher)
    PUBLICATION_LIFECYCLE.run(obj=first, target=P.PUBLISHED, actor=publisher)
    with pytest.raises(PublicationRefused) as refused:
        publication_draft(complaint=named_case, actor=publisher)
    assert refused.value.existing == first
    assert "correct that version instead" in refused.value.message


def test_after_a_discard_the_case_is_drafted_again_as_the_next_version_of_its_public_id(named_case, publisher):
    first = publication_draft(complaint=named_case, actor=publisher)
    PUBLICATION_LIFECYCLE.run(obj=first, target=P.DISCARDED, actor=publisher)
    second = publication_draft(complaint=named_case, actor=publisher)
    assert (second.public_id, second.version, second.supersedes) == (first.public_id, 2, None)


def test_a_correction_is_the_next_version_of_the_same_public_id(named_case, publisher, second_publisher):
    first = publication_draft(complaint=named_case, actor=publisher)
    PUBLICATION_LIFECYCLE.run(obj=first, target=P.APPROVED, actor=second_publisher)
    PUBLICATION_LIFECYCLE.run(obj=first, target=P.PUBLISHED, actor=publisher)
    correction = publication_correct(publication=first, actor=publisher)
    assert (correction.public_id, correction.version, correction.supersedes) == (first.public_id, 2, first)
    assert correction.status == P.DRAFT
    first.refresh_from_db()
    assert first.status == P.PUBLISHED  # public until the correction is published
    with pytest.raises(PublicationRefused) as refused:
        publication_correct(publication=first, actor=publisher)
    assert refused.value.existing == correction


def test_only_a_published_version_is_corrected(named_case, publisher):
    draft = publication_draft(complaint=named_case, actor=publisher)
    with pytest.raises(PublicationRefused):
        publication_correct(publication=draft, actor=publisher)


@pytest.mark.parametrize("persona", ["supervisor", "assigned_investigator", "board_member", "sysadmin"])
def test_only_a_publication_officer_drafts(persona, request, named_case):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        publication_draft(complaint=named_case, actor=user)
    assert not Publication.objects.exists()
    assert AuditEvent.objects.filter(action="publication.drafted", outcome="denied").exists()


def test_an_unclassified_allegation_is_published_without_a_category(publisher):
    case = decided_case(allegations=[Alleged("a")])
    case.allegations.update(category=None)
    publication = publication_draft(complaint=case, actor=publisher)
    row = publication.allegations.get()
    assert (row.category_id, row.category_class_id, row.officer_label) == (None, None, "Officer A")


def test_the_district_is_a_snapshot(publisher):
    district = DistrictFactory(name="District 9")
    case = decided_case(district=district)
    publication = publication_draft(complaint=case, actor=publisher)
    Complaint.objects.filter(pk=case.pk).update(district=DistrictFactory())
    publication.refresh_from_db()
    assert publication.district == district
    assert AllegationCategory.objects.filter(pk=publication.allegations.get().category_class_id, parent=None).exists()
