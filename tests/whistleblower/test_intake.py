"""The police employee's form ("I work for the police department"): reached from the home page and
the start of filing, the resident's steps plus one about the employee's work and safety, and what a
filing records. Expected values are written out here by hand."""

from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from complaints.models import Complaint, Party
from oversight.models import AuditEvent
from public_portal.models import DraftFile, IntakeDraft
from tests.factories import PNG_BYTES
from tests.public_portal.intake_flow import witnesses

from .flow import (
    DETAIL,
    EMPLOYEE,
    NARRATIVE,
    REPORTER,
    UNIT,
    Filing,
    about,
    employment,
    file_report,
    fill_to_review,
    form_token,
    start,
    submit,
)

pytestmark = pytest.mark.django_db

EMPLOYEE_STEPS = [
    "incident",
    "officers",
    "kinds",
    "witnesses",
    "evidence",
    "about",
    "employment",
    "consent",
    "review",
]


def _text(response) -> str:
    return unescape(response.content.decode())


# --- Finding it -------------------------------------------------------------------------------------


def test_the_home_page_and_the_start_of_filing_offer_the_employee_form(client):
    for page in ("/", "/file/"):
        text = _text(client.get(page))
        assert "I work for the police department" in text, page
        assert f'href="{EMPLOYEE}/"' in text, page


def test_the_start_page_says_who_will_know_and_how_to_stay_safe(client):
    response = client.get(f"{EMPLOYEE}/")
    assert response.status_code == 200
    text = _text(response)
    assert "Report misconduct as a police employee" in text
    assert "You can stay anonymous." in text
    assert "Only a few senior staff members can see who you are." in text
    assert "Do not use a department computer, phone or network." in text
    assert "We do not send you emails or text messages about your report on our own." in text


def test_the_form_has_the_residents_steps_and_one_about_work_and_safety(client):
    start(client)
    draft = IntakeDraft.objects.get(token=client.session["intake_draft:employee"])
    assert draft.mode == "employee"
    page = _text(client.get(f"{EMPLOYEE}/employment/"))
    assert "Your work and your safety" in page
    assert "Step" in page and "of 9" in page
    for label in (
        "I am a sworn officer",
        "I am a civilian employee",
        "I used to work for the department",
        "I am a contractor, or I work for one",
        "I prefer not to say",
        "Are you worried that someone will punish you for reporting this?",
        "Your unit, division or shift",
    ):
        assert label in page, label
    # The resident's form is unchanged: eight steps, no employment step.
    assert client.get("/file/employment/").status_code == 404


def test_every_step_of_the_employee_form_answers_and_an_unknown_one_is_404(client):
    start(client)
    for slug in EMPLOYEE_STEPS:
        assert client.get(f"{EMPLOYEE}/{slug}/").status_code == 200, slug
    assert client.get(f"{EMPLOYEE}/no-such-step/").status_code == 404


def test_the_work_step_says_what_is_missing(client):
    fill_to_review(client)
    response = client.post(f"{EMPLOYEE}/employment/", {"action": "next"})
    assert response.status_code == 400
    text = _text(response)
    assert 'id="error-summary"' in response.content.decode()
    assert text.count("This field is required.") >= 2  # the relationship and the retaliation question


def test_the_about_step_asks_for_a_name_or_anonymity_only(client):
    start(client)
    page = _text(client.get(f"{EMPLOYEE}/about/"))
    assert "I will give my name. Keep it confidential." in page
    assert "I want to stay anonymous" in page
    assert "I am reporting for someone else" not in page
    assert "Keep my name from the officers involved" not in page
    assert "Use a personal email address, not a department one." in page
    response = client.post(f"{EMPLOYEE}/about/", {**about(filing_as="someone_else"), "action": "next"})
    assert response.status_code == 400


def test_the_review_shows_the_work_and_safety_answers(client):
    fill_to_review(client)
    page = _text(client.get(f"{EMPLOYEE}/review/"))
    for text in (
        "Your work and your safety",
        UNIT,
        DETAIL,
        "Philippa Quarrington-Oyelaran",
        "Worried about retaliation",
    ):
        assert text in page, text
    assert "I am a civilian employee" in page
    assert "Send my report" in page
    assert f'href="{EMPLOYEE}/employment/"' in page


# --- What a named report records ------------------------------------------------------------------------


