import hashlib
import hmac
import json
import re
import threading
from contextlib import contextmanager
from datetime import UTC
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from oversight import audit
from oversight.context import acting_as
from oversight.models import AuditChainHead, AuditEvent
from tests.factories import AgencyFactory, ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


@pytest.fixture(autouse=True)
def _checkpoint_file(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit_checkpoints"
    return settings.AUDIT_CHECKPOINT_FILE


def _record_some(n: int = 5) -> list[AuditEvent]:
    complaint = ComplaintFactory()
    return [audit.record("complaint.viewed", target=complaint, data={"n": i, "note": "ñ"}) for i in range(n)]


@contextmanager
def _as_table_owner():
    """Tamper the way only the table's owner can on PostgreSQL, where the application's own
    connection is refused UPDATE and DELETE by a trigger: by switching the trigger off (DDL)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


def _canonical_by_hand(row: dict) -> bytes:
    """The documented canonical content of an event, written out here rather than taken from the code."""
    content = {
        "occurred_at": row["occurred_at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_username": row["actor_username"],
        "ip": row["ip"],
        "request_id": row["request_id"],
        "action": row["action"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "target_label": row["target_label"],
        "outcome": row["outcome"],
        "data": row["data"],
        "prev_hash": row["prev_hash"],
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _reseal_by_hand(from_id: int, seal) -> None:
    """What a tamperer without the key does after editing a row: recompute every later link."""
    rows = list(AuditEvent.objects.order_by("id").values())
    prev = audit.GENESIS_HASH
    with _as_table_owner(), connection.cursor() as cursor:
        for row in rows:
            if row["id"] >= from_id:
                row["prev_hash"] = prev
                row["hash"] = seal(_canonical_by_hand(row))
                cursor.execute(
                    f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, row["hash"], row["id"]]
                )
            prev = row["hash"]
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev, last_event_id=rows[-1]["id"])


def test_untouched_chain_verifies(capsys):
    _record_some()
    call_command("audit_verify")
    assert "Audit chain intact" in capsys.readouterr().out


def test_editing_one_row_in_the_database_breaks_the_chain_at_that_row():
    events = _record_some()
    tampered = events[2]
    with _as_table_owner(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET actor_username = %s WHERE id = %s", ["mallory", tampered.pk])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert f"broken at event {tampered.pk}" in str(excinfo.value)
    before = AuditEvent.objects.filter(id__lt=tampered.pk).count()
    assert f"{before} event(s) before it verified" in str(excinfo.value)


def test_deleting_a_row_breaks_the_chain_at_the_next_one():
    events = _record_some()
    with _as_table_owner(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[1].pk])
    checked, broken = audit.verify_chain()
    assert broken is not None and broken.event_id == events[2].pk
    assert checked == AuditEvent.objects.filter(id__lt=events[1].pk).count()


def test_removing_the_newest_rows_is_detected():
    events = _record_some()
    with _as_table_owner(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[-1].pk])
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


# --- The keyed chain --------------------------------------------------------------------------------


def _key() -> bytes:
    from django.conf import settings

    return settings.AUDIT_KEY.encode()


def test_each_hash_is_hmac_sha256_of_the_event_under_the_audit_key():
    before, event = _record_some(2)
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert row["hash"] == hmac.new(_key(), _canonical_by_hand(row), hashlib.sha256).hexdigest()
    assert row["hash"] != hashlib.sha256(_canonical_by_hand(row)).hexdigest()
    assert row["prev_hash"] == before.hash


@pytest.mark.parametrize(
    "seal",
    [
        pytest.param(lambda content: hashlib.sha256(content).hexdigest(), id="plain-sha256"),
        pytest.param(lambda content: hmac.new(b"a-guessed-key", content, hashlib.sha256).hexdigest(), id="wrong-key"),
    ],
)
def test_an_event_rewritten_and_every_later_link_recomputed_without_the_key_is_reported(seal):
    events = _record_some(6)
    tampered = events[2]
    with _as_table_owner(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET target_label = %s WHERE id = %s", ["nothing to see", tampered.pk])
    _reseal_by_hand(tampered.pk, seal)
    # Every link now agrees with the one before it: only the key tells the rewrite apart.
    rows = list(AuditEvent.objects.order_by("id").values("prev_hash", "hash"))
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in zip(rows, rows[1:], strict=False))

    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    message = str(excinfo.value)
    assert f"Audit chain broken at event {tampered.pk}" in message
    assert "does not match its hash" in message
    assert f"{AuditEvent.objects.filter(id__lt=tampered.pk).count()} event(s) before it verified" in message


def test_a_different_audit_key_makes_the_whole_chain_fail(settings):
    _record_some(3)
    first = AuditEvent.objects.order_by("id").first()
    settings.AUDIT_KEY = "someone-elses-key"
    checked, broken = audit.verify_chain()
    assert (checked, broken.event_id) == (0, first.pk)


def test_an_address_is_stored_only_with_a_staff_actor(supervisor):
    with acting_as(None, ip="203.0.113.5"):
        anonymous = audit.record("status.looked_up", ip="203.0.113.6")
    with acting_as(supervisor, ip="198.51.100.4"):
        staff = audit.record("complaint.viewed", target_label="CPC-2026-00001")
    assert anonymous.ip is None
    assert staff.ip == "198.51.100.4"


# --- Checkpoints ------------------------------------------------------------------------------------


def _checkpoint() -> str:
    out = StringIO()
    call_command("audit_checkpoint", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_a_checkpoint_is_one_signed_line_appended_printed_and_audited(_checkpoint_file):
    earlier = AuditEvent.objects.count()
    events = _record_some(4)
    line = _checkpoint()

    match = re.fullmatch(
        r"audit-checkpoint/1 time=(\S+Z) event=(\d+) count=(\d+) head=([0-9a-f]{64}) hmac=([0-9a-f]{64})", line
    )
    assert match, line
    assert int(match[2]) == events[-1].pk
    assert int(match[3]) == earlier + 4
    assert match[4] == AuditEvent.objects.get(pk=events[-1].pk).hash
    payload = line.rsplit(" hmac=", 1)[0].encode()
    assert match[5] == hmac.new(_key(), payload, hashlib.sha256).hexdigest()

    second = _checkpoint()
    assert _checkpoint_file.read_text().splitlines() == [line, second]
    recorded = AuditEvent.objects.filter(action="audit.checkpoint").order_by("id").first()
    assert recorded.data == {"event_id": events[-1].pk, "count": earlier + 4, "head": match[4]}


def test_verify_reports_the_checkpoint_it_matched(capsys):
    earlier = AuditEvent.objects.count()
    events = _record_some(2)
    _checkpoint()
    capsys.readouterr()
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert f"Audit chain intact: {earlier + 3} event(s) verified" in out
    assert "matches the checkpoint of" in out and f"(event {events[-1].pk}, {earlier + 2} event(s))" in out


def test_deleting_the_tail_after_a_checkpoint_is_reported():
    earlier = AuditEvent.objects.count()
    events = _record_some(5)
    _checkpoint()  # covers the five; records a sixth event, audit.checkpoint
    later = _record_some(2)
    # Cut the chain back to the third event and point the head at it: the chain alone looks whole.
    with _as_table_owner(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id > %s", [events[2].pk])
    AuditChainHead.objects.filter(pk=1).update(last_event_id=events[2].pk, last_hash=events[2].hash)
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in later]).exists()
    assert audit.verify_chain() == (earlier + 3, None)

    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    message = str(excinfo.value)
    assert f"Audit chain broken at event {events[4].pk}" in message
    assert f"missing: the chain was cut back to {earlier + 3} event(s) after {earlier + 5} had been checkpointed" in (
        message
    )


def test_replacing_the_checkpointed_event_is_reported(settings):
    events = _record_some(3)
    _checkpoint()
    # Someone holding the key re-seals a rewritten chain of the same length: the checkpoint differs.
    with _as_table_owner(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET target_label = %s WHERE id = %s", ["rewritten", events[1].pk])
    _reseal_by_hand(events[1].pk, lambda content: hmac.new(_key(), content, hashlib.sha256).hexdigest())
    assert audit.verify_chain()[1] is None
    with pytest.raises(CommandError, match=f"broken at event {events[2].pk}: it is not the event the checkpoint"):
        call_command("audit_verify")


def test_an_altered_checkpoint_line_is_refused(_checkpoint_file):
    _record_some(2)
    line = _checkpoint()
    count = int(re.search(r"count=(\d+)", line)[1])
    _checkpoint_file.write_text(line.replace(f"count={count}", f"count={count - 1}") + "\n")
    with pytest.raises(CommandError, match="line 1 of .*: its signature does not match"):
        call_command("audit_verify")


def test_no_checkpoint_is_written_for_a_broken_chain(_checkpoint_file):
    events = _record_some(3)
    with _as_table_owner(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["complaint.created", events[1].pk])
    with pytest.raises(CommandError, match=f"No checkpoint written: the audit chain is broken at event {events[1].pk}"):
        call_command("audit_checkpoint")
    assert not _checkpoint_file.exists()
    assert not AuditEvent.objects.filter(action="audit.checkpoint").exists()


# --- PostgreSQL: the table refuses rewrites; verification reads one snapshot ---------------------


@pytest.mark.postgres
def test_the_applications_connection_cannot_update_or_delete_an_audit_row():
    event = _record_some(1)[0]
    for statement, params in [
        (f"UPDATE {TABLE} SET target_label = %s WHERE id = %s", ["edited", event.pk]),
        (f"UPDATE {TABLE} SET hash = %s WHERE id = %s", ["f" * 64, event.pk]),
        (f"DELETE FROM {TABLE} WHERE id = %s", [event.pk]),
    ]:
        with (
            pytest.raises(DatabaseError, match="audit events are append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, params)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    # pgtrigger's per-session switch does not open this trigger.
    trigger_name = AuditEvent._meta.triggers[0].get_pgid(AuditEvent)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL pgtrigger.ignore = '{{{trigger_name}}}'")
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).target_label == event.target_label


@pytest.mark.postgres
def test_deleting_a_user_still_works_and_only_clears_the_actor_link(supervisor):
    dana = UserFactory(username="dana")
    with acting_as(dana, ip="198.51.100.9"):
        event = audit.record("roster.imported", target_label="roster")
    # Pointing an event at someone else is a rewrite like any other.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor=supervisor)
    dana.delete()
    event.refresh_from_db()
    assert (event.actor_id, event.actor_username, event.ip) == (None, "dana", "198.51.100.9")
    assert audit.verify_chain()[1] is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verify_never_false_alarms_beside_eight_concurrent_writers():
    audit.record("roster.imported", target_label="before the writers")
    _checkpoint()
    stop = threading.Event()
    errors: list[BaseException] = []
    written = [0] * 8

    def writer(n: int) -> None:
        try:
            while not stop.is_set():
                # A service transaction: the event and the work around it commit together.
                with transaction.atomic():
                    audit.record("complaint.viewed", target_label=f"writer {n}", data={"n": n})
                    AgencyFactory()
                written[n] += 1
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    outputs = []
    try:
        for _ in range(20):
            out = StringIO()
            call_command("audit_verify", stdout=out)
            outputs.append(out.getvalue())
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert all("Audit chain intact" in output for output in outputs)
    counts = [int(re.search(r"intact: (\d+) event", output)[1]) for output in outputs]
    assert counts == sorted(counts) and counts[-1] > counts[0], "the writers did not write while verifying"
    assert min(written) > 0
    call_command("audit_verify", stdout=StringIO())
