"""What one request of the public form costs stays small and fixed, and the markup reused between
visitors (a blank step, the progress indicator) carries nothing of any one visitor."""

import hashlib
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from complaints import uploads
from complaints.models import Attachment, Complaint, ConsentText
from public_portal.models import DraftFile, IntakeDraft
from tests.factories import PNG_BYTES, DistrictFactory

from .intake_flow import PUBLIC, Filing, about, fill_to_review, incident, officers, start, submit, upload, witnesses

pytestmark = pytest.mark.django_db

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(response) -> str:
    """The page without its CSRF tokens, which differ on every response."""
    return _CSRF.sub("", response.content.decode())


def _fields(response) -> str:
    """The step's form fields: the part of the page between the hidden default button and the
    step buttons."""
    body = _page(response)
    return body[body.index('class="default-submit"') : body.index('class="step-buttons"')]


def _queries(fn) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries]


# --- Queries per request ----------------------------------------------------------------------------


def test_a_blank_step_reads_the_session_and_the_draft_only(client, django_assert_max_num_queries):
    start(client)
    for step in ("officers", "kinds", "witnesses", "about"):
        with django_assert_max_num_queries(2):
            assert client.get(f"{PUBLIC}/{step}/").status_code == 200
    # The incident step also lists the districts (one query), the evidence step the files so far,
    # the consent step its text.
    for step in ("incident", "evidence", "consent"):
        with django_assert_max_num_queries(3):
            assert client.get(f"{PUBLIC}/{step}/").status_code == 200


def test_a_step_sent_reads_the_session_and_the_draft_and_writes_once(client, django_assert_max_num_queries):
    start(client)
    steps = [
        ("incident", {**incident(), "action": "next"}),
        ("officers", {**officers(), "action": "next"}),
        ("kinds", {"kinds": ["force"], "action": "next"}),
        ("witnesses", {**witnesses(), "action": "next"}),
    ]
    for step, data in steps:
        with django_assert_max_num_queries(3):
            assert client.post(f"{PUBLIC}/{step}/", data).status_code == 302


def test_an_unchanged_step_is_not_written_again(client):
    start(client)
    data = {**incident(), "action": "next"}
    first = _queries(lambda: client.post(f"{PUBLIC}/incident/", data))
    again = _queries(lambda: client.post(f"{PUBLIC}/incident/", data))
    changed = _queries(lambda: client.post(f"{PUBLIC}/incident/", {**data, "location": "Elsewhere"}))

    def writes(queries: list[str]) -> int:
        return sum(1 for q in queries if q.startswith('UPDATE "public_portal_intakedraft"'))

    assert (writes(first), writes(again), writes(changed)) == (1, 0, 1)
    assert IntakeDraft.objects.get().data["incident"]["location"] == ["Elsewhere"]


def test_going_on_from_the_evidence_step_without_a_new_file_writes_nothing(client):
    start(client)
    upload(client, "photo.png", PNG_BYTES)
    queries = _queries(lambda: client.post(f"{PUBLIC}/evidence/", {"action": "next"}))
    assert not [q for q in queries if q.startswith(("UPDATE", "INSERT", "DELETE"))]


def test_the_review_and_the_submission_take_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    fill_to_review(client)
    with django_assert_max_num_queries(5):
        page = client.get(f"{PUBLIC}/review/")
    token = re.search(r'name="form_token" value="([0-9a-f]+)"', page.content.decode()).group(1)
    # The complaint, its party, officer, allegation, attachment and timeline rows, their history
    # rows, three audit events, the tracking number, the search outbox row for each of the
    # complaint, party, officer and allegation writes, and the draft and session afterwards.
    with django_assert_max_num_queries(59):
        response = client.post(f"{PUBLIC}/review/", {"form_token": token, "website": "", "action": "submit"})
    assert response.status_code == 302
    with django_assert_max_num_queries(2):
        assert client.get(f"{PUBLIC}/done/").status_code == 200


# --- Markup reused between visitors -------------------------------------------------------------------


def test_a_blank_step_is_the_same_for_every_visitor_and_carries_nothing_of_theirs(client):
    start(client)
    client.post(f"{PUBLIC}/incident/", {**incident(narrative="Zebulon Quartermaine saw it all from the bus stop.")})
    own = client.get(f"{PUBLIC}/incident/")
    assert "Zebulon Quartermaine" in own.content.decode()  # the visitor's own answers, bound

    first, second = Client(), Client()
    start(first)
    start(second)
    blank = first.get(f"{PUBLIC}/incident/")
    assert "Zebulon Quartermaine" not in blank.content.decode()
    assert _page(second.get(f"{PUBLIC}/incident/")) == _page(blank)


def test_a_step_with_errors_is_rendered_for_its_visitor_only(client):
    start(client)
    start(other := Client())
    other.get(f"{PUBLIC}/officers/")
    refused = client.post(f"{PUBLIC}/officers/", {**officers({"known": "identified"}), "action": "next"})
    assert refused.status_code == 400
    assert "Enter a name or a badge number" in refused.content.decode()
    assert "Enter a name or a badge number" not in other.get(f"{PUBLIC}/officers/").content.decode()


def test_a_blank_step_follows_the_language(client):
    start(client)
    english = _fields(client.get(f"{PUBLIC}/incident/"))
    client.cookies["django_language"] = "es"
    spanish = _fields(client.get(f"{PUBLIC}/incident/"))
    assert "Where did it happen?" in english
    assert "Where did it happen?" not in spanish and "¿Dónde" in spanish
    assert "Paso" in _page(client.get(f"{PUBLIC}/kinds/"))  # the progress indicator too


