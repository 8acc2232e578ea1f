"""The email that a message is waiting: never the message's text, only to a named complainant who
left an email, in their language; nothing for an anonymous complaint. And the investigators' email
that an answer came in, without its text."""

import pytest
from django.core import mail
from django.test import Client

from complaints.models import Complaint, Party
from public_portal.messages.models import Message
from tests.factories import PartyFactory

from .conftest import ANON_CODE, REPLY, ask, open_status, token_in

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_QUESTION = "Was Officer Harlan the one holding the flashlight near the blue van?"


def test_a_named_complainant_with_an_email_is_told_a_message_waits_without_its_text(named, assigned_investigator):
    ask(named, assigned_investigator, SECRET_QUESTION)

    (notice,) = mail.outbox
    assert notice.to == ["rosa.delgado@example.com"]
    assert notice.subject == f"A message is waiting about your complaint {named.tracking_number}"
    assert "Hello Rosa," in notice.body
    assert "sent you a message" in notice.body
    assert "this email does not include the message or the code" in notice.body
    for word in ("Harlan", "flashlight", "blue van", SECRET_QUESTION):
        assert word not in notice.body and word not in notice.subject


def test_the_notice_is_in_the_complainants_language(named, assigned_investigator):
    Party.objects.filter(complaint=named).update(preferred_language="es")
    ask(named, assigned_investigator, SECRET_QUESTION)

    (notice,) = mail.outbox
    assert notice.body.startswith("Hola, Rosa:")
    assert "¿Tiene preguntas? Llame al" in notice.body
    assert SECRET_QUESTION not in notice.body


def test_an_anonymous_complainant_gets_no_email(anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, SECRET_QUESTION)
    assert [m for m in mail.outbox if "waiting about your complaint" in m.subject] == []


def test_a_named_complainant_without_an_email_gets_none(assigned_investigator, named):
    Party.objects.filter(complaint=named).update(email="")
    ask(named, assigned_investigator, SECRET_QUESTION)
    assert mail.outbox == []


def test_a_complainant_who_asked_not_to_be_contacted_gets_none(assigned_investigator, named):
    Party.objects.filter(complaint=named).update(preferred_contact=Party.ContactMethod.NONE)
    ask(named, assigned_investigator, SECRET_QUESTION)
    assert mail.outbox == []


def test_witnesses_are_never_told(assigned_investigator, named):
    Party.objects.filter(complaint=named).update(email="")
    PartyFactory(complaint=named, role=Party.Role.WITNESS, email="witness@example.com")
    ask(named, assigned_investigator, SECRET_QUESTION)
    assert mail.outbox == []


def test_one_notice_while_the_first_message_waits_and_a_new_one_after_it_was_read(named, assigned_investigator):
    from .conftest import CODE

    ask(named, assigned_investigator, "First question?")
    ask(named, assigned_investigator, "Second question?")
    assert len(mail.outbox) == 1
    open_status(Client(), named, CODE)  # read on the status page
    ask(named, assigned_investigator, "Third question?")
    assert len(mail.outbox) == 2
    assert all("question" not in m.body for m in mail.outbox)


def test_the_investigators_are_told_an_answer_came_without_its_text(anonymous_complaint, anonymous_investigator):
    ask(anonymous_complaint, anonymous_investigator, "Which bus stop was it?")
    visitor = Client()
    page = open_status(visitor, anonymous_complaint, ANON_CODE)
    visitor.post(REPLY, {"body": "The stop at Elm and 9th, next to the pharmacy.", "form_token": token_in(page)})

    (notice,) = mail.outbox
    assert notice.to == [anonymous_investigator.email]
    assert notice.subject == f"The complainant answered on case {anonymous_complaint.tracking_number}"
    assert "pharmacy" not in notice.body and "Elm" not in notice.body
    assert Message.objects.filter(direction="from_complainant").count() == 1
    assert Complaint.objects.get(pk=anonymous_complaint.pk).is_anonymous
