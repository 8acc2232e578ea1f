"""Complaint counts by status, kept exact by database triggers.

The dashboard and the case list show how many complaints are in each status. Counting them with
``GROUP BY status`` reads every complaint on every page load; instead one row per status holds the
count, and triggers on ``complaints_complaint`` adjust it in the same transaction as every insert,
status change and delete, whoever writes (services, ``QuerySet.update``, ``bulk_create`` in the demo
seeding, the admin, raw SQL). Existing complaints are counted once here.

PostgreSQL uses statement-level triggers with transition tables, so a bulk insert of a thousand
rows adjusts each status row once rather than a thousand times; TRUNCATE empties the counts. SQLite
has only row-level triggers.
"""

from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION complaints_status_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Net change per status: -1 for each old row, +1 for each new one. Rows whose status
        -- did not change cancel out. Status order fixes the order rows are locked in.
        INSERT INTO complaints_status_count (status, total)
        SELECT status, SUM(delta) FROM (
            SELECT status, 1 AS delta FROM new_rows
            UNION ALL
            SELECT status, -1 AS delta FROM old_rows
        ) AS moves
        GROUP BY status HAVING SUM(delta) <> 0 ORDER BY status
        ON CONFLICT (status) DO UPDATE SET total = complaints_status_count.total + EXCLUDED.total;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION complaints_status_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO complaints_status_count (status, total)
        SELECT status, COUNT(*) FROM new_rows GROUP BY status ORDER BY status
        ON CONFLICT (status) DO UPDATE SET total = complaints_status_count.total + EXCLUDED.total;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION complaints_status_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Only ever lowers an existing row: a count already gone stays gone, never negative.
        UPDATE complaints_status_count SET total = complaints_status_count.total - gone.n
        FROM (SELECT status, COUNT(*) AS n FROM old_rows GROUP BY status) AS gone
        WHERE complaints_status_count.status = gone.status;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION complaints_status_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM complaints_status_count;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER complaints_status_count_insert AFTER INSERT ON complaints_complaint
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaints_status_count_insert()
    """,
    """
    CREATE TRIGGER complaints_status_count_update AFTER UPDATE ON complaints_complaint
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION complaints_status_count_update()
    """,
    """
    CREATE TRIGGER complaints_status_count_delete AFTER DELETE ON complaints_complaint
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION complaints_status_count_delete()
    """,
    """
    CREATE TRIGGER complaints_status_count_truncate AFTER TRUNCATE ON complaints_complaint
    FOR EACH STATEMENT EXECUTE FUNCTION complaints_status_count_truncate()
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS complaints_status_count_{event} ON complaints_complaint"
    for event in ("insert", "update", "delete", "truncate")
] + [f"DROP FUNCTION IF EXISTS complaints_status_count_{name}()" for name in ("insert", "update", "delete", "truncate")]

SQLITE = [
    """
    CREATE TRIGGER complaints_status_count_insert AFTER INSERT ON complaints_complaint
    BEGIN
        INSERT INTO complaints_status_count (status, total) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET total = total + 1;
    END
    """,
    """
    CREATE TRIGGER complaints_status_count_update AFTER UPDATE OF status ON complaints_complaint
    WHEN OLD.status IS NOT NEW.status
    BEGIN
        UPDATE complaints_status_count SET total = total - 1 WHERE status = OLD.status;
        INSERT INTO complaints_status_count (status, total) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET total = total + 1;
    END
    """,
    """
    CREATE TRIGGER complaints_status_count_delete AFTER DELETE ON complaints_complaint
    BEGIN
        UPDATE complaints_status_count SET total = total - 1 WHERE status = OLD.status;
    END
    """,
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS complaints_status_count_{event}" for event in ("insert", "update", "delete")]

BACKFILL = [
    "DELETE FROM complaints_status_count",
    "INSERT INTO complaints_status_count (status, total) "
    "SELECT status, COUNT(*) FROM complaints_complaint GROUP BY status",
]


def _statements(schema_editor, *, install: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return POSTGRESQL if install else POSTGRESQL_DROP
    if vendor == "sqlite":
        return SQLITE if install else SQLITE_DROP
    raise NotImplementedError(f"Complaint status counts have no triggers for {vendor}.")


def install(apps, schema_editor):
    # Triggers first, then the count: on PostgreSQL, CREATE TRIGGER holds off other writers until
    # this transaction commits, so no complaint is missed or counted twice.
    for sql in _statements(schema_editor, install=True) + BACKFILL:
        schema_editor.execute(sql)


def uninstall(apps, schema_editor):
    for sql in _statements(schema_editor, install=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0007_complaint_object_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplaintStatusCount",
            fields=[
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("in_triage", "In triage"),
                            ("in_mediation", "In mediation"),
                            ("mediated", "Mediated"),
                            ("referred", "Referred to another agency"),
                            ("administratively_closed", "Administratively closed"),
                            ("under_investigation", "Under investigation"),
                            ("findings_proposed", "Findings proposed"),
                            ("board_review", "Board review"),
                            ("decided", "Decided"),
                            ("closed", "Closed"),
                        ],
                        editable=False,
                        max_length=32,
                        primary_key=True,
                        serialize=False,
                        verbose_name="status",
                    ),
                ),
                ("total", models.BigIntegerField(default=0, editable=False, verbose_name="complaints")),
            ],
            options={
                "verbose_name": "complaint count by status",
                "verbose_name_plural": "complaint counts by status",
                "db_table": "complaints_status_count",
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
