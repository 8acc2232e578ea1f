"""Cases and helpers for the tests of messages between staff and complainants.

- ``complaint`` (tests/conftest.py) is the named case: Rosa Delgado, who left an email. Here it is
  put under investigation and given the status code ``CODE``.
- ``anonymous_complaint`` is an anonymous case under investigation, with the code ``ANON_CODE``
  and ``anonymous_investigator`` assigned to it.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from complaints.models import Complaint
from complaints.status_codes import status_code_digest
from oversight import permissions
from oversight.permissions import Role
from public_portal.messages.forms import new_token
from public_portal.messages.models import Message
from public_portal.messages.services import message_send

from ..factories import ComplaintFactory, SubjectOfficerFactory, UserFactory

# Fixtures of other test modules, used here as they are: every log captured (the anonymity tests),
# and a decided, published case with its reports (the public surfaces tests).
from ..public_portal.test_anonymity import every_log  # noqa: F401
from ..public_portal.test_public_surfaces import second_publisher, world  # noqa: F401

CODE = "K7QM-2XPD-9TRA"
ANON_CODE = "WXYZ-2345-ABCD"
STATUS = "/status/"
MESSAGES = "/status/messages/"
REPLY = "/status/messages/reply/"
CLOSE = "/status/close/"


def with_code(complaint: Complaint, code: str, status: str = Complaint.Status.UNDER_INVESTIGATION) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(status=status, status_code_hash=status_code_digest(code))
    complaint.refresh_from_db()
    return complaint


def assign(user, complaint: Complaint) -> None:
    from investigations.models import Investigation, InvestigatorAssignment

    investigation, _created = Investigation.objects.get_or_create(
        complaint=complaint, defaults={"discovery_date": complaint.received_at.date()}
    )
    InvestigatorAssignment.objects.create(investigation=investigation, investigator=user, is_lead=True)
    permissions.grant(user, "complaints.view_complaint", complaint)
    permissions.grant(user, "complaints.change_complaint", complaint)


@pytest.fixture
def named(complaint):
    return with_code(complaint, CODE)


@pytest.fixture
def anonymous_complaint(db):
    complaint = ComplaintFactory(
        anonymity=Complaint.Anonymity.ANONYMOUS, narrative="Two officers searched my bag at the bus stop."
    )
    SubjectOfficerFactory(complaint=complaint)
    return with_code(complaint, ANON_CODE)


@pytest.fixture
def anonymous_investigator(anonymous_complaint):
    user = UserFactory(username="carla_investigator", roles=[Role.INVESTIGATOR], first_name="Carla", last_name="Ruiz")
    assign(user, anonymous_complaint)
    return user


def ask(complaint: Complaint, author, body: str) -> Message:
    """A message from ``author`` to the complainant, through the service."""
    return message_send(complaint=complaint, actor=author, body=body, idempotency_key=new_token())


def open_status(client: Client, complaint: Complaint, code: str):
    """Post the tracking number and code as the lookup form does; the status page comes back."""
    return client.post(STATUS, {"tracking_number": complaint.tracking_number, "code": code})


def token_in(response) -> str:
    """The reply form's token, as the page gives it."""
    found = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    assert found, "the page has no reply form"
    return found.group(1)


def staff_tab(complaint: Complaint) -> str:
    return reverse("staff:case_messages:case", args=[complaint.tracking_number])
