"""Police employees' reports (the whistleblower channel, docs/whistleblower.md): the employee's
relationship to the department, the retaliation flag, the unit and the retaliation detail on the
complaint; the employee reporter's party role; the permission to see who reported.

On SQLite, adding a column that is not nullable rebuilds the complaints table, and a rebuilt table
has lost the triggers that keep the status counts (``0008_status_counts``): they are put back, and
the counts taken again, at the end. PostgreSQL adds the columns in place and keeps its triggers.
"""

import importlib

from django.db import migrations, models

status_counts = importlib.import_module("complaints.migrations.0008_status_counts")


def reinstall_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in status_counts.SQLITE_DROP + status_counts.SQLITE + status_counts.BACKFILL:
        schema_editor.execute(sql)


def relationship_field():
    return models.CharField(
        blank=True,
        choices=[
            ("sworn", "Sworn officer"),
            ("civilian", "Civilian employee"),
            ("former", "Former employee"),
            ("contractor", "Contractor"),
            ("undisclosed", "Prefers not to say"),
        ],
        editable=False,
        help_text="Empty unless a police employee filed the report.",
        max_length=16,
        verbose_name="police employee's relationship to the department",
    )


def retaliation_field():
    return models.BooleanField(default=False, editable=False, verbose_name="retaliation concern")


def role_field():
    return models.CharField(
        choices=[
            ("complainant", "Complainant"),
            ("victim", "Person harmed"),
            ("witness", "Witness"),
            ("third_party", "Filing on someone's behalf"),
            ("employee", "Police employee reporting"),
        ],
        max_length=16,
        verbose_name="role",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0010_subject_officer_demographics_as_given"),
    ]

    operations = [
        # Undone last when migrating back (the columns' removal rebuilds the table too).
        migrations.RunPython(migrations.RunPython.noop, reinstall_sqlite_triggers),
        migrations.AlterModelOptions(
            name="complaint",
            options={
                "ordering": ["-received_at", "-id"],
                "permissions": [
                    ("view_all_complaints", "Can see every complaint"),
                    ("triage_complaint", "Can triage new complaints"),
                    ("assign_complaint", "Can assign investigators"),
                    ("view_personal_data", "Can see complainant and witness details"),
                    ("view_whistleblower_identity", "Can see who a police employee reporting is"),
                ],
                "verbose_name": "complaint",
                "verbose_name_plural": "complaints",
            },
        ),
        migrations.AddField(
            model_name="complaint",
            name="employee_relationship",
            field=relationship_field(),
        ),
        migrations.AddField(
            model_name="complaint",
            name="employee_unit",
            field=models.CharField(blank=True, editable=False, max_length=120, verbose_name="police employee's unit"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="retaliation_concern",
            field=retaliation_field(),
        ),
        migrations.AddField(
            model_name="complaint",
            name="retaliation_detail",
            field=models.TextField(
                blank=True, editable=False, verbose_name="retaliation concern, in the employee's words"
            ),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="employee_relationship",
            field=relationship_field(),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="retaliation_concern",
            field=retaliation_field(),
        ),
        migrations.AlterField(
            model_name="historicalparty",
            name="role",
            field=role_field(),
        ),
        migrations.AlterField(
            model_name="party",
            name="role",
            field=role_field(),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
    ]
