import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from oversight import audit
from oversight.context import acting_as
from oversight.models import AuditEvent
from tests.factories import AgencyFactory, ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db


def _record_some(n: int = 5) -> list[AuditEvent]:
    complaint = ComplaintFactory()
    return [audit.record("complaint.viewed", target=complaint, data={"n": i, "note": "ñ"}) for i in range(n)]


def test_untouched_chain_verifies(capsys):
    _record_some()
    call_command("audit_verify")
    assert "Audit chain intact" in capsys.readouterr().out


def test_editing_one_row_in_the_database_breaks_the_chain_at_that_row():
    events = _record_some()
    tampered = events[2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET actor_username = %s WHERE id = %s", ["mallory", tampered.pk]
        )
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert f"broken at event {tampered.pk}" in str(excinfo.value)
    before = AuditEvent.objects.filter(id__lt=tampered.pk).count()
    assert f"{before} event(s) before it verified" in str(excinfo.value)


def test_deleting_a_row_breaks_the_chain_at_the_next_one():
    events = _record_some()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    checked, broken = audit.verify_chain()
    assert broken is not None and broken.event_id == events[2].pk
    assert checked == AuditEvent.objects.filter(id__lt=events[1].pk).count()


def test_removing_the_newest_rows_is_detected():
    events = _record_some()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[-1].pk])
    _checked, broken = audit.verify_chain()
    assert broken is not None and "ends early" in broken.reason


def test_recording_an_unregistered_action_code_raises():
    with pytest.raises(audit.UnregisteredAction):
        audit.record("complaint.teleported")
    assert not AuditEvent.objects.filter(action="complaint.teleported").exists()


def test_events_cannot_be_edited_or_deleted_through_the_orm():
    event = _record_some(1)[0]
    event.action = "complaint.created"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_event_snapshots_actor_target_and_request_context():
    user = UserFactory(username="dana")
    agency = AgencyFactory(name="Harbor Police")
    with acting_as(user, ip="203.0.113.9", request_id="req-abc12345"):
        event = audit.record("roster.imported", target=agency, data={"created": 3})
    user.delete()
    event.refresh_from_db()
    assert event.actor is None  # the user is gone...
    assert event.actor_username == "dana"  # ...but who did it is not
    assert event.target_label == "Harbor Police"
    assert event.target_type == "oversight.agency"
    assert (event.ip, event.request_id) == ("203.0.113.9", "req-abc12345")
    assert audit.verify_chain()[1] is None


def test_every_request_gets_an_id_that_its_audit_events_carry(client, supervisor, complaint):
    client.force_login(supervisor)
    response = client.get(f"/staff/complaints/{complaint.tracking_number}/")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    viewed = AuditEvent.objects.get(action="complaint.viewed", target_id=str(complaint.pk))
    assert viewed.request_id == request_id
    assert viewed.actor_username == supervisor.username
    assert viewed.ip == "127.0.0.1"


def test_a_well_formed_incoming_request_id_is_kept_and_a_hostile_one_replaced(client):
    assert client.get("/", HTTP_X_REQUEST_ID="upstream-1234abcd")["X-Request-ID"] == "upstream-1234abcd"
    replaced = client.get("/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")["X-Request-ID"]
    assert replaced != "<script>alert(1)</script>" and len(replaced) == 32


def test_failed_sign_in_is_audited_without_the_password(client):
    client.post("/staff/login/", {"username": "nobody", "password": "hunter2-secret"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.outcome == AuditEvent.Outcome.FAILED
    assert event.data == {"username": "nobody"}
    assert "hunter2" not in str(event.data)


def test_history_rows_carry_the_acting_user_ip_and_request(client, supervisor, complaint):
    with acting_as(supervisor, ip="198.51.100.7", request_id="hist-req-0001"):
        complaint.location_text = "Outside the library"
        complaint.save()
    latest = complaint.history.latest()
    assert latest.history_user == supervisor
    assert latest.history_ip == "198.51.100.7"
    assert latest.history_request_id == "hist-req-0001"


def test_history_rows_written_in_a_request_carry_the_signed_in_user(rf, supervisor, complaint):
    from oversight.middleware import RequestContextMiddleware, RequestUserMiddleware

    def view(request):
        complaint.location_text = "Changed in a request"
        complaint.save()
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = rf.get("/", REMOTE_ADDR="192.0.2.44")
    request.user = supervisor
    RequestContextMiddleware(RequestUserMiddleware(view))(request)
    latest = complaint.history.latest()
    assert latest.history_user == supervisor
    assert latest.history_ip == "192.0.2.44"
    assert latest.history_request_id == request.request_id
