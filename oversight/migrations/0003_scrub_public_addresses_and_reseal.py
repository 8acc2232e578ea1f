"""Public visitors' network addresses removed; the audit chain re-sealed under AUDIT_KEY.

Until this release the request context carried every client's address, so audit events without a
staff actor and history rows without a user may hold a public visitor's IP. This migration:

1. verifies the chain as it stands, under the unkeyed SHA-256 scheme it was sealed with, and takes
   its head (hash and event count) as the checkpoint the re-seal starts from;
2. removes the address from every audit event that has no actor (no username snapshot: a public
   visitor, a failed sign-in) and from every history row with no user, in every historical model
   the app registry holds; staff members' addresses stay;
3. re-seals every event, oldest first, under HMAC-SHA256 with AUDIT_KEY (the addresses are part of
   what is sealed, and the scheme changes anyway);
4. records ``privacy.scrubbed`` (counts only) and ``audit.resealed`` (the checkpoint it started
   from, whether the old chain verified, the events re-sealed), sealed under the key.

A database with no audit event yet (a new installation) is left as it is. It runs before the
append-only trigger of 0004 is installed. Reversing re-seals the chain under the unkeyed scheme for
the release before; the removed addresses stay removed.
"""

from django.db import migrations
from django.utils import timezone

from oversight import audit

DEPENDENCIES_WITH_HISTORY = [
    ("complaints", "0008_status_counts"),
    ("investigations", "0005_remove_decide_case_permission"),
    ("board", "0002_department_response_awaited_index"),
]


def _historical_models(apps):
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        if {"history_ip", "history_user"} <= names:
            yield model


def _sealed_either_way(event):
    # Events written by this release before the migration ran are sealed under the key already.
    keyed = audit.compute_hash(event)
    return keyed if event.hash == keyed else audit.legacy_hash(event)


def scrub_and_reseal(apps, schema_editor):
    AuditEvent = apps.get_model("oversight", "AuditEvent")
    AuditChainHead = apps.get_model("oversight", "AuditChainHead")
    if not AuditEvent.objects.exists():
        return
    before = audit.walk(AuditEvent, AuditChainHead, seal=_sealed_either_way)
    if before.broken is None:
        old_chain = "intact"
    else:
        old_chain = f"broken at event {before.broken.event_id}: {before.broken.reason}"
    old_head = AuditChainHead.objects.filter(pk=1).first()
    old_count = AuditEvent.objects.count()

    events_scrubbed = AuditEvent.objects.filter(actor_username="", ip__isnull=False).update(ip=None)
    history_scrubbed = {}
    for model in _historical_models(apps):
        count = model.objects.filter(history_user__isnull=True, history_ip__isnull=False).update(history_ip=None)
        if count:
            history_scrubbed[model._meta.label_lower] = count

    resealed = audit.reseal(AuditEvent, AuditChainHead)
    audit.append_event(
        AuditEvent,
        AuditChainHead,
        occurred_at=timezone.now(),
        action="privacy.scrubbed",
        target_label="public visitors' network addresses",
        data={
            "audit_events": events_scrubbed,
            "history_rows": sum(history_scrubbed.values()),
            "history_rows_by_model": history_scrubbed,
        },
    )
    audit.append_event(
        AuditEvent,
        AuditChainHead,
        occurred_at=timezone.now(),
        action="audit.resealed",
        target_label="audit chain",
        data={
            "reason": "addresses of public visitors removed; chain sealed under AUDIT_KEY",
            "scheme": "hmac-sha256",
            "previous_scheme": "sha256",
            "checkpoint": {
                "event_id": old_head.last_event_id if old_head else None,
                "head": old_head.last_hash if old_head else audit.GENESIS_HASH,
                "count": old_count,
            },
            "previous_chain": old_chain,
            "events_resealed": resealed,
        },
    )


def reseal_unkeyed(apps, schema_editor):
    AuditEvent = apps.get_model("oversight", "AuditEvent")
    AuditChainHead = apps.get_model("oversight", "AuditChainHead")
    if not AuditEvent.objects.exists():
        return
    count = AuditEvent.objects.count()
    audit.append_event(
        AuditEvent,
        AuditChainHead,
        occurred_at=timezone.now(),
        action="audit.resealed",
        target_label="audit chain",
        data={
            "reason": "migration 0003 reversed",
            "scheme": "sha256",
            "previous_scheme": "hmac-sha256",
            "events_resealed": count + 1,
        },
    )
    audit.reseal(AuditEvent, AuditChainHead, seal=audit.legacy_hash)


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0002_sent_notifications"),
        *DEPENDENCIES_WITH_HISTORY,
    ]

    operations = [
        migrations.RunPython(scrub_and_reseal, reseal_unkeyed, elidable=False),
    ]
