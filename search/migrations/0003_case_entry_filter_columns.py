"""Case entries keep copies of the case's status, district and year received.

On PostgreSQL each case vector's GIN index is replaced by one over the vector and those three
columns (the ``btree_gin`` extension, a trusted extension since PostgreSQL 13: the database's owner
may create it), so a search with words and filters intersects them inside the index instead of
reading every case that has the words. Existing entries are filled in from their cases here; the
indexer keeps them current from then on.
"""

from django.conf import settings
from django.db import migrations, models

OLD_INDEXES = (
    ("search_caseentry_open_gin", "open_vector"),
    ("search_caseentry_full_gin", "full_vector"),
)
NEW_INDEXES = (
    ("search_caseentry_open_filters_gin", "open_vector"),
    ("search_caseentry_full_filters_gin", "full_vector"),
)
FILTERS = "status, district_id, received_year"


def fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_caseentry AS e SET status = c.status, district_id = c.district_id,"
                " received_year = EXTRACT(YEAR FROM c.received_at AT TIME ZONE %s)"
                " FROM complaints_complaint AS c WHERE c.id = e.complaint_id",
                [settings.TIME_ZONE],
            )
            cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
            for name, _column in OLD_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")  # noqa: S608  # nosec B608
            for name, column in NEW_INDEXES:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON search_caseentry USING gin ({column}, {FILTERS})"  # noqa: S608  # nosec B608
                )
        return
    from django.utils import timezone

    CaseEntry = apps.get_model("search", "CaseEntry")
    Complaint = apps.get_model("complaints", "Complaint")
    entries = CaseEntry.objects.order_by("complaint_id").values_list("complaint_id", flat=True)
    ids = list(entries)
    for start in range(0, len(ids), 2000):
        batch = ids[start : start + 2000]
        cases = Complaint.objects.filter(pk__in=batch).values_list("pk", "status", "district_id", "received_at")
        CaseEntry.objects.bulk_update(
            [
                CaseEntry(
                    complaint_id=pk,
                    status=status,
                    district_id=district_id,
                    received_year=timezone.localtime(received_at).year if received_at else None,
                )
                for pk, status, district_id, received_at in cases
            ],
            ["status", "district_id", "received_year"],
        )


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _column in NEW_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")  # noqa: S608  # nosec B608
        for name, column in OLD_INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON search_caseentry USING gin ({column})")  # noqa: S608  # nosec B608


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_postgres_gin_indexes"),
        ("complaints", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseentry",
            name="district_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="caseentry",
            name="received_year",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="caseentry",
            name="status",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.RunPython(fill, unfill, elidable=False),
    ]
