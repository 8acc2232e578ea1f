# Each closed case's closing date and schedule, stored on its retention record (closings.py).

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

CLOSED = ("closed", "mediated", "referred", "administratively_closed")


def backfill(apps, schema_editor):
    """The same rule as ``closings.backfill_closings``, on this migration's models: the date of the
    last move into a closed status (else ``status_changed_at``) and whether any final disposition is
    sustained, for every closed case still kept."""
    Complaint = apps.get_model("complaints", "Complaint")
    StatusChange = apps.get_model("investigations", "StatusChange")
    Finding = apps.get_model("investigations", "Finding")
    RetentionRecord = apps.get_model("retention", "RetentionRecord")
    last_closing = Subquery(
        StatusChange.objects.filter(complaint=OuterRef("pk"), to_status__in=CLOSED)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    sustained = Exists(Finding.objects.filter(allegation__complaint=OuterRef("pk"), final_disposition="sustained"))
    cases = (
        Complaint.objects.filter(status__in=CLOSED)
        .exclude(Exists(RetentionRecord.objects.filter(complaint=OuterRef("pk"), status="destroyed")))
        .annotate(closed_at=Coalesce(last_closing, F("status_changed_at")), sustained=sustained)
        .order_by("pk")
    )
    with_record = set(RetentionRecord.objects.values_list("complaint_id", flat=True))
    now = timezone.now()
    last = 0
    while True:
        page = list(cases.filter(pk__gt=last).values_list("pk", "closed_at", "sustained")[:2000])
        if not page:
            break
        last = page[-1][0]
        new = []
        for complaint_id, closed_at, is_sustained in page:
            closed_on = timezone.localtime(closed_at).date()
            schedule = "sustained" if is_sustained else "not_sustained"
            if complaint_id in with_record:
                RetentionRecord.objects.filter(complaint_id=complaint_id, status="kept").update(
                    closed_on=closed_on, schedule=schedule
                )
            else:
                new.append(
                    RetentionRecord(
                        complaint_id=complaint_id,
                        status="kept",
                        closed_on=closed_on,
                        schedule=schedule,
                        created_at=now,
                        updated_at=now,
                    )
                )
        RetentionRecord.objects.bulk_create(new)


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0009_attachment_scan_state'),
        ('investigations', '0006_evidence_scan_state'),
        ('retention', '0001_legal_holds_and_retention_records'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='retentionrecord',
            index=models.Index(condition=models.Q(('closed_on__isnull', False), ('status', 'kept')), fields=['closed_on', 'complaint'], name='retention_closed_on_idx'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
