"""An anonymous police employee's report keeps no identity anywhere.

The employee first types their name, contact details and unit, then chooses to stay anonymous and
goes on (as a browser does, the typed values are sent again). They file from a distinctive address,
behind a distinctive forwarding header, with a distinctive browser. Then every table is read back
(``dumpdata``, the decoded sessions and a raw read of each table the database has: history, audit
and all) and every log record is checked: none of what they typed about themselves is kept in any table,
and no trace of the address or the browser is kept anywhere. (The draft held their answers as typed
while they filled it in; the SQL debug log of those writes is the test's own, at DEBUG.)
"""

import pytest

from complaints.models import Complaint, Party
from oversight.models import AuditEvent
from tests.public_portal.intake_flow import post_ok
from tests.public_portal.test_anonymity import _assert_no_trace, _log_text, _visitor, _whole_database

from .flow import DETAIL, EMPLOYEE, REPORTER, UNIT, about, employment, fill_to_review, submit

pytestmark = pytest.mark.django_db

IDENTITY = [*REPORTER.values(), "Philippa", "Quarrington", "Oyelaran", UNIT, "Evidence Room Annex"]


def _file_anonymously_after_typing_everything(client) -> Complaint:
    fill_to_review(client)  # named, with the unit: every identity field is in the draft
    post_ok(client, f"{EMPLOYEE}/about/", {**about(filing_as="anonymous"), "action": "next"}, f"{EMPLOYEE}/employment/")
    page = client.get(f"{EMPLOYEE}/employment/").content.decode()
    assert 'name="unit"' not in page and "we do not ask for your unit" in page
    # A hand-made request still sends the unit: it is not kept.
    post_ok(client, f"{EMPLOYEE}/employment/", {**employment(), "action": "next"}, f"{EMPLOYEE}/consent/")
    post_ok(client, f"{EMPLOYEE}/consent/", {"agree": "on", "action": "next"}, f"{EMPLOYEE}/review/")
    review = client.get(f"{EMPLOYEE}/review/").content.decode()
    for value in IDENTITY:
        assert value not in review, value
    response = submit(client)
    assert response.status_code == 302 and response["Location"].endswith(f"{EMPLOYEE}/done/")
    return Complaint.objects.get(tracking_number=client.session["intake_last:employee"])


@pytest.mark.parametrize("proxies", [0, 1])
def test_an_anonymous_report_keeps_no_identity_address_or_browser_anywhere(settings, every_log, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    visitor = _visitor()
    report = _file_anonymously_after_typing_everything(visitor)

    assert report.anonymity == Complaint.Anonymity.ANONYMOUS
    assert (report.employee_relationship, report.retaliation_concern) == ("civilian", True)
    assert report.employee_unit == ""
    assert report.retaliation_detail == DETAIL  # what they chose to tell, like the narrative
    assert not Party.objects.filter(complaint=report).exists()
    # The filing was recorded, without the visitor's address.
    for action in ("complaint.submitted", "employee_report.submitted"):
        event = AuditEvent.objects.get(action=action)
        assert (event.ip, event.actor_username) == (None, ""), action
    assert AuditEvent.objects.get(action="complaint.submitted").data["anonymity"] == "anonymous"
    assert not AuditEvent.objects.filter(ip__isnull=False).exists()
    history = report.history.earliest()
    assert history.history_ip is None and history.history_request_id

    database = _whole_database()
    _assert_no_trace(database, "the database")
    _assert_no_trace(_log_text(every_log), "the logs")
    found = [value for value in IDENTITY if value in database]
    assert found == [], found


def test_the_service_refuses_a_unit_or_a_person_on_an_anonymous_report():
    from django.core.exceptions import ValidationError

    from complaints.whistleblower import EmployeeReportData, employee_report_submit

    form_data = {
        "incident": {"narrative": "The log was changed.", "date_precision": "unknown", "time_precision": "unknown"},
        "about": {"filing_as": "anonymous"},
    }
    with pytest.raises(ValidationError):
        employee_report_submit(
            form_data=form_data,
            employee=EmployeeReportData(relationship="sworn", unit="Vice, days"),
            files=[],
            language="en",
            idempotency_key="k" * 32,
            status_code="ABCD-EFGH-JKLM",
        )
    with pytest.raises(ValidationError):
        employee_report_submit(
            form_data=form_data,
            employee=EmployeeReportData(relationship="chief"),
            files=[],
            language="en",
            idempotency_key="j" * 32,
            status_code="ABCD-EFGH-JKLM",
        )
    assert not Complaint.objects.exists()
