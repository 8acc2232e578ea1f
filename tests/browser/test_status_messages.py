"""The status page with a question from the investigator and the form to answer it, in a real
browser: an anonymous complainant opens it with the tracking number and code, answers (with a
file), and sees the confirmation. Every state of the page passes axe-core with no violation, in
English and Spanish, with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from complaints.status_codes import status_code_digest
from oversight.permissions import Role
from public_portal.messages.forms import new_token
from public_portal.messages.models import Message, MessageAttachment
from public_portal.messages.services import message_send
from tests.factories import PNG_BYTES, ComplaintFactory, SubjectOfficerFactory, UserFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

CODE = "QRST-2345-WXYZ"
QUESTION = "Do you remember the number on the side of the patrol car?"
ANSWER = "It was car 4127, parked by the laundromat."


@pytest.fixture
def asked():
    complaint = ComplaintFactory(anonymity=Complaint.Anonymity.ANONYMOUS)
    SubjectOfficerFactory(complaint=complaint)
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Complaint.Status.UNDER_INVESTIGATION, status_code_hash=status_code_digest(CODE)
    )
    complaint.refresh_from_db()
    supervisor = UserFactory(username="sofia_supervisor", roles=[Role.SUPERVISOR])
    message_send(complaint=complaint, actor=supervisor, body=QUESTION, idempotency_key=new_token())
    return complaint


def _open(page, complaint, language):
    page.goto("/status/")
    if language == "es":
        page.get_by_role("button", name="Español").click()
    page.locator("#id_tracking_number").fill(complaint.tracking_number)
    page.locator("#id_code").fill(CODE)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#messages")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_reading_and_answering_a_question_is_accessible(request, asked, language, javascript, tmp_path):
    page = request.getfixturevalue("page" if javascript else "nojs_page")
    _open(page, asked, language)
    expect(page.get_by_text(QUESTION)).to_be_visible()
    assert page.locator("textarea#id_body").count() == 1
    assert "status/" in page.url and CODE not in page.url
    assert_accessible(page)

    # An empty answer: the error summary and the field's error, accessible too.
    page.locator("form[action='/status/messages/reply/'] button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)

    photo = tmp_path / "car-4127.png"
    photo.write_bytes(PNG_BYTES)
    page.locator("textarea#id_body").fill(ANSWER)
    page.locator("input#id_files").set_input_files(str(photo))
    page.locator("form[action='/status/messages/reply/'] button[type=submit]").click()
    page.wait_for_url("**/status/messages/#messages")
    expect(page.get_by_text(ANSWER)).to_be_visible()
    expect(page.locator(".usa-alert--success")).to_be_visible()
    assert CODE not in page.url and asked.tracking_number not in page.url
    assert_accessible(page)

    reply = Message.objects.get(direction="from_complainant")
    assert reply.body == ANSWER
    assert MessageAttachment.objects.get().original_name == "car-4127.png"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_page_asking_for_the_code_again_is_accessible(nojs_page, asked, language):
    page = nojs_page
    _open(page, asked, language)
    page.locator("textarea#id_body").fill(ANSWER)
    # The page closes in this browser (as after half an hour idle): the answer asks for the code again.
    page.context.clear_cookies(name="sessionid")
    page.locator("form[action='/status/messages/reply/'] button[type=submit]").click()
    expect(page.locator("#id_code")).to_be_visible()
    expect(page.locator("textarea#id_body")).to_have_value(ANSWER)
    assert_accessible(page)
