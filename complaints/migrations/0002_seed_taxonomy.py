from django.db import migrations


def seed(apps, schema_editor):
    from complaints.taxonomy import SEED

    Category = apps.get_model("complaints", "AllegationCategory")
    for order, (code, name, name_es, children) in enumerate(SEED, start=1):
        parent, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "translations": {"es": name_es}, "sort_order": order * 100}
        )
        for child_order, (child_code, child_name, child_es) in enumerate(children, start=1):
            Category.objects.get_or_create(
                code=child_code,
                defaults={
                    "name": child_name,
                    "parent": parent,
                    "translations": {"es": child_es},
                    "sort_order": order * 100 + child_order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
