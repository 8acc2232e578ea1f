from django.db import migrations


def seed(apps, schema_editor):
    from complaints.taxonomy import seed_taxonomy

    seed_taxonomy(apps.get_model("complaints", "AllegationCategory"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
