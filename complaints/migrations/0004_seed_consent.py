from django.db import migrations


def seed(apps, schema_editor):
    from complaints.consent import seed_consent

    seed_consent(apps.get_model("complaints", "ConsentText"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_intake_consent_timeline")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
