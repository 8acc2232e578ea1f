"""Every email to staff is in its recipient's preferred language: the deadline reminders, the
assignment notice, the infected-file alert, the password reset link."""

from datetime import date, timedelta

import pytest
from django.core import mail

from complaints.models import Complaint
from investigations import reminders
from investigations.models import Investigation, InvestigatorAssignment
from investigations.tasks import send_assignment_notification
from oversight.permissions import Role
from tests.factories import AttachmentFactory, ComplaintFactory, UserFactory
from tests.scanner import FakeClamd

from .conftest import set_language

pytestmark = pytest.mark.django_db

DUE = date(2027, 3, 14)  # a clock started on 14 March 2026


def _to(address: str):
    found = [m for m in mail.outbox if m.to == [address]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


@pytest.fixture
def reminder_case(complaint, assigned_investigator, supervisor):
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.UNDER_INVESTIGATION)
    Investigation.objects.filter(complaint=complaint).update(discovery_date=date(2026, 3, 14))
    return complaint


def test_the_deadline_reminder_is_in_each_recipients_language(reminder_case, assigned_investigator, supervisor):
    set_language(assigned_investigator, "es")
    set_language(supervisor, "en")
    run = reminders.deadline_reminders_send(today=DUE - timedelta(days=90))
    assert run.emails == 2
    number = reminder_case.tracking_number

    spanish = _to(assigned_investigator.email)
    assert spanish.subject == f"Caso {number}: el plazo vence en 90 días"
    assert spanish.body.startswith("Hola, Alice:")
    assert f"El plazo legal del caso {number} vence el 14 de marzo de 2027: quedan 90 días." in spanish.body
    assert "Recibe este mensaje porque tiene asignado el caso." in spanish.body

    english = _to(supervisor.email)
    assert english.subject == f"Case {number}: the deadline is in 90 days"
    assert f"The statutory deadline for case {number} is March 14, 2027: 90 days left." in english.body
    assert "You receive this as a supervisor." in english.body


def test_the_overdue_reminder_too(reminder_case, assigned_investigator, supervisor):
    set_language(supervisor, "es")
    reminders.deadline_reminders_send(today=DUE + timedelta(days=3))
    body = _to(supervisor.email).body
    assert "Recibe este mensaje por su rol de supervisor." in body
    assert "Hello" not in _to(supervisor.email).body
    assert _to(assigned_investigator.email).body.startswith("Hello Alice,")


def test_the_reminder_job_reads_the_preferences_without_a_query_per_recipient(
    reminder_case, supervisor, django_assert_max_num_queries
):
    for n in range(6):
        set_language(UserFactory(username=f"extra_supervisor_{n}", roles=[Role.SUPERVISOR]), "es")
    with django_assert_max_num_queries(60) as captured:
        reminders.deadline_reminders_send(today=DUE - timedelta(days=90))
    preference_reads = [q for q in captured.captured_queries if 'FROM "staff_accounts_staffpreference"' in q["sql"]]
    assert preference_reads == []
    assert len(mail.outbox) == 8
    assert sum("Hola" in m.body for m in mail.outbox) == 6


def test_the_assignment_notice_is_in_the_investigators_language(complaint, supervisor):
    investigator = UserFactory(username="tomas_investigator", first_name="Tomás", roles=[Role.INVESTIGATOR])
    set_language(investigator, "es")
    investigation = Investigation.objects.create(complaint=complaint, discovery_date=date(2026, 3, 14))
    assignment = InvestigatorAssignment.objects.create(
        investigation=investigation, investigator=investigator, is_lead=True
    )
    assert send_assignment_notification(assignment.pk) is True
    body = _to(investigator.email).body
    assert body.startswith("Hola, Tomás:")
    assert f"Ahora usted dirige la investigación del caso {complaint.tracking_number}." in body


def test_the_infected_file_alert_is_in_each_supervisors_language(
    settings, supervisor, django_capture_on_commit_callbacks
):
    from oversight.scanning import ScanState, file_scan

    second = UserFactory(username="second_supervisor", first_name="Rafael", roles=[Role.SUPERVISOR])
    set_language(second, "es")
    with FakeClamd(b"stream: Eicar-Test-Signature FOUND\0") as fake:
        settings.CLAMAV_ADDRESS = fake.address
        attachment = AttachmentFactory(complaint=ComplaintFactory())
        with django_capture_on_commit_callbacks(execute=True):
            assert file_scan(attachment.file.name) == ScanState.INFECTED
    number = attachment.complaint.tracking_number
    assert (
        f"El antivirus encontró un virus (Eicar-Test-Signature) en un archivo guardado en el caso {number}."
        in " ".join(_to(second.email).body.split())
    )
    assert "The virus scanner found a virus" in _to(supervisor.email).body


# --- The password reset link ------------------------------------------------------------------------------


def _ask_reset(client, email, language, capture):
    with capture(execute=True):
        response = client.post("/staff/password-reset/", {"email": email}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302


def test_the_reset_link_comes_in_the_accounts_language_not_the_pages(client, django_capture_on_commit_callbacks):
    user = UserFactory(username="reset_es", roles=[Role.INVESTIGATOR])
    set_language(user, "es")
    _ask_reset(client, user.email, "en", django_capture_on_commit_callbacks)
    assert "Para elegir una nueva contraseña, abra este enlace:" in _to(user.email).body


def test_an_account_that_chose_nothing_gets_the_language_of_the_page(client, django_capture_on_commit_callbacks):
    user = UserFactory(username="reset_unset", roles=[Role.INVESTIGATOR])
    _ask_reset(client, user.email, "es", django_capture_on_commit_callbacks)
    assert "Para elegir una nueva contraseña, abra este enlace:" in _to(user.email).body
    mail.outbox.clear()
    _ask_reset(client, user.email, "en", django_capture_on_commit_callbacks)
    assert "To choose a new password, open this link:" in _to(user.email).body
