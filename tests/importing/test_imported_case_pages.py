"""An imported case reads like any other on the staff pages, and says where it came from."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from complaints.models import Complaint

pytestmark = pytest.mark.django_db(transaction=True)

MAPPING = """
system = "old-cms"
tracking_number = "OLD-{source_id}"

[files.cases]
path = "cases.csv"
key = "id"

[files.allegations]
path = "allegations.csv"
parent = "cases"
parent_key = "case"

[files.people]
path = "people.csv"
parent = "cases"
parent_key = "case"

[case]
received = { column = "received", formats = ["%Y-%m-%d"] }
narrative = "story"

[allegations]
file = "allegations"
category = { column = "kind", values = "kinds" }
disposition = { column = "finding", values = "findings" }

[officers]
file = "allegations"
name = "officer"

[complainants]
file = "people"
name = "initials"

[values.kinds]
"Force" = "force-physical"

[values.findings]
"Sustained" = "sustained"
"Open" = ""
"""


@pytest.fixture
def imported(tmp_path, supervisor):
    (tmp_path / "cases.csv").write_text(
        "id,received,story\n"
        '1,2015-03-02,"The complainant, BH, states that Officer KF pushed her."\n'
        '2,2016-07-09,"The complainant, JM, states that Officer TD took his phone."\n'
    )
    (tmp_path / "allegations.csv").write_text("case,officer,kind,finding\n1,KF,Force,Sustained\n2,TD,Force,Open\n")
    (tmp_path / "people.csv").write_text("case,initials\n1,BH\n2,JM\n")
    mapping = tmp_path / "old.toml"
    mapping.write_text(MAPPING)
    call_command("import_cases", str(mapping), "--user", supervisor.username, "--no-progress", stdout=StringIO())
    return {c.tracking_number: c for c in Complaint.objects.all()}


@pytest.mark.parametrize("page", ["overview", "timeline", "history", "allegations", "notes"])
def test_every_page_of_an_imported_case_opens_for_a_supervisor(client, supervisor, imported, page):
    client.force_login(supervisor)
    for number in imported:
        # The allegations page sends people to the overview once a case is past intake.
        response = client.get(reverse(f"cases:{page}", args=[number]), follow=True)
        assert response.status_code == 200, (number, page)


def test_the_decided_and_the_open_imported_cases_have_the_statuses_their_data_implies(imported):
    assert imported["OLD-1"].status == "decided"
    assert imported["OLD-2"].status == "under_investigation"


def test_the_case_says_where_it_came_from_and_its_timeline_shows_the_import(client, supervisor, imported):
    client.force_login(supervisor)
    overview = client.get(reverse("cases:overview", args=["OLD-1"])).content.decode()
    assert "Imported from old-cms: case 1 (cases.csv, line 2)" in overview
    timeline = client.get(reverse("cases:timeline", args=["OLD-2"])).content.decode()
    assert "Received → Under investigation" in timeline
    assert "Imported from old-cms: case 2, cases.csv line 3." in timeline
