"""The evaluation: every officer against every rule in force, one set-based query per rule.

Each rule is one SQL statement over the whole roster (two on SQLite for the peer rule), never a
query per officer. It returns the pairs behind every officer over the threshold: (officer,
complaint, allegations counted), and for the peer rule the group's value and size. Then the
results are written in one statement per table (``batch.py``): new flags, the cases behind them,
the open flags brought up to date, and their events. A run takes the same number of queries for
five officers or fifty thousand.

What counts (the same for every rule):

- officers on the roster in the active status; separated officers are not evaluated;
- complaints naming the officer as a subject linked to the roster, received in the rule's period
  (from ``window_months`` before the run's moment up to it; a finding rule without a period takes
  every complaint on record); a complaint closed as a duplicate of another does not count, the
  original does;
- never a complaint already behind a *closed* flag of the same rule for the same officer. A closed
  flag therefore stays closed, and the rule trips again only on complaints received or recorded
  since: that opens a new flag.

Idempotent: an officer over the threshold who already has an open flag (open or under review) for
the rule gets no second one (the database's unique constraint says so too); the open flag is
brought up to date instead: its latest count, and the complaints found since it opened are added
behind it, so the supervisor reviewing it sees them and closing it covers them.

The peer rule compares an officer's complaints in the period with the others of their peer group:
active officers of the same agency, unit and rank (officers with no unit or no rank on the roster
have no peer group). The group's value is the continuous percentile (``percentile_cont``:
interpolated between the two nearest officers) of every member's complaint count in the period,
officers with none included. An officer trips it with a count at or above that value and at least
the rule's ``count``, in a group of at least ``minimum_peers``. PostgreSQL works the percentile out
in the query; SQLite has no percentile function, so there one grouped query gives each officer's
counts and Python takes the same interpolation (``percentile_cont`` below), then a second query
reads the complaints behind the officers over it.
"""

import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from complaints.models import Allegation, AllegationCategory, Complaint, SubjectOfficer
from investigations.models import Finding
from oversight import audit
from oversight.models import Officer

from . import batch, rules
from .models import EvaluationRun, Flag, FlagCase, FlagEvent, RuleKind, Threshold, ThresholdVersion

logger = logging.getLogger(__name__)

# The columns the run writes (the others take their defaults).
FLAG_FIELDS = (
    "officer_id",
    "threshold_id",
    "version_id",
    "status",
    "count",
    "latest_count",
    "peer_value",
    "peer_group_size",
    "window_start",
    "window_end",
    "opened_at",
    "opened_by_run_id",
    "last_tripped_at",
)
CASE_FIELDS = ("flag_id", "complaint_id", "allegations", "added_at")
EVENT_FIELDS = ("flag_id", "kind", "occurred_at", "run_id", "data")

# pg_advisory_xact_lock key: one evaluation at a time (a nightly run and an import's may meet).
_LOCK_KEY = 7_305_110_421


@dataclass
class Hit:
    """One officer over one rule's threshold: the count, the complaints behind it (complaint id ->
    allegations counted on it; 0 for the complaint rules), and for the peer rule the group's value
    and size."""

    officer_id: int
    cases: dict[int, int] = field(default_factory=dict)
    count: int = 0
    peer_value: float | None = None
    peers: int | None = None


def percentile_cont(values: Iterable[float], fraction: float) -> float:
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY value)``: the value at
    position ``fraction * (n - 1)`` of the sorted values, interpolated linearly between the two
    values either side of it, with the same arithmetic."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = math.ceil(position)
    first, second = float(ordered[low]), float(ordered[high])
    return first + (second - first) * (position - low)


# --- The SQL ----------------------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "complaint": quote(Complaint._meta.db_table),
        "subject": quote(SubjectOfficer._meta.db_table),
        "allegation": quote(Allegation._meta.db_table),
        "finding": quote(Finding._meta.db_table),
        "officer": quote(Officer._meta.db_table),
        "flag": quote(Flag._meta.db_table),
        "flag_case": quote(FlagCase._meta.db_table),
        "rank": quote("rank"),
    }


