"""Demo data for the measures page: the moments its times are counted from.

The case-work seeder writes its assignments in bulk without a moment, so each takes the moment it
was written (every case would seem first assigned today, however old), and its subpoenas past
authorization without the moment they were issued or answered. This seeder, run after it, gives
them moments a real office would have: an assignment when its case was accepted (or a few days
after it came in), never after it ended; a subpoena issued a few days after it was authorized, and
for those answered, the answer recorded around their due date. Deterministic (a generator seeded
from the demo's seed, rows in id order); one page of rows at a time.
"""

import random
from datetime import datetime, time, timedelta

from django.db.models import Min

from oversight.bulk import pages
from oversight.demo import DemoContext, register

from ..models import InvestigatorAssignment, StatusChange, Subpoena, SubpoenaEvent
from .expressions import local_zone

SS = Subpoena.Status
ANSWERS = {
    SS.COMPLIED: [SS.COMPLIED],
    SS.PARTIALLY_COMPLIED: [SS.PARTIALLY_COMPLIED],
    SS.NOT_COMPLIED: [SS.NOT_COMPLIED],
    SS.ENFORCEMENT_REFERRED: [SS.NOT_COMPLIED, SS.ENFORCEMENT_REFERRED],
}
ISSUED = {SS.ISSUED, SS.SERVED, *ANSWERS}


@register("measures")
def seed_measures(ctx: DemoContext) -> None:
    # A generator of its own, so that the seeders after this one draw what they drew without it.
    rng = random.Random(f"measures-{ctx.seed}")
    # Whatever was written during this run without a moment of its own carries today's.
    since = datetime.combine(ctx.as_of, time.min, tzinfo=local_zone())
    # Nothing is dated later than the evening before the demo's day (so never in the future).
    latest = since - timedelta(hours=7)
    fields = ("pk", "investigation__complaint_id", "investigation__complaint__received_at", "ended_at")
    fixed = 0
    for page in pages(InvestigatorAssignment.objects.filter(assigned_at__gte=since), fields):
        if not page:
            continue
        accepted = dict(
            StatusChange.objects.filter(action="accept", complaint_id__in={row[1] for row in page})
            .values("complaint_id")
            .annotate(at=Min("created_at"))
            .values_list("complaint_id", "at")
        )
        changed = []
        for pk, complaint_id, received_at, ended_at in page:
            moment = accepted.get(complaint_id) or received_at + timedelta(
                days=rng.randint(1, 12), hours=rng.randint(1, 7)
            )
            moment = min(moment, ended_at or latest, latest)
            changed.append(InvestigatorAssignment(pk=pk, assigned_at=max(moment, received_at)))
        InvestigatorAssignment.objects.bulk_update(changed, ["assigned_at"], batch_size=1000)
        fixed += len(changed)
    answers = 0
    subpoenas = Subpoena.objects.filter(status__in=ISSUED, issued_at__isnull=True, authorized_at__isnull=False)
    for page in pages(subpoenas, ("pk", "status", "authorized_at", "due_date")):
        issued, events = [], []
        for pk, status, authorized_at, due_date in page:
            issued_at = min(authorized_at + timedelta(days=rng.randint(1, 5)), latest)
            issued.append(Subpoena(pk=pk, issued_at=issued_at))
            source = SS.SERVED
            answered = datetime.combine(due_date + timedelta(days=rng.randint(-10, 8)), time(11), tzinfo=local_zone())
            for target in ANSWERS.get(status, []):
                answered = min(max(answered, issued_at + timedelta(days=1)), latest)
                events.append(SubpoenaEvent(subpoena_id=pk, from_status=source, to_status=target, occurred_at=answered))
                source, answered = target, answered + timedelta(days=rng.randint(3, 20))
        Subpoena.objects.bulk_update(issued, ["issued_at"], batch_size=1000)
        SubpoenaEvent.objects.bulk_create(events, batch_size=1000)
        answers += len(events)
    ctx.count("subpoena answers", answers)
    ctx.count("assignments dated", fixed)
