from django.db import migrations


def seed(apps, schema_editor):
    from investigations.early_intervention.defaults import seed_default_rules

    seed_default_rules(
        apps.get_model("early_intervention", "Threshold"),
        apps.get_model("early_intervention", "ThresholdVersion"),
        apps.get_model("complaints", "AllegationCategory"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("early_intervention", "0001_rules_flags_and_evaluations"),
        ("complaints", "0002_seed_taxonomy"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
