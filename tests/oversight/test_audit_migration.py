"""Migration ``oversight.0003`` removes public visitors' addresses and re-seals the chain under the key.

The database is taken back to the last migration before it, rows are written as the application
wrote them then (every client's address in audit events and history rows, the chain sealed with
unkeyed SHA-256), and the database is migrated forward again.
"""

import hashlib
import hmac
import json
from datetime import UTC

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_OVERSIGHT = ("oversight", "0002_sent_notifications")
GENESIS = "0" * 64


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor = MigrationExecutor(connection)
    # An app taken back to before its first migration, ``(app, None)``, has no state node.
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _before():
    """Oversight before the migration; every other app at its latest migration that does not need
    a later oversight one (a target that did would be unapplied by the way back and, being
    recorded as a target, never applied again: its tables would be missing for later tests)."""
    graph = MigrationExecutor(connection).loader.graph
    later = {node for node in graph.nodes if node[0] == "oversight" and node[1] > BEFORE_OVERSIGHT[1]}
    targets = [BEFORE_OVERSIGHT]
    for app, name in _latest():
        if app == "oversight":
            continue
        node = (app, name)
        while node is not None and later & set(graph.forwards_plan(node)):
            parents = [parent for parent in graph.node_map[node].parents if parent[0] == app]
            node = parents[0] if parents else None
        targets.append(node or (app, None))
    return targets


@pytest.fixture(autouse=True)
def _back_to_latest():
    """Whatever a test leaves, the database ends at the latest migrations: an app taken back before
    its first migration (one that needs a later oversight migration) has its tables again for the
    tests that run after these in the same process."""
    yield
    _migrate(_latest())


def _canonical(event) -> bytes:
    content = {
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_username": event.actor_username,
        "ip": event.ip,
        "request_id": event.request_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "outcome": event.outcome,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _seed_old(apps):
    """Events and history rows as the release before wrote them: every client's address kept."""
    User = apps.get_model("auth", "User")
    Event = apps.get_model("oversight", "AuditEvent")
    Head = apps.get_model("oversight", "AuditChainHead")
    staff = User.objects.create(username="mig_staff")
    head = Head.objects.filter(pk=1).first()
    prev = head.last_hash if head else GENESIS
    ids = {}
    for name, actor, username, ip, action in [
        ("staff", staff, "mig_staff", "198.51.100.10", "auth.login"),
        ("filed", None, "", "203.0.113.77", "complaint.submitted"),
        ("looked_up", None, "", "203.0.113.78", "status.looked_up"),
        ("former_staff", None, "mig_gone", "198.51.100.11", "complaint.viewed"),
        ("no_address", None, "", None, "intake.spam_blocked"),
    ]:
        event = Event(
            occurred_at=timezone.now(),
            actor=actor,
            actor_username=username,
            ip=ip,
            request_id=f"req-{name}",
            action=action,
            target_label=f"target {name}",
            outcome="success",
            data={"name": name},
            prev_hash=prev,
        )
        event.hash = hashlib.sha256(_canonical(event)).hexdigest()
        event.save()
        prev, ids[name] = event.hash, event.pk
    Head.objects.update_or_create(pk=1, defaults={"last_event_id": ids["no_address"], "last_hash": prev})

    now = timezone.now()
    HistoricalAgency = apps.get_model("oversight", "HistoricalAgency")
    for name, user, ip in [("public", None, "203.0.113.79"), ("staff", staff, "198.51.100.12")]:
        HistoricalAgency.objects.create(
            id=1,
            name=f"Harbor Police {name}",
            created_at=now,
            updated_at=now,
            history_date=now,
            history_type="~",
            history_user=user,
            history_ip=ip,
        )
    HistoricalComplaint = apps.get_model("complaints", "HistoricalComplaint")
    HistoricalComplaint.objects.create(
        id=1,
        tracking_number="MIG-2026-00001",
        created_at=now,
        updated_at=now,
        received_at=now,
        narrative="Filed from the public form.",
        status="received",
        status_changed_at=now,
        history_date=now,
        history_type="+",
        history_user=None,
        history_ip="203.0.113.80",
        history_request_id="req-hist",
    )
    return ids, prev


@pytest.mark.django_db(transaction=True)
def test_the_migration_removes_public_addresses_keeps_staff_ones_and_reseals_a_chain_that_verifies(
    settings, tmp_path, capsys
):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit_checkpoints"
    old = _migrate(_before())
    count_before = old.get_model("oversight", "AuditEvent").objects.count()
    ids, old_head = _seed_old(old)

    new = _migrate(_latest())
    Event = new.get_model("oversight", "AuditEvent")
    addresses = dict(Event.objects.filter(pk__in=ids.values()).values_list("pk", "ip"))
    assert addresses == {
        ids["staff"]: "198.51.100.10",
        ids["filed"]: None,
        ids["looked_up"]: None,
        ids["former_staff"]: "198.51.100.11",  # a deleted staff member's action keeps its address
        ids["no_address"]: None,
    }
    agency_rows = dict(new.get_model("oversight", "HistoricalAgency").objects.values_list("name", "history_ip"))
    assert agency_rows == {"Harbor Police public": None, "Harbor Police staff": "198.51.100.12"}
    complaint_row = new.get_model("complaints", "HistoricalComplaint").objects.get()
    assert (complaint_row.history_ip, complaint_row.history_request_id) == (None, "req-hist")

    scrubbed = Event.objects.get(action="privacy.scrubbed")
    assert scrubbed.data == {
        "audit_events": 2,
        "history_rows": 2,
        "history_rows_by_model": {"complaints.historicalcomplaint": 1, "oversight.historicalagency": 1},
    }
    resealed = Event.objects.filter(action="audit.resealed").latest("id")
    assert resealed.data["previous_chain"] == "intact"
    assert resealed.data["checkpoint"] == {"event_id": ids["no_address"], "head": old_head, "count": count_before + 5}
    assert resealed.data["events_resealed"] == count_before + 5
    assert resealed.pk > scrubbed.pk > ids["no_address"]
    assert "203.0.113" not in str(list(Event.objects.values()))

    # Sealed under the key now: by hand, and by the command.
    first = Event.objects.order_by("id").first()
    assert first.prev_hash == GENESIS
    assert first.hash == hmac.new(settings.AUDIT_KEY.encode(), _canonical(first), hashlib.sha256).hexdigest()
    call_command("audit_verify")
    assert "Audit chain intact" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_reversing_it_reseals_the_chain_the_old_way_and_keeps_the_addresses_removed():
    old = _migrate(_before())
    ids, _old_head = _seed_old(old)
    _migrate(_latest())

    back = _migrate(_before())
    events = list(back.get_model("oversight", "AuditEvent").objects.order_by("id"))
    prev = GENESIS
    for event in events:
        assert event.prev_hash == prev
        assert event.hash == hashlib.sha256(_canonical(event)).hexdigest()
        prev = event.hash
    assert back.get_model("oversight", "AuditChainHead").objects.get().last_hash == prev
    assert events[-1].action == "audit.resealed" and events[-1].data["scheme"] == "sha256"
    assert {e.pk: e.ip for e in events if e.pk in (ids["filed"], ids["looked_up"])} == {
        ids["filed"]: None,
        ids["looked_up"]: None,
    }
