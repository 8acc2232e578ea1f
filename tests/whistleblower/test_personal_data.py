"""The restricted kind of people's details (the police employee who reported) in the one mechanism
every page, document and index uses: ``oversight.personal_data``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight import personal_data
from tests.factories import ComplaintFactory, PartyFactory

pytestmark = pytest.mark.django_db

STAND_IN = "[identity withheld (police employee report)]"


def test_may_view_needs_both_permissions_for_the_reporter(supervisor, intake_coordinator, board_member):
    assert personal_data.may_view(supervisor, personal_data.EMPLOYEE_KIND)
    assert not personal_data.may_view(intake_coordinator, personal_data.EMPLOYEE_KIND)
    assert not personal_data.may_view(board_member, personal_data.EMPLOYEE_KIND)
    assert personal_data.may_view(intake_coordinator, "parties")
    assert personal_data.withheld_kinds(supervisor) == frozenset()
    assert personal_data.withheld_kinds(intake_coordinator) == {"employee_reporters"}
    assert personal_data.withheld_kinds(board_member) == {
        "parties",
        "interviewees",
        "subpoena_recipients",
        "employee_reporters",
    }


def test_free_text_masks_the_reporter_for_a_reader_of_residents_details(complaint, supervisor, intake_coordinator):
    text = "Philippa Quarrington-Oyelaran called from 555-017-4433."
    assert personal_data.free_text(supervisor, text, complaint) == text
    assert personal_data.free_text(intake_coordinator, text, complaint) == f"{STAND_IN} called from {STAND_IN}."


def test_free_text_on_any_other_case_costs_a_reader_of_residents_details_no_query(intake_coordinator):
    case = ComplaintFactory()
    PartyFactory(complaint=case, first_name="Rosa", last_name="Delgado")
    intake_coordinator.has_perm("complaints.view_personal_data")  # the permissions, read once per request
    with CaptureQueriesContext(connection) as queries:
        assert personal_data.free_text(intake_coordinator, "Rosa Delgado said so.", case) == "Rosa Delgado said so."
    assert len(queries.captured_queries) == 0


def test_a_reader_of_no_ones_details_gets_the_reporter_masked_with_everyone_else(complaint, board_member):
    from complaints.models import Party

    PartyFactory(complaint=complaint, role=Party.Role.WITNESS, first_name="Ana", last_name="Lindqvist-Ferreira")
    masked = personal_data.free_text(board_member, "Lindqvist-Ferreira saw Quarrington-Oyelaran.", complaint)
    assert masked == f"[a witness] saw {STAND_IN}."


def test_case_people_of_a_kind_are_the_reporter_only(complaint):
    from complaints.models import Party

    PartyFactory(complaint=complaint, role=Party.Role.WITNESS, first_name="Ana", last_name="Lindqvist-Ferreira")
    assert personal_data.case_people(complaint, [personal_data.EMPLOYEE_KIND]) == [
        (
            "identity withheld (police employee report)",
            "Philippa Quarrington-Oyelaran",
            "12 Juniper Hollow Road",
            "p.quarrington.home@mailbox.example",
            "555-017-4433",
        )
    ]
    assert sorted(row[0] for row in personal_data.case_people(complaint)) == [
        "a witness",
        "identity withheld (police employee report)",
    ]


def test_the_reporter_template_block_shows_to_the_permitted_and_marks_the_read(rf, complaint, supervisor, board_member):
    from django.template import Context, Template

    template = Template(
        '{% load personal_data %}{% personal_data "employee_reporters" complaint %}'
        "{{ complaint.employee_unit }}{% withheld %}withheld{% endpersonal_data %}"
    )
    for user, expected, kinds in [
        (supervisor, "Evidence Room Annex, overnight", {"employee_reporters"}),
        (board_member, "withheld", set()),
    ]:
        request = rf.get("/")
        request.user = user
        reads = personal_data.Reads()
        setattr(request, personal_data.REQUEST_ATTRIBUTE, reads)
        assert Template.render(template, Context({"request": request, "complaint": complaint})) == expected
        assert reads.kinds == kinds