@dataclass
class _Query:
    """The period and the exclusions every rule shares, as SQL with its parameters."""

    threshold_id: int
    as_of: datetime
    start: datetime | None

    def closed(self, t: dict[str, str]) -> tuple[str, list[Any]]:
        """(officer, complaint) pairs behind a closed flag of this rule."""
        sql = (  # only table names are formatted in
            f"closed AS (SELECT DISTINCT f.officer_id AS officer_id, fc.complaint_id AS complaint_id "  # noqa: S608  # nosec B608
            f"FROM {t['flag_case']} fc JOIN {t['flag']} f ON f.id = fc.flag_id "
            f"WHERE f.threshold_id = %s AND f.status = %s)"
        )
        return sql, [self.threshold_id, Flag.Status.CLOSED]

    def counted(self, t: dict[str, str]) -> tuple[str, list[Any]]:
        """The conditions on the complaint and the officer (aliases ``c``, ``o``)."""
        sql = "o.status = %s AND c.received_at <= %s AND c.duplicate_of_id IS NULL AND c.closure_reason <> %s" + (
            " AND c.received_at >= %s" if self.start else ""
        )
        moment = connection.ops.adapt_datetimefield_value
        params: list[Any] = [Officer.Status.ACTIVE, moment(self.as_of), Complaint.ClosureReason.DUPLICATE]
        if self.start:
            params.append(moment(self.start))
        return sql, params

    @staticmethod
    def fresh() -> str:
        """Leaves out what a closed flag of this rule already covered (aliases ``so``, ``c``)."""
        return (
            "NOT EXISTS (SELECT 1 FROM closed WHERE closed.officer_id = so.officer_id AND closed.complaint_id = c.id)"
        )


