"""The demo data holds one police employee's report: a named civilian employee who fears
retaliation, waiting in triage, whose identity the demo's intake coordinator reads as withheld and
the demo's supervisor reads in full."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from complaints.models import Complaint, Party
from oversight import personal_data

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_employee_report_with_a_retaliation_concern(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index is built after commit
        call_command("seed_demo", complaints=60, seed=7, as_of="2026-11-01", quiet_logins=True)
    out = capsys.readouterr().out
    assert Complaint.objects.count() == 60  # one of the demo's complaints, not one more
    (report,) = Complaint.objects.exclude(employee_relationship="")
    assert f"police employee's report: {report.tracking_number}" in out
    assert (report.employee_relationship, report.retaliation_concern, report.anonymity) == (
        "civilian",
        True,
        "confidential",
    )
    assert report.status in ("in_triage", "received", "under_investigation")
    assert report.employee_unit == "Communications Unit, night shift"
    assert "switch off their body cameras" in report.narrative
    (reporter,) = report.parties.exclude(role=Party.Role.WITNESS)
    assert (reporter.role, reporter.first_name, reporter.last_name) == ("employee", "Ondine", "Vasquez-Thorne")
    users = get_user_model().objects
    assert personal_data.person(users.get(username="supervisor"), reporter).name == "Ondine Vasquez-Thorne"
    intake = personal_data.person(users.get(username="intake"), reporter)
    assert (intake.name, intake.phone) == ("identity withheld (police employee report)", "")
    # The demo's search index never holds the reporter.
    from search.models import CaseEntry

    entry = str(CaseEntry.objects.filter(complaint_id=report.pk).values().get())
    assert "camera" in entry  # the narrative is indexed (as stemmed terms)
    # Its terms are stemmed and in lower case: no part of the name, the email or the phone.
    for part in ("vasquez", "thorn", "ondin", "7742"):
        assert part not in entry.lower(), part
