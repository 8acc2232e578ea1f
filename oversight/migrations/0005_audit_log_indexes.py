"""Indexes for the audit log page: the list newest first, whole or filtered by action, by actor or
by tracking number (the target's label), each read as one range of one index.

The audit table takes a write on almost every staff request, so on PostgreSQL the indexes are built
with ``CREATE INDEX CONCURRENTLY``, which does not block those writes while a large table is read
(hence a migration outside a transaction). Elsewhere they are built the ordinary way.
"""

from django.conf import settings
from django.db import migrations, models


class AddIndexWithoutBlockingWrites(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("oversight", "0004_audit_events_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWithoutBlockingWrites(
            model_name="auditevent",
            index=models.Index(fields=["occurred_at", "id"], name="audit_log_time_idx"),
        ),
        AddIndexWithoutBlockingWrites(
            model_name="auditevent",
            index=models.Index(fields=["action", "occurred_at", "id"], name="audit_log_action_idx"),
        ),
        AddIndexWithoutBlockingWrites(
            model_name="auditevent",
            index=models.Index(fields=["actor_username", "occurred_at", "id"], name="audit_log_actor_idx"),
        ),
        AddIndexWithoutBlockingWrites(
            model_name="auditevent",
            index=models.Index(fields=["target_label", "occurred_at", "id"], name="audit_log_label_idx"),
        ),
    ]