def _fetch(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _gather(rows: Iterable[tuple]) -> dict[int, Hit]:
    hits: dict[int, Hit] = {}
    for officer_id, complaint_id, allegations, *peer in rows:
        hit = hits.get(officer_id)
        if hit is None:
            hit = hits[officer_id] = Hit(officer_id=officer_id)
            if peer:
                hit.peer_value, hit.peers = float(peer[0]), int(peer[1])
        hit.cases[complaint_id] = int(allegations or 0)
    return hits


def complaint_hits(query: _Query, count: int) -> dict[int, Hit]:
    """Officers named in at least ``count`` complaints in the period."""
    t = _tables()
    closed, closed_params = query.closed(t)
    where, where_params = query.counted(t)
    sql = (
        f"WITH {closed}, "  # noqa: S608  # nosec B608 (only table names are formatted in)
        f"counted AS (SELECT DISTINCT so.officer_id AS officer_id, c.id AS complaint_id "
        f"FROM {t['subject']} so JOIN {t['complaint']} c ON c.id = so.complaint_id "
        f"JOIN {t['officer']} o ON o.id = so.officer_id WHERE {where} AND {query.fresh()}), "
        f"tripped AS (SELECT officer_id FROM counted GROUP BY officer_id HAVING COUNT(*) >= %s) "
        f"SELECT counted.officer_id, counted.complaint_id, 0 FROM counted "
        f"JOIN tripped ON tripped.officer_id = counted.officer_id"
    )
    hits = _gather(_fetch(sql, [*closed_params, *where_params, count]))
    for hit in hits.values():
        hit.count = len(hit.cases)
    return hits


def allegation_hits(query: _Query, count: int, category_ids: list[int], disposition: str = "") -> dict[int, Hit]:
    """Officers with at least ``count`` allegations in the categories (and, given a disposition,
    with that final finding) on complaints in the period."""
    t = _tables()
    closed, closed_params = query.closed(t)
    where, where_params = query.counted(t)
    marks = ", ".join(["%s"] * len(category_ids))
    finding_join = f"JOIN {t['finding']} fi ON fi.allegation_id = a.id " if disposition else ""
    finding_where = "AND fi.final_disposition = %s " if disposition else ""
    sql = (
        f"WITH {closed}, "  # noqa: S608  # nosec B608 (only table names are formatted in)
        f"counted AS (SELECT so.officer_id AS officer_id, c.id AS complaint_id, COUNT(*) AS n "
        f"FROM {t['allegation']} a JOIN {t['subject']} so ON so.id = a.subject_officer_id "
        f"JOIN {t['complaint']} c ON c.id = a.complaint_id JOIN {t['officer']} o ON o.id = so.officer_id "
        f"{finding_join}WHERE a.category_id IN ({marks}) {finding_where}AND {where} AND {query.fresh()} "
        f"GROUP BY so.officer_id, c.id), "
        f"tripped AS (SELECT officer_id FROM counted GROUP BY officer_id HAVING SUM(n) >= %s) "
        f"SELECT counted.officer_id, counted.complaint_id, counted.n FROM counted "
        f"JOIN tripped ON tripped.officer_id = counted.officer_id"
    )
    params = [*closed_params, *category_ids, *([disposition] if disposition else []), *where_params, count]
    hits = _gather(_fetch(sql, params))
    for hit in hits.values():
        hit.count = sum(hit.cases.values())
    return hits


def _peer_parts(query: _Query, t: dict[str, str], *, cases: bool = False) -> tuple[str, list[Any]]:
    """The CTEs of the peer rule up to ``per_officer``: every active officer with a peer group,
    their complaints in the period (``n``) and those not behind a closed flag (``fresh_n``); with
    ``cases`` (PostgreSQL), also the ids of the latter (``fresh_ids``), so that no join back to the
    complaints is needed once the officers over the percentile are known."""
    fresh_ids = ", array_agg(marked.complaint_id) FILTER (WHERE marked.fresh = 1) AS fresh_ids" if cases else ""
    closed, closed_params = query.closed(t)
    where, where_params = query.counted(t)
    sql = (  # only table names are formatted in
        f"{closed}, "  # noqa: S608  # nosec B608
        f"counted AS (SELECT DISTINCT so.officer_id AS officer_id, c.id AS complaint_id "
        f"FROM {t['subject']} so JOIN {t['complaint']} c ON c.id = so.complaint_id "
        f"JOIN {t['officer']} o ON o.id = so.officer_id WHERE {where}), "
        f"marked AS (SELECT counted.officer_id AS officer_id, counted.complaint_id AS complaint_id, "
        f"CASE WHEN closed.complaint_id IS NULL THEN 1 ELSE 0 END AS fresh FROM counted "
        f"LEFT JOIN closed ON closed.officer_id = counted.officer_id AND closed.complaint_id = counted.complaint_id), "
        f"per_officer AS (SELECT o.id AS officer_id, o.agency_id AS agency_id, o.unit AS unit, "
        f"o.{t['rank']} AS officer_rank, COUNT(marked.complaint_id) AS n, COALESCE(SUM(marked.fresh), 0) AS fresh_n"
        f"{fresh_ids} "
        f"FROM {t['officer']} o LEFT JOIN marked ON marked.officer_id = o.id "
        f"WHERE o.status = %s AND o.unit <> '' AND o.{t['rank']} <> '' "
        f"GROUP BY o.id, o.agency_id, o.unit, o.{t['rank']})"
    )
    return sql, [*closed_params, *where_params, Officer.Status.ACTIVE]


def peer_hits(query: _Query, count: int, percentile: Decimal, minimum_peers: int) -> dict[int, Hit]:
    """Officers whose complaints in the period reach the percentile of their peer group."""
    t = _tables()
    postgresql = connection.vendor == "postgresql"
    parts, params = _peer_parts(query, t, cases=postgresql)
    fraction = float(percentile) / 100
    if postgresql:
        sql = (
            f"WITH {parts}, "  # noqa: S608  # nosec B608 (only table names are formatted in)
            f"peer_groups AS (SELECT agency_id, unit, officer_rank, COUNT(*) AS peers, "
            f"percentile_cont(%s::float8) WITHIN GROUP (ORDER BY n) AS value FROM per_officer "
            f"GROUP BY agency_id, unit, officer_rank) "
            f"SELECT p.officer_id, p.fresh_ids, g.value, g.peers FROM per_officer p JOIN peer_groups g "
            f"ON g.agency_id = p.agency_id AND g.unit = p.unit AND g.officer_rank = p.officer_rank "
            f"WHERE g.peers >= %s AND p.fresh_n >= %s AND p.fresh_n >= g.value"
        )
        rows = _fetch(sql, [*params, fraction, minimum_peers, count])
        hits = _gather(
            (officer_id, complaint_id, 0, value, peers)
            for officer_id, complaint_ids, value, peers in rows
            for complaint_id in complaint_ids
        )
    else:
        # No percentile function: one grouped query, the percentile in Python, then the complaints.
        rows = _fetch(
            f"WITH {parts} SELECT officer_id, agency_id, unit, officer_rank, n, fresh_n FROM per_officer",  # noqa: S608  # nosec B608
            params,
        )
        groups: dict[tuple, list[int]] = defaultdict(list)
        for _officer, agency_id, unit, rank, n, _fresh in rows:
            groups[(agency_id, unit, rank)].append(n)
        values = {key: percentile_cont(counts, fraction) for key, counts in groups.items()}
        tripped: dict[int, tuple[float, int]] = {}
        for officer_id, agency_id, unit, rank, _n, fresh_n in rows:
            key = (agency_id, unit, rank)
            peers = len(groups[key])
            if peers >= minimum_peers and fresh_n >= count and fresh_n >= values[key]:
                tripped[officer_id] = (values[key], peers)
        if not tripped:
            hits = {}
        else:
            cases = _fetch(
                f"WITH {parts} SELECT officer_id, complaint_id, 0 FROM marked WHERE fresh = 1 "  # noqa: S608  # nosec B608
                f"AND officer_id IN (SELECT value FROM json_each(%s))",
                [*params, json.dumps(sorted(tripped))],
            )
            hits = _gather((*row, *tripped[row[0]]) for row in cases)
    for hit in hits.values():
        hit.count = len(hit.cases)
    return hits


def _descendants() -> dict[int, list[int]]:
    """Every category's id with the ids of all its sub-categories, at any depth (one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in AllegationCategory.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)

    def below(pk: int) -> list[int]:
        found, todo = [pk], list(children.get(pk, []))
        while todo:
            current = todo.pop()
            found.append(current)
            todo.extend(children.get(current, []))
        return sorted(found)

    return {pk: below(pk) for pks in children.values() for pk in pks}


def rule_hits(
    threshold: Threshold, version: ThresholdVersion, *, as_of: datetime, categories: dict[int, list[int]]
) -> dict[int, Hit]:
    """The officers over one rule's threshold at ``as_of``, with what is behind each."""
    parameters = rules.Parameters.of(version)
    query = _Query(threshold_id=threshold.pk, as_of=as_of, start=rules.window_start(parameters, as_of))
    kind = threshold.kind
    if kind == RuleKind.COMPLAINTS:
        return complaint_hits(query, parameters.count)
    if kind in rules.BY_CATEGORY:
        ids = categories.get(version.category_id, [version.category_id])
        disposition = parameters.disposition if kind == RuleKind.FINDING else ""
        return allegation_hits(query, parameters.count, ids, disposition)
    if kind == RuleKind.PEER_PERCENTILE:
        return peer_hits(query, parameters.count, parameters.percentile, parameters.minimum_peers)
    raise ValueError(f"Unknown rule kind {kind!r}")


# --- The run ----------------------------------------------------------------------------------------


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def evaluate(*, trigger: str, actor: Any = None, as_of: datetime | None = None) -> EvaluationRun:
    """Evaluate every active officer against every rule in force, as of ``as_of`` (default now),
    and record what was found (see the module's docstring). One transaction, one evaluation at a
    time; one ``early_intervention.evaluated`` audit event for the run."""
    now = timezone.now()
    as_of = as_of or now
    user = _user(actor)
    with transaction.atomic():
        _lock()
        run = EvaluationRun.objects.create(
            trigger=trigger,
            as_of=as_of,
            started_at=now,
            run_by=user,
            run_by_name=user.get_username() if user else "",
        )
        thresholds = list(
            Threshold.objects.filter(is_active=True, current_version__isnull=False)
            .select_related("current_version")
            .order_by("pk")
        )
        needs_categories = any(t.kind in rules.BY_CATEGORY for t in thresholds)
        categories = _descendants() if needs_categories else {}
        found: dict[int, dict[int, Hit]] = {}
        seconds: dict[int, float] = {}
        for threshold in thresholds:
            started = time.perf_counter()
            found[threshold.pk] = rule_hits(threshold, threshold.current_version, as_of=as_of, categories=categories)
            seconds[threshold.pk] = time.perf_counter() - started
        open_flags = {
            (threshold_id, officer_id): flag_id
            for flag_id, threshold_id, officer_id in Flag.objects.filter(
                status__in=Flag.OPEN_STATUSES, threshold__is_active=True
            ).values_list("pk", "threshold_id", "officer_id")
        }
        behind: dict[int, set[int]] = defaultdict(set)
        for flag_id, complaint_id in FlagCase.objects.filter(
            flag__status__in=Flag.OPEN_STATUSES, flag__threshold__is_active=True
        ).values_list("flag_id", "complaint_id"):
            behind[flag_id].add(complaint_id)

        new_flags: list[tuple[tuple[int, int], tuple]] = []
        new_hits: dict[tuple[int, int], Hit] = {}
        cases: list[tuple] = []
        events: list[tuple] = []
        refreshed: list[tuple[int, int, datetime, datetime]] = []
        counts: dict[str, dict[str, Any]] = {}
        for threshold in thresholds:
            version = threshold.current_version
            start = rules.window_start(rules.Parameters.of(version), as_of)
            hits = found[threshold.pk]
            tally = counts[str(threshold.pk)] = {
                "version": version.number,
                "tripped": len(hits),
                "opened": 0,
                "refreshed": 0,
                "seconds": round(seconds[threshold.pk], 3),
            }
            for officer_id in sorted(hits):
                hit = hits[officer_id]
                key = (threshold.pk, officer_id)
                flag_id = open_flags.get(key)
                if flag_id is None:
                    row = (
                        officer_id,
                        threshold.pk,
                        version.pk,
                        Flag.Status.OPEN.value,
                        hit.count,
                        hit.count,
                        _decimal(hit.peer_value),
                        hit.peers,
                        start,
                        as_of,
                        now,
                        run.pk,
                        now,
                    )
                    new_flags.append((key, row))
                    new_hits[key] = hit
                    tally["opened"] += 1
                    continue
                added = {c: n for c, n in hit.cases.items() if c not in behind[flag_id]}
                refreshed.append((flag_id, hit.count, now, now))
                tally["refreshed"] += 1
                cases += [(flag_id, c, n, now) for c, n in added.items()]
                if added:
                    events.append(
                        (
                            flag_id,
                            FlagEvent.Kind.CASES_ADDED.value,
                            now,
                            run.pk,
                            {"added": len(added), "count": hit.count},
                        )
                    )
        ids = batch.reserve_ids(Flag, len(new_flags))
        if ids is not None:
            batch.insert(
                Flag, ("id", *FLAG_FIELDS), [(pk, *row) for pk, (_key, row) in zip(ids, new_flags, strict=True)]
            )
            created = [(pk, key) for pk, (key, _row) in zip(ids, new_flags, strict=True)]
        else:
            written = batch.insert(
                Flag, FLAG_FIELDS, [row for _key, row in new_flags], returning=("id", "threshold_id", "officer_id")
            )
            created = [(pk, (threshold_id, officer_id)) for pk, threshold_id, officer_id in written]
        for flag_id, key in sorted(created):
            hit = new_hits[key]
            cases += [(flag_id, c, n, now) for c, n in hit.cases.items()]
            events.append(
                (flag_id, FlagEvent.Kind.OPENED.value, now, run.pk, {"count": hit.count, "cases": len(hit.cases)})
            )
        batch.insert(FlagCase, CASE_FIELDS, cases)
        batch.update(Flag, "id", refreshed, ["latest_count", "last_tripped_at", "updated_at"])
        batch.insert(FlagEvent, EVENT_FIELDS, events)
        run.rules = len(thresholds)
        run.tripped = sum(len(hits) for hits in found.values())
        run.opened = len(created)
        run.refreshed = len(refreshed)
        run.counts = counts
        run.finished_at = timezone.now()
        run.save(update_fields=["rules", "tripped", "opened", "refreshed", "counts", "finished_at"])
        audit.record(
            "early_intervention.evaluated",
            target=run,
            target_label=f"evaluation {run.pk}",
            actor=user,
            data={
                "trigger": trigger,
                "as_of": as_of,
                "rules": run.rules,
                "tripped": run.tripped,
                "opened": run.opened,
                "refreshed": run.refreshed,
            },
        )
    logger.info(
        "Early intervention: %d rules, %d officers over a threshold, %d flags opened, %d brought up to date",
        run.rules,
        run.tripped,
        run.opened,
        run.refreshed,
    )
    return run
