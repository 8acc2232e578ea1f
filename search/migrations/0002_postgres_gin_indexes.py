"""GIN indexes on the search vectors, on PostgreSQL only (SQLite searches the ``*_terms`` columns).

Not declared in the models' ``Meta.indexes``: a GIN index cannot be created on SQLite."""

from django.db import migrations

INDEXES = (
    ("search_caseentry_open_gin", "search_caseentry", "open_vector"),
    ("search_caseentry_full_gin", "search_caseentry", "full_vector"),
    ("search_dispositionentry_gin", "search_dispositionentry", "vector"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
