import re

import pytest
from django.core import mail

from complaints.models import Attachment, Complaint, Party, PublicTimelineEntry
from oversight.models import AuditEvent
from public_portal.models import DraftFile, IntakeDraft
from tests.factories import PNG_BYTES, DistrictFactory

from .intake_flow import (
    PUBLIC,
    Filing,
    about,
    file_complaint,
    fill_to_review,
    form_token,
    incident,
    officers,
    start,
    submit,
    upload,
    witnesses,
)

pytestmark = pytest.mark.django_db


def _spanish(client):
    client.cookies["django_language"] = "es"


# --- Validation on each step, in both languages -------------------------------------------------


@pytest.mark.parametrize(
    ("data", "english", "spanish"),
    [
        (incident(narrative=""), "This field is required.", "Este campo es obligatorio."),
        (incident(date="2099-01-01"), "The date cannot be in the future.", "La fecha no puede ser futura."),
        (incident(date=""), "Enter the date, or choose", "Escriba la fecha o elija"),
        (incident(time=""), "Enter the time, or choose", "Escriba la hora o elija"),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_incident_step_errors_are_clear_in_both_languages(client, data, english, spanish, language):
    if language == "es":
        _spanish(client)
    start(client)
    response = client.post(f"{PUBLIC}/incident/", {**data, "action": "next"})
    assert response.status_code == 400
    body = response.content.decode()
    assert (spanish if language == "es" else english) in body
    assert 'id="error-summary"' in body
    assert "usa-form-group--error" in body


@pytest.mark.parametrize("language", ["en", "es"])
def test_officer_step_needs_a_name_or_badge_when_identified(client, language):
    if language == "es":
        _spanish(client)
    start(client)
    client.post(f"{PUBLIC}/incident/", {**incident(), "action": "next"})
    response = client.post(f"{PUBLIC}/officers/", {**officers({"known": "identified"}), "action": "next"})
    assert response.status_code == 400
    expected = "Escriba un nombre o un número de placa" if language == "es" else "Enter a name or a badge number"
    assert expected in response.content.decode()


@pytest.mark.parametrize(
    ("data", "english", "spanish"),
    [
        (about(first_name="", last_name=""), "Enter your name, or choose to stay anonymous.", "Escriba su nombre"),
        (about(email=""), "Enter your email address so we can write to you.", "Escriba su correo electrónico"),
        (about(preferred_contact="phone", phone=""), "Enter your phone number", "Escriba su número de teléfono"),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_about_step_errors_in_both_languages(client, data, english, spanish, language):
    if language == "es":
        _spanish(client)
    start(client)
    response = client.post(f"{PUBLIC}/about/", {**data, "action": "next"})
    assert response.status_code == 400
    assert (spanish if language == "es" else english) in response.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_consent_must_be_agreed(client, language):
    if language == "es":
        _spanish(client)
    start(client)
    response = client.post(f"{PUBLIC}/consent/", {"action": "next"})
    assert response.status_code == 400
    body = response.content.decode()
    assert ("Marque la casilla para continuar." if language == "es" else "Check the box to continue.") in body
    assert ("Antes de enviar su queja" if language == "es" else "Before you send your complaint") in body


# --- Moving back and forth -----------------------------------------------------------------------


def test_going_back_and_forth_keeps_what_was_entered(client):
    start(client)
    narrative = "The sergeant shouted at my daughter and pushed her to the ground near the school."
    client.post(f"{PUBLIC}/incident/", {**incident(narrative=narrative), "action": "next"})
    client.post(
        f"{PUBLIC}/officers/", {**officers({"known": "described", "appearance": "Tall, red hair"}), "action": "back"}
    )
    page = client.get(f"{PUBLIC}/incident/").content.decode()
    assert narrative in page
    page = client.get(f"{PUBLIC}/officers/").content.decode()
    assert "Tall, red hair" in page  # kept even though the visitor went back without continuing


def test_an_invalid_step_keeps_the_input_when_going_back(client):
    start(client)
    client.post(f"{PUBLIC}/incident/", {**incident(narrative="too short"), "action": "next"})
    assert "too short" in client.get(f"{PUBLIC}/incident/").content.decode()


def test_officers_can_be_added_and_removed_without_javascript(client):
    start(client)
    data = officers({"known": "identified", "name": "Officer Reyes"})
    response = client.post(f"{PUBLIC}/officers/", {**data, "action": "add"})
    assert response.status_code == 302
    page = client.get(f"{PUBLIC}/officers/").content.decode()
    assert "Officer 2" in page and "Officer Reyes" in page
    two = officers({"known": "identified", "name": "Officer Reyes"}, {"known": "unknown"})
    client.post(f"{PUBLIC}/officers/", {**two, "action": "remove-0"})
    page = client.get(f"{PUBLIC}/officers/").content.decode()
    assert "Officer Reyes" not in page and "Officer 2" not in page


def test_review_shows_everything_entered(client):
    district = DistrictFactory(name="District 9")
    filing = Filing(
        incident=incident(district=str(district.pk)),
        officers=officers({"known": "identified", "name": "Officer Reyes", "badge": "4471"}, {"known": "unknown"}),
        witnesses=witnesses({"first_name": "Tom", "last_name": "Baker", "phone": "555-777-1212"}),
    )
    fill_to_review(client, filing)
    page = client.get(f"{PUBLIC}/review/").content.decode()
    for text in [
        "March 12, 2026",
        "9:15 p.m.",
        "Outside the laundromat at 5th and Market",
        "District 9",
        "took my phone when I asked why",
        "Officer Reyes",
        "#4471",
        "An officer I can't identify",
        "Used force",
        "Took or damaged my property",
        "Tom Baker",
        "photo.png",
        "Rosa Delgado",
        "rosa.delgado@example.com",
    ]:
        assert text in page, text


def test_review_points_to_steps_that_need_attention(client):
    start(client)
    client.post(f"{PUBLIC}/incident/", {**incident(), "action": "next"})
    page = client.get(f"{PUBLIC}/review/").content.decode()
    assert "Some answers need attention" in page
    assert f'href="{PUBLIC}/about/"' in page
    response = submit(client)
    assert response.status_code == 400
    assert not Complaint.objects.exists()


# --- Submission ------------------------------------------------------------------------------------


def test_a_resident_files_a_named_complaint_with_a_photo(client, private_storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(client)
    assert complaint.channel == Complaint.Channel.WEB
    assert complaint.status == Complaint.Status.RECEIVED
    assert complaint.consent is not None and complaint.consent.language == "en"
    assert complaint.parties.get().email == "rosa.delgado@example.com"
    attachment = complaint.attachments.get()
    assert attachment.content_type == "image/png"
    with private_storage.open(attachment.file.name) as stored:
        assert stored.read() == PNG_BYTES
    assert not DraftFile.objects.exists()  # staging emptied after commit
    assert PublicTimelineEntry.objects.get(complaint=complaint).stage == "received"
    assert AuditEvent.objects.filter(action="complaint.submitted", target_id=str(complaint.pk)).exists()
    done = client.get(f"{PUBLIC}/done/").content.decode()
    code = re.search(r'class="status-code">([A-Z0-9-]+)<', done).group(1)
    assert complaint.tracking_number in done
    assert code not in str(Complaint.objects.filter(pk=complaint.pk).values().get())  # only its hash is stored


def test_receipt_email_goes_out_after_commit_in_the_residents_language(client, django_capture_on_commit_callbacks):
    _spanish(client)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(client, Filing(about=about(preferred_language="es")))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa.delgado@example.com"]
    assert complaint.tracking_number in message.subject
    assert "Recibimos su queja" in message.subject
    assert "código" in message.body  # explains the code is not included
    assert "took my phone" not in message.body


def test_double_click_gives_one_complaint_and_the_same_receipt(client):
    fill_to_review(client)
    token = form_token(client)
    first = client.post(f"{PUBLIC}/review/", {"form_token": token, "website": "", "action": "submit"})
    second = client.post(f"{PUBLIC}/review/", {"form_token": token, "website": "", "action": "submit"})
    assert first.status_code == second.status_code == 302
    assert Complaint.objects.count() == 1
    assert client.get(f"{PUBLIC}/done/").status_code == 200


def test_a_stale_form_token_is_refused_without_filing(client):
    fill_to_review(client)
    response = client.post(f"{PUBLIC}/review/", {"form_token": "0" * 32, "website": "", "action": "submit"})
    assert response.status_code == 400
    assert "out of date" in response.content.decode()
    assert not Complaint.objects.exists()


def test_an_exception_after_files_are_saved_leaves_no_complaint_and_no_file(client, private_storage, monkeypatch):
    fill_to_review(client)

    def explode(*args, **kwargs):
        raise RuntimeError("database lost between saving files and commit")

    monkeypatch.setattr(PublicTimelineEntry.objects, "create", explode)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        submit(client)
    assert not Complaint.objects.exists()
    assert not Attachment.objects.exists()
    root = private_storage.location
    stored = (
        [p for p in __import__("pathlib").Path(root).rglob("*") if p.is_file()]
        if root and __import__("os").path.isdir(root)
        else []
    )
    assert stored == []
    # The draft survives, so the resident can try again.
    assert IntakeDraft.objects.get().complaint is None
    monkeypatch.undo()
    assert submit(client).status_code == 302
    assert Complaint.objects.count() == 1


def test_honeypot_submission_is_refused_and_audited(client):
    start(client)
    response = client.post(f"{PUBLIC}/incident/", {**incident(website="http://spam.example"), "action": "next"})
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="intake.spam_blocked").exists()
    # A person who somehow filled the hidden field still gets a page of the site, not a bare error.
    body = response.content.decode()
    assert "<header" in body and "usa-footer" in body


def test_submissions_are_limited_per_client(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.RATE_LIMIT_INTAKE_SUBMIT = "1/3600"
    file_complaint(client)
    other = client.__class__()
    fill_to_review(other)
    response = submit(other)
    assert response.status_code == 429
    assert Complaint.objects.count() == 1
    cache.clear()


# --- Uploads -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"%PDF-1.4 not really a jpeg but a pdf" * 2, None),  # allowed: judged by bytes, a PDF
        ("photo.jpg", b"<html><body><script>alert(1)</script></body></html>", "not a kind of file we can accept"),
        ("../../x.html", b"<!doctype html><h1>hi</h1>", "not a kind of file we can accept"),
        ("tool.pdf", b"MZ\x90\x00" + b"\x00" * 100, "not a kind of file we can accept"),
        ("empty.png", b"", "is empty"),
    ],
)
def test_uploads_are_judged_by_their_bytes(client, name, content, message):
    start(client)
    response = upload(client, name, content)
    if message is None:
        assert response.status_code == 302
        assert DraftFile.objects.get().content_type == "application/pdf"
        return
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DraftFile.objects.exists()


def test_oversize_and_too_many_files_are_refused_clearly(client, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    settings.INTAKE_MAX_FILES = 2
    start(client)
    response = upload(client, "big.png", PNG_BYTES + b"\x00" * 200)
    assert response.status_code == 400 and "too large" in response.content.decode()
    assert upload(client, "a.png", PNG_BYTES).status_code == 302
    assert upload(client, "b.png", PNG_BYTES).status_code == 302
    response = upload(client, "c.png", PNG_BYTES)
    assert response.status_code == 400 and "up to 2 files" in response.content.decode()
    assert DraftFile.objects.count() == 2


def test_a_hostile_name_is_kept_only_as_data(client, private_storage):
    complaint = file_complaint(client, Filing(files=[("../../etc/x.png", PNG_BYTES)]))
    attachment = complaint.attachments.get()
    assert attachment.original_name == "x.png"
    assert ".." not in attachment.file.name and "x.png" not in attachment.file.name


def test_a_staged_file_can_be_removed(client):
    start(client)
    upload(client, "a.png", PNG_BYTES)
    staged = DraftFile.objects.get()
    client.post(f"{PUBLIC}/evidence/", {"action": f"remove-file-{staged.pk}"})
    assert not DraftFile.objects.exists()


# --- Anonymity -------------------------------------------------------------------------------------


def test_anonymous_complaint_stores_no_identity_anywhere(client):
    # The resident typed their name, then chose anonymity: nothing of it may be kept.
    filing = Filing(
        about=about(filing_as="anonymous", first_name="Zebulon", last_name="Quartermaine", email="zq@example.com")
    )
    complaint = file_complaint(client, filing)
    assert complaint.anonymity == Complaint.Anonymity.ANONYMOUS
    assert not complaint.parties.exists()
    assert not Party.history.filter(complaint_id=complaint.pk).exists()
    for model in (Complaint, Party):
        for row in model.history.all().values():
            assert "Quartermaine" not in str(row) and "zq@example.com" not in str(row)
    assert "Quartermaine" not in str(AuditEvent.objects.values())
    assert "Quartermaine" not in str(IntakeDraft.objects.values())


def test_filing_for_someone_else_records_both_people(client):
    filing = Filing(
        about=about(
            filing_as="someone_else", victim_first_name="Ana", victim_last_name="Ruiz", victim_contact="Her cousin"
        )
    )
    complaint = file_complaint(client, filing)
    roles = dict(complaint.parties.values_list("role", "last_name"))
    assert roles == {"third_party": "Delgado", "victim": "Ruiz"}


# --- Confirmation and receipt -------------------------------------------------------------------


def test_receipt_pdf_is_available_without_email(client):
    from io import BytesIO

    from pypdf import PdfReader

    complaint = file_complaint(client, Filing(about=about(filing_as="anonymous")))
    response = client.get(f"{PUBLIC}/receipt/{complaint.tracking_number}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert complaint.tracking_number in text
    assert "took my phone" in text.replace("\n", " ")


def test_another_browser_cannot_download_the_receipt(client):
    complaint = file_complaint(client)
    stranger = client.__class__()
    assert stranger.get(f"{PUBLIC}/receipt/{complaint.tracking_number}.pdf").status_code == 404


def test_confirmation_without_a_filing_goes_to_the_start(client):
    response = client.get(f"{PUBLIC}/done/")
    assert response.status_code == 302 and response["Location"].endswith(f"{PUBLIC}/")


def test_steps_without_a_draft_send_the_visitor_to_the_start(client):
    response = client.get(f"{PUBLIC}/officers/")
    assert response.status_code == 302 and response["Location"].endswith(f"{PUBLIC}/")
    assert client.get(f"{PUBLIC}/not-a-step/").status_code == 404


def test_an_unfinished_draft_can_be_continued(client):
    start(client)
    client.post(f"{PUBLIC}/incident/", {**incident(), "action": "next"})
    page = client.get(f"{PUBLIC}/").content.decode()
    assert "Continue where I left off" in page
    response = client.post(f"{PUBLIC}/", {"action": "continue"})
    assert response["Location"].endswith(f"{PUBLIC}/incident/")
    assert "Outside the laundromat" in client.get(f"{PUBLIC}/incident/").content.decode()


def test_a_request_larger_than_the_limit_is_refused_before_reading(client, settings):
    settings.INTAKE_MAX_TOTAL_BYTES = 1024
    start(client)
    response = client.post(f"{PUBLIC}/evidence/", {"action": "upload"}, CONTENT_LENGTH=str(5 * 1024 * 1024))
    assert response.status_code == 413
    assert "Too much to send at once" in response.content.decode()


def test_expired_drafts_and_their_files_are_purged(client, settings):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    start(client)
    upload(client, "a.png", PNG_BYTES)
    staged = DraftFile.objects.get()
    storage, name = staged.file.storage, staged.file.name
    assert storage.exists(name)
    IntakeDraft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("purge_drafts")
    assert not IntakeDraft.objects.exists() and not DraftFile.objects.exists()
    assert not storage.exists(name)
    assert client.get(f"{PUBLIC}/incident/").status_code == 302  # the visitor is sent to start again


@pytest.mark.parametrize("language", ["en", "es"])
def test_witness_and_upload_errors_in_both_languages(client, language):
    if language == "es":
        _spanish(client)
    start(client)
    response = client.post(f"{PUBLIC}/witnesses/", {**witnesses({"email": "not-an-email"}), "action": "next"})
    assert response.status_code == 400
    expected = "Introduzca una dirección de correo electrónico válida." if language == "es" else "Enter a valid email"
    assert expected in response.content.decode()
    response = upload(client, "photo.jpg", b"<html><script>alert(1)</script></html>")
    assert response.status_code == 400
    expected = "No podemos aceptar el tipo de archivo" if language == "es" else "not a kind of file we can accept"
    assert expected in response.content.decode()
