"""Complaint grants move to guardian's direct foreign-key tables.

Creates ``ComplaintUserObjectPermission`` and ``ComplaintGroupObjectPermission``, then moves every
generic guardian row whose content type is the complaint into them, in one set-based statement
per table (the join compares ``object_pk`` with the complaint id as text, so a stray non-numeric
``object_pk`` is skipped rather than failing a cast), and deletes the generic rows it copied.
Generic rows pointing at complaints that no longer exist stay where they are: they grant nothing.
Reversing copies the direct rows back into the generic tables before the direct tables go.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _tables(apps, schema_editor):
    quote = schema_editor.quote_name
    content_type = (
        apps.get_model("contenttypes", "ContentType").objects.filter(app_label="complaints", model="complaint").first()
    )
    pairs = [
        (apps.get_model("guardian", generic)._meta.db_table, apps.get_model("complaints", direct)._meta.db_table, owner)
        for generic, direct, owner in (
            ("UserObjectPermission", "ComplaintUserObjectPermission", "user_id"),
            ("GroupObjectPermission", "ComplaintGroupObjectPermission", "group_id"),
        )
    ]
    complaints = quote(apps.get_model("complaints", "Complaint")._meta.db_table)
    return content_type, complaints, [(quote(g), quote(d), quote(o)) for g, d, o in pairs]


def generic_to_direct(apps, schema_editor):
    content_type, complaints, pairs = _tables(apps, schema_editor)
    if content_type is None:
        return  # a new database: no complaint was ever granted
    # Only table and column names are interpolated: quoted names from the models, never input.
    with schema_editor.connection.cursor() as cursor:
        for generic, direct, owner in pairs:
            cursor.execute(
                f"INSERT INTO {direct} ({owner}, permission_id, content_object_id) "  # noqa: S608  # nosec B608
                f"SELECT g.{owner}, g.permission_id, c.id FROM {generic} g "
                f"JOIN {complaints} c ON g.object_pk = CAST(c.id AS VARCHAR(255)) "
                "WHERE g.content_type_id = %s",
                [content_type.pk],
            )
            cursor.execute(
                f"DELETE FROM {generic} WHERE content_type_id = %s "  # noqa: S608  # nosec B608
                f"AND object_pk IN (SELECT CAST(c.id AS VARCHAR(255)) FROM {complaints} c)",
                [content_type.pk],
            )


def direct_to_generic(apps, schema_editor):
    content_type, _complaints, pairs = _tables(apps, schema_editor)
    if content_type is None:
        return
    with schema_editor.connection.cursor() as cursor:
        for generic, direct, owner in pairs:
            cursor.execute(
                f"INSERT INTO {generic} (content_type_id, object_pk, {owner}, permission_id) "  # noqa: S608  # nosec B608
                f"SELECT %s, CAST(d.content_object_id AS VARCHAR(255)), d.{owner}, d.permission_id FROM {direct} d "
                f"WHERE NOT EXISTS (SELECT 1 FROM {generic} g WHERE g.{owner} = d.{owner} "
                "AND g.permission_id = d.permission_id "
                "AND g.object_pk = CAST(d.content_object_id AS VARCHAR(255)))",
                [content_type.pk],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("complaints", "0006_intake_queue_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplaintGroupObjectPermission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "content_object",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="complaints.complaint"),
                ),
                ("group", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="auth.group")),
                ("permission", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="auth.permission")),
            ],
            options={
                "abstract": False,
                "unique_together": {("group", "permission", "content_object")},
            },
        ),
        migrations.CreateModel(
            name="ComplaintUserObjectPermission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "content_object",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="complaints.complaint"),
                ),
                ("permission", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="auth.permission")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "abstract": False,
                "unique_together": {("user", "permission", "content_object")},
            },
        ),
        migrations.RunPython(generic_to_direct, direct_to_generic, elidable=False),
    ]