def test_a_district_added_shows_on_the_blank_step(client):
    start(client)
    before = client.get(f"{PUBLIC}/incident/").content.decode()
    district = DistrictFactory(name="Harbor Point")
    after = client.get(f"{PUBLIC}/incident/").content.decode()
    assert "Harbor Point" not in before
    assert f'<option value="{district.pk}">Harbor Point</option>' in after


def test_a_district_chosen_stays_selected(client):
    district = DistrictFactory(name="Harbor Point")
    start(client)
    client.post(f"{PUBLIC}/incident/", {**incident(district=str(district.pk)), "action": "back"})
    page = client.get(f"{PUBLIC}/incident/").content.decode()
    assert f'<option value="{district.pk}" selected>Harbor Point</option>' in page


def test_a_new_consent_text_shows_on_the_blank_step(client):
    start(client)
    client.get(f"{PUBLIC}/consent/")
    ConsentText.objects.update(is_active=False)
    ConsentText.objects.create(
        version="2099-1",
        language="en",
        title="A newer advisory",
        body="The newer text residents read.",
        agreement="I read the newer text",
        is_active=True,
    )
    page = client.get(f"{PUBLIC}/consent/").content.decode()
    assert "A newer advisory" in page and "I read the newer text" in page


def test_the_evidence_step_limits_follow_the_settings(client, settings):
    start(client)
    client.get(f"{PUBLIC}/evidence/")
    settings.INTAKE_MAX_FILES = 3
    assert "Up to 3 files" in client.get(f"{PUBLIC}/evidence/").content.decode()


# --- Staged files are copied and hashed in one pass ----------------------------------------------------


def test_a_staged_file_is_stored_with_the_hash_found_at_upload(client, private_storage):
    fill_to_review(client)
    assert submit(client).status_code == 302
    attachment = Attachment.objects.get()
    with private_storage.open(attachment.file.name) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == attachment.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()


def test_a_staged_file_that_changed_is_refused_and_nothing_is_kept(client, private_storage):
    fill_to_review(client, Filing())
    staged = DraftFile.objects.get()
    with staged.file.storage.open(staged.file.name, "wb") as handle:
        handle.write(PNG_BYTES + b"tampered")

    response = submit(client)

    assert response.status_code == 400
    assert "changed after it was added" in response.content.decode()
    assert not Complaint.objects.exists() and not Attachment.objects.exists()
    root = private_storage.location
    assert not [p for p in __import__("pathlib").Path(root).rglob("*") if p.is_file()]
    assert IntakeDraft.objects.get().complaint is None


def test_the_hashing_reader_describes_a_sequential_copy():
    reader = uploads.HashingReader(io.BytesIO(b"abcdef" * 1000))
    reader.seek(0)
    while reader.read(1000):
        pass
    assert reader.sequential
    assert (reader.bytes_read, reader.hexdigest()) == (6000, hashlib.sha256(b"abcdef" * 1000).hexdigest())


def test_the_hashing_reader_says_when_the_copy_was_not_sequential():
    reader = uploads.HashingReader(io.BytesIO(b"abcdef"))
    reader.read(2)
    reader.seek(4)
    reader.read()
    assert not reader.sequential
    reader.seek(0)
    assert reader.read() == b"abcdef" and reader.sequential


# --- Which writes wait for the disk ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_typed_input_is_committed_without_waiting_for_the_disk_and_the_rest_durably(client):
    def relaxed(queries: list[str]) -> bool:
        return "SET LOCAL synchronous_commit TO OFF" in queries

    assert relaxed(_queries(lambda: start(client)))
    assert relaxed(_queries(lambda: client.post(f"{PUBLIC}/incident/", {**incident(), "action": "next"})))
    assert not relaxed(_queries(lambda: upload(client, "photo.png", PNG_BYTES)))
    for step, data in [
        ("officers", officers()),
        ("kinds", {"kinds": ["force"]}),
        ("witnesses", witnesses()),
        ("about", about()),
        ("consent", {"agree": "on"}),
    ]:
        assert client.post(f"{PUBLIC}/{step}/", {**data, "action": "next"}).status_code == 302
    submitted = _queries(lambda: submit(client))
    assert not relaxed(submitted)

    # What was committed is there for every other connection, and staging is empty.
    complaint = Complaint.objects.get()
    assert IntakeDraft.objects.get().complaint == complaint
    assert complaint.attachments.count() == 1 and not DraftFile.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_upload_leaves_no_file_in_staging(client, monkeypatch, tmp_path):
    start(client)

    def explode(*args, **kwargs):
        raise RuntimeError("database lost while staging")

    monkeypatch.setattr(IntakeDraft, "save", explode)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        upload(client, "photo.png", PNG_BYTES)
    staging = tmp_path / "staging"
    assert not DraftFile.objects.exists()
    assert not (staging.exists() and [p for p in staging.rglob("*") if p.is_file()])


# --- A double click -----------------------------------------------------------------------------------


def test_a_submission_that_finds_its_staged_files_gone_answers_with_the_complaint_filed_meanwhile(
    client, django_capture_on_commit_callbacks
):
    from public_portal import intake

    fill_to_review(client)
    # The second request of a double click has read the draft and its staged files...
    second = IntakeDraft.objects.prefetch_related("files").get()
    # ...when the first one files the complaint and clears staging.
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(client).status_code == 302
    assert not second.files.all()[0].file.storage.exists(second.files.all()[0].file.name)

    assert intake.draft_submit(second) == Complaint.objects.get()
    assert Attachment.objects.count() == 1
