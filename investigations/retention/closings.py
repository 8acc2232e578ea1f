"""Each closed case's closing date and schedule, kept on its retention record.

The due list asks "which closed cases closed more than N years ago?" of every closed case. Worked
out from the lifecycle's record of moves at read time, that question reads a subquery per closed
case, so the list grew with the archive. Instead, the complaint lifecycle writes the answer when
it is decided:

- every move into a closed status stores, on the case's ``RetentionRecord`` (created if missing),
  the local date of the move (``closed_on``) and the schedule that applies (``sustained`` when any
  allegation's final disposition is sustained, else ``not_sustained``);
- a reopening clears both: an open case is never due.

A final disposition cannot change while a case is closed (a board decision is recorded or
corrected only while the case is board review or decided), so the schedule stored at closing stays
true until the case reopens. The periods themselves are not stored: the due list compares
``closed_on`` with today minus each schedule's years, so changing ``RETENTION_YEARS_*`` takes effect
at once. ``backfill_closings`` fills the records of cases closed without the lifecycle (imported or
demo data) and is run by the migration that added this and by the demo's finisher.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from complaints.models import Allegation, Complaint
from investigations.models import Disposition, Finding, StatusChange
from oversight import bulk
from oversight.lifecycle import Lifecycle, MoveContext

from .models import RetentionRecord
from .schedule import CLOSED_STATUSES, local_date, schedule_for

R = RetentionRecord.Status


def _is_sustained(complaint_id: int) -> bool:
    return Finding.objects.filter(
        allegation__complaint_id=complaint_id, final_disposition=Disposition.SUSTAINED
    ).exists()


def store_closing(complaint: Complaint, *, closed_on: date, actor: Any = None) -> None:
    """Record on the case's retention record that it closed on ``closed_on``, with the schedule its
    final dispositions call for. Inside the closing move's transaction (the complaint row locked)."""
    schedule = schedule_for(_is_sustained(complaint.pk))
    updated = RetentionRecord.objects.filter(complaint=complaint, status=R.KEPT).update(
        closed_on=closed_on, schedule=schedule
    )
    if updated or RetentionRecord.objects.filter(complaint=complaint).exists():
        return
    try:
        with transaction.atomic():
            record = RetentionRecord(complaint=complaint, closed_on=closed_on, schedule=schedule)
            record._history_user = actor if getattr(actor, "is_authenticated", False) else None
            record.save()
    except IntegrityError:  # a hold placed at the same moment created it: store the closing on that one
        RetentionRecord.objects.filter(complaint=complaint, status=R.KEPT).update(
            closed_on=closed_on, schedule=schedule
        )


def _closed(ctx: MoveContext) -> None:
    """Effect of every move into a closed status."""
    if ctx.move.target in CLOSED_STATUSES:
        store_closing(ctx.obj, closed_on=local_date(ctx.now), actor=ctx.actor)


def _reopened(ctx: MoveContext) -> None:
    """Effect of every move out of a closed status: the period starts over at the next closing."""
    if ctx.source not in CLOSED_STATUSES or ctx.move.target in CLOSED_STATUSES:
        return
    RetentionRecord.objects.filter(complaint=ctx.obj, status=R.KEPT).update(closed_on=None, schedule="")


def register_on(lifecycle: Lifecycle) -> None:
    into = sorted({m.action for m in lifecycle.moves if m.target in CLOSED_STATUSES})
    out_of = sorted(
        {m.action for m in lifecycle.moves if m.source in CLOSED_STATUSES and m.target not in CLOSED_STATUSES}
    )
    if into:
        lifecycle.add_effect(*into, name="retention.closed_on", effect=_closed)
    if out_of:
        lifecycle.add_effect(*out_of, name="retention.reopened", effect=_reopened)
    entered_closed = [status for status in lifecycle.entries if status in CLOSED_STATUSES]
    if entered_closed:
        lifecycle.add_entry_effect(*entered_closed, name="retention.closed_on", effect=_entered_closed)


def _entered_closed(ids: list[int], actor: Any) -> None:
    """Cases an import brought into a closed status: their closing date (the date the import gave
    for the status) and schedule, on their retention records, created where missing."""
    rows = {
        pk: (closed_on, schedule)
        for pk, closed_on, schedule in _rows(
            _facts(Complaint.objects.filter(pk__in=ids)).values_list("pk", "closed_at", "sustained")
        )
    }
    existing = set(RetentionRecord.objects.filter(complaint_id__in=ids).values_list("complaint_id", flat=True))
    for pk in existing:
        closed_on, schedule = rows[pk]
        RetentionRecord.objects.filter(complaint_id=pk, status=R.KEPT).update(closed_on=closed_on, schedule=schedule)
    RetentionRecord.objects.bulk_create(
        [
            RetentionRecord(complaint_id=pk, closed_on=closed_on, schedule=schedule)
            for pk, (closed_on, schedule) in rows.items()
            if pk not in existing
        ],
        batch_size=1000,
    )


