from django.db import migrations, models

# Files stored before scanning existed were never scanned: they keep being downloadable, marked
# "not scanned", and the periodic retry job scans them once a scanner is configured. New files
# start pending (the model default).
SCAN_STATE_CHOICES = [('pending', 'Waiting for virus scan'), ('clean', 'Virus scan: clean'), ('infected', 'Infected: quarantined'), ('not_scanned', 'Not scanned for viruses'), ('error', 'Virus scan failed: will retry')]


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0008_status_counts'),
    ]

    operations = [
        migrations.AddField(
            model_name='attachment',
            name='scan_attempts',
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='scan attempts'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='scan_signature',
            field=models.CharField(blank=True, editable=False, help_text='The virus found, or why the scan failed.', max_length=200, verbose_name='scan finding'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='scan_state',
            field=models.CharField(choices=SCAN_STATE_CHOICES, default='not_scanned', editable=False, max_length=16, verbose_name='virus scan'),
        ),
        migrations.AddField(
            model_name='attachment',
            name='scanned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last scanned'),
        ),
        migrations.AddField(
            model_name='historicalattachment',
            name='scan_attempts',
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='scan attempts'),
        ),
        migrations.AddField(
            model_name='historicalattachment',
            name='scan_signature',
            field=models.CharField(blank=True, editable=False, help_text='The virus found, or why the scan failed.', max_length=200, verbose_name='scan finding'),
        ),
        migrations.AddField(
            model_name='historicalattachment',
            name='scan_state',
            field=models.CharField(choices=SCAN_STATE_CHOICES, default='not_scanned', editable=False, max_length=16, verbose_name='virus scan'),
        ),
        migrations.AddField(
            model_name='historicalattachment',
            name='scanned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last scanned'),
        ),
        migrations.AlterField(
            model_name='attachment',
            name='scan_state',
            field=models.CharField(choices=SCAN_STATE_CHOICES, default='pending', editable=False, max_length=16, verbose_name='virus scan'),
        ),
        migrations.AlterField(
            model_name='historicalattachment',
            name='scan_state',
            field=models.CharField(choices=SCAN_STATE_CHOICES, default='pending', editable=False, max_length=16, verbose_name='virus scan'),
        ),
        migrations.AddIndex(
            model_name='attachment',
            index=models.Index(condition=models.Q(('scan_state__in', ['pending', 'error', 'not_scanned'])), fields=['scan_state'], name='attachment_scan_due'),
        ),
    ]
