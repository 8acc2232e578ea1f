from django.db import migrations, models


def mark_stored_files_not_scanned(apps, schema_editor):
    # Files received before scanning existed were never scanned: they stay downloadable, marked
    # "not scanned", and the periodic retry job scans them once a scanner is configured. Items
    # without a file have no scan state.
    for name in ("EvidenceItem", "HistoricalEvidenceItem"):
        apps.get_model("investigations", name).objects.exclude(file="").update(scan_state="not_scanned")


class Migration(migrations.Migration):

    dependencies = [
        ('investigations', '0005_remove_decide_case_permission'),
    ]

    operations = [
        migrations.AddField(
            model_name='evidenceitem',
            name='scan_attempts',
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='scan attempts'),
        ),
        migrations.AddField(
            model_name='evidenceitem',
            name='scan_signature',
            field=models.CharField(blank=True, editable=False, help_text='The virus found, or why the scan failed.', max_length=200, verbose_name='scan finding'),
        ),
        migrations.AddField(
            model_name='evidenceitem',
            name='scan_state',
            field=models.CharField(blank=True, choices=[('pending', 'Waiting for virus scan'), ('clean', 'Virus scan: clean'), ('infected', 'Infected: quarantined'), ('not_scanned', 'Not scanned for viruses'), ('error', 'Virus scan failed: will retry')], default='', editable=False, max_length=16, verbose_name='virus scan'),
        ),
        migrations.AddField(
            model_name='evidenceitem',
            name='scanned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last scanned'),
        ),
        migrations.AddField(
            model_name='historicalevidenceitem',
            name='scan_attempts',
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='scan attempts'),
        ),
        migrations.AddField(
            model_name='historicalevidenceitem',
            name='scan_signature',
            field=models.CharField(blank=True, editable=False, help_text='The virus found, or why the scan failed.', max_length=200, verbose_name='scan finding'),
        ),
        migrations.AddField(
            model_name='historicalevidenceitem',
            name='scan_state',
            field=models.CharField(blank=True, choices=[('pending', 'Waiting for virus scan'), ('clean', 'Virus scan: clean'), ('infected', 'Infected: quarantined'), ('not_scanned', 'Not scanned for viruses'), ('error', 'Virus scan failed: will retry')], default='', editable=False, max_length=16, verbose_name='virus scan'),
        ),
        migrations.AddField(
            model_name='historicalevidenceitem',
            name='scanned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last scanned'),
        ),
        migrations.AddIndex(
            model_name='evidenceitem',
            index=models.Index(condition=models.Q(('scan_state__in', ['pending', 'error', 'not_scanned'])), fields=['scan_state'], name='evidence_scan_due'),
        ),
        migrations.RunPython(mark_stored_files_not_scanned, migrations.RunPython.noop),
    ]