# --- Cases closed without the lifecycle --------------------------------------------------------------


def _facts(queryset) -> Any:
    last_closing = Subquery(
        StatusChange.objects.filter(complaint=OuterRef("pk"), to_status__in=CLOSED_STATUSES)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    sustained = Exists(
        Finding.objects.filter(allegation__complaint=OuterRef("pk"), final_disposition=Disposition.SUSTAINED)
    )
    return queryset.annotate(closed_at=Coalesce(last_closing, F("status_changed_at")), sustained=sustained)


def _rows(page: Iterable[tuple]) -> Iterable[tuple[int, date, str]]:
    for complaint_id, closed_at, sustained in page:
        yield complaint_id, local_date(closed_at), schedule_for(bool(sustained))


def _insert_missing_in_one_statement(missing: Any) -> int:
    """On PostgreSQL, the records of ``missing`` (closed cases with none) in one INSERT ... SELECT:
    the last move into a closed status and the cases with a sustained finding are each read in one
    pass, instead of two subqueries per case (minutes at a million closed cases). The same facts as
    ``_facts``: the last closing move, else the last status change; the local date; the schedule.
    Every other column takes its model default, as ``TableWriter`` gives it."""
    now = timezone.now()
    given = {"complaint_id", "closed_on", "schedule"}
    constants = []
    for field in RetentionRecord._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        value = (
            now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default()
        )
        constants.append((field.column, field.get_db_prep_save(value, connection)))
    ids_sql, ids_params = missing.values("pk").query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(column) for column in ["complaint_id", "closed_on", "schedule", *(c for c, _v in constants)]
    )
    placeholders = "".join(", %s" for _constant in constants)
    closed = list(CLOSED_STATUSES)
    # Only table and column names of the models and the ORM's compiled SQL are formatted in.
    sql = f"""
INSERT INTO {quote(RetentionRecord._meta.db_table)} ({columns})
SELECT m.pk, (COALESCE(l.closed_at, c.status_changed_at) AT TIME ZONE %s)::date,
  CASE WHEN s.complaint_id IS NULL THEN %s ELSE %s END{placeholders}
FROM ({ids_sql}) AS m
JOIN {quote(Complaint._meta.db_table)} AS c ON c.id = m.pk
LEFT JOIN (
  SELECT complaint_id, max(created_at) AS closed_at FROM {quote(StatusChange._meta.db_table)}
  WHERE to_status = ANY(%s) GROUP BY complaint_id
) AS l ON l.complaint_id = m.pk
LEFT JOIN (
  SELECT DISTINCT a.complaint_id FROM {quote(Finding._meta.db_table)} AS f
  JOIN {quote(Allegation._meta.db_table)} AS a ON a.id = f.allegation_id
  WHERE f.final_disposition = %s
) AS s ON s.complaint_id = m.pk"""  # noqa: S608  # nosec B608
    params = [
        str(timezone.get_current_timezone()),
        schedule_for(False),
        schedule_for(True),
        *(value for _c, value in constants),
        *ids_params,
        closed,
        Disposition.SUSTAINED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def backfill_closings(*, page_size: int = 5000) -> dict[str, int]:
    """Store the closing date and schedule of every closed, kept case that lacks them, and clear them
    on open cases that still carry them. Returns how many records were created, updated and cleared.
    A range of complaint ids at a time, so memory stays flat at a million cases."""
    cleared = (
        RetentionRecord.objects.filter(status=R.KEPT, closed_on__isnull=False)
        .exclude(complaint__status__in=CLOSED_STATUSES)
        .update(closed_on=None, schedule="")
    )
    missing = Complaint.objects.filter(status__in=CLOSED_STATUSES).exclude(
        Exists(RetentionRecord.objects.filter(complaint=OuterRef("pk")))
    )
    created = 0
    if connection.vendor == "postgresql":
        created = _insert_missing_in_one_statement(missing)
    else:
        with bulk.TableWriter(RetentionRecord, ["complaint_id", "closed_on", "schedule"]) as writer:
            for page in bulk.pages(_facts(missing), ["pk", "closed_at", "sustained"], size=page_size):
                for row in _rows(page):
                    writer.add(row)
                    created += 1
    updated = 0
    stale = Complaint.objects.filter(
        status__in=CLOSED_STATUSES, retention_record__status=R.KEPT, retention_record__closed_on__isnull=True
    )
    for page in bulk.pages(_facts(stale), ["pk", "closed_at", "sustained"], size=page_size):
        for complaint_id, closed_on, schedule in _rows(page):
            updated += RetentionRecord.objects.filter(complaint_id=complaint_id, status=R.KEPT).update(
                closed_on=closed_on, schedule=schedule
            )
    return {"created": created, "updated": updated, "cleared": cleared}