def test_a_named_report_records_the_employee_apart_and_the_flag_on_the_case(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = file_report(client, Filing(files=[("ledger.png", PNG_BYTES)]))
    assert report.channel == Complaint.Channel.WEB
    assert report.anonymity == Complaint.Anonymity.CONFIDENTIAL
    assert report.employee_relationship == "civilian"
    assert report.retaliation_concern is True
    assert report.employee_unit == UNIT
    assert report.retaliation_detail == DETAIL
    assert report.narrative == NARRATIVE
    assert report.is_employee_report
    (party,) = report.parties.all()
    assert (party.role, party.first_name, party.last_name, party.email, party.phone) == (
        "employee",
        "Philippa",
        "Quarrington-Oyelaran",
        "p.quarrington.home@mailbox.example",
        "555-017-4433",
    )
    assert party.preferred_contact == "phone"
    assert report.attachments.count() == 1
    assert report.timeline.get().stage == "received"
    assert report.status_code_hash.startswith("hmac-sha256$")
    # No email goes out on its own: a department mailbox may be read by others.
    assert mail.outbox == []


def test_the_report_is_audited_like_a_residents_filing_without_an_address(client):
    report = file_report(client)
    submitted = AuditEvent.objects.get(action="complaint.submitted")
    assert (submitted.target_id, submitted.ip, submitted.actor_username) == (str(report.pk), None, "")
    assert submitted.data == {"channel": "web", "anonymity": "confidential", "language": "en", "files": 0}
    filed = AuditEvent.objects.get(action="employee_report.submitted")
    assert (filed.target_id, filed.ip, filed.data) == (str(report.pk), None, {"retaliation_concern": True})
    for event in AuditEvent.objects.all():
        for value in [*REPORTER.values(), UNIT, DETAIL]:
            assert value not in event.target_label and value not in str(event.data), (event.action, value)


def test_a_report_without_a_retaliation_concern_says_so(client):
    report = file_report(client, Filing(employment=employment(relationship="sworn", retaliation_concern="no", unit="")))
    assert (report.employee_relationship, report.retaliation_concern, report.employee_unit) == ("sworn", False, "")


def test_witnesses_are_kept_as_for_a_resident(client):
    report = file_report(client, Filing(witnesses=witnesses({"first_name": "Ana", "description": "Night clerk"})))
    assert sorted(report.parties.values_list("role", flat=True)) == ["employee", "witness"]


def test_the_confirmation_page_gives_the_number_the_code_and_the_receipt(client):
    report = file_report(client)
    done = client.get(f"{EMPLOYEE}/done/")
    text = _text(done)
    assert "We received your report" in text and report.tracking_number in text
    code = client.session["intake_receipts"][report.tracking_number]
    assert code in text
    assert "We do not email or text you about your report on our own." in text
    pdf = client.get(reverse("public_portal:employee_intake_receipt", args=[report.tracking_number]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    html = client.get(reverse("public_portal:employee_intake_receipt_html", args=[report.tracking_number]))
    assert html.status_code == 200 and report.tracking_number in html.content.decode()
    # The status page answers for it like for any complaint.
    status = client.post("/status/", {"tracking_number": report.tracking_number, "code": code})
    assert status.status_code == 200 and "Received" in _text(status)


def test_another_browser_cannot_download_the_receipt(client):
    report = file_report(client)
    other = client.__class__()
    assert other.get(reverse("public_portal:employee_intake_receipt", args=[report.tracking_number])).status_code == 404


def test_a_double_submit_files_one_report(client):
    fill_to_review(client)
    token = form_token(client)
    first = client.post(f"{EMPLOYEE}/review/", {"form_token": token, "website": "", "action": "submit"})
    second = client.post(f"{EMPLOYEE}/review/", {"form_token": token, "website": "", "action": "submit"})
    assert first.status_code == second.status_code == 302
    assert Complaint.objects.count() == 1


def test_the_honeypot_is_refused_and_audited(client):
    fill_to_review(client)
    response = client.post(
        f"{EMPLOYEE}/review/", {"form_token": form_token(client), "website": "http://spam", "action": "submit"}
    )
    assert response.status_code == 400
    assert Complaint.objects.count() == 0
    assert AuditEvent.objects.filter(action="intake.spam_blocked").count() == 1


def test_submissions_share_the_residents_limit_and_answer_429(client, settings):
    settings.RATE_LIMIT_INTAKE_SUBMIT = "1/3600"
    file_report(client)
    other = client.__class__()
    fill_to_review(other)
    response = submit(other)
    assert response.status_code == 429
    assert Complaint.objects.count() == 1


def test_uploads_are_checked_as_for_a_resident(client):
    start(client)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"{EMPLOYEE}/evidence/",
        {"action": "upload", "files": [SimpleUploadedFile("notes.html", b"<html><script>x</script></html>")]},
    )
    assert response.status_code == 400
    assert "notes.html is not a kind of file we can accept" in _text(response)
    empty = client.post(f"{EMPLOYEE}/evidence/", {"action": "upload", "files": [SimpleUploadedFile("e.png", b"")]})
    assert empty.status_code == 400 and "e.png is empty" in _text(empty)
    assert not DraftFile.objects.exists()


def test_a_spanish_visitor_reads_the_form_in_spanish(client):
    client.cookies["django_language"] = "es"
    response = client.get(f"{EMPLOYEE}/", headers={"accept-language": "es"})
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
    start(client)
    draft = IntakeDraft.objects.get(token=client.session["intake_draft:employee"])
    assert draft.language == "es"


def test_an_employee_report_goes_through_the_same_service_rules(client):
    """Only an employee party, never a resident's role, and nobody for an anonymous report."""
    report = file_report(client, Filing(about=about(filing_as="anonymous")))
    assert report.anonymity == "anonymous"
    assert not report.parties.exists()
    assert not Party.objects.filter(role__in=["complainant", "third_party", "victim"]).exists()
