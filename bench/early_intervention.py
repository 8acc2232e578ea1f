"""Early-intervention benchmark: one full evaluation on PostgreSQL (bench/README.md, "Early intervention").

    .venv/bin/python bench/early_intervention.py                    # 1,000,000 complaints, 20,000 officers
    .venv/bin/python bench/early_intervention.py --scale 20000      # a quick look: 400 officers
    .venv/bin/python bench/early_intervention.py --scale 20000 --database postgres://postgres@127.0.0.1:5432/ei_bench

Creates its own database (``oversight_bench_<pid>``) like ``bench/run.py`` and drops it at the end,
or uses the database given with ``--database`` (migrated and seeded if empty, never dropped). The
data is written straight to the tables with COPY (``oversight.bulk``): one agency, ``--officers``
officers (default one for every 50 complaints: 20,000 at a million) in units and ranks, and
``--scale`` complaints spread over ``--years`` of history (default 30: a million complaints at one
office's pace of about 33,000 a year, as the demo spreads them), so that at any scale an officer
draws the same number of complaints a year; each names one to three roster officers (a few officers
draw many complaints, as in life), with one or two allegations against each, and every case older
than a year has its final findings. Then ``VACUUM ANALYZE``, and in a child process the
evaluation as the nightly task runs it, with the four starting rules: the first run opens the flags,
the second finds them open and opens none. The target is under 60 seconds for the first run at a
million complaints. Results go to ``bench/results/<UTC time>-early-intervention-<scale>.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as harness  # noqa: E402

TARGET_SECONDS = 60.0
UNITS = ["Patrol"] * 6 + ["Traffic", "Narcotics", "Gang Unit", "Housing", "Transit", "Detective Bureau", "SWAT"]
RANKS = ["Police Officer"] * 10 + ["Corporal"] * 2 + ["Sergeant"] * 2 + ["Lieutenant", "Detective"]


def seed(scale: int, officers: int, years: float, rng_seed: int) -> dict:
    """In the child: write the roster, complaints, subject officers, allegations and findings."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from complaints.demo import recount_statuses
    from complaints.models import Allegation, AllegationCategory, Complaint, SubjectOfficer
    from investigations.models import Finding
    from oversight import bulk
    from oversight.context import acting_as
    from oversight.demo import Weighted
    from oversight.models import Agency, Officer

    if Complaint.objects.exists():
        return {"seeded": False, "complaints": Complaint.objects.count(), "officers": Officer.objects.count()}
    rng = random.Random(rng_seed)
    started = time.perf_counter()
    S = Complaint.Status
    leaves = list(AllegationCategory.objects.filter(parent__isnull=False).select_related("parent"))
    # About a quarter of allegations are of force and one in twenty-five of bias, as offices report.
    share = {"force": 250, "bias": 40}
    per_class: dict[str, int] = {}
    for leaf in leaves:
        per_class[leaf.parent.code] = per_class.get(leaf.parent.code, 0) + 1
    others = sum(n for code, n in per_class.items() if code not in share)
    category = Weighted(
        [
            (
                leaf.pk,
                max(1, round(1000 * share[leaf.parent.code] / per_class[leaf.parent.code]))
                if leaf.parent.code in share
                else max(1, round(1000 * (1000 - sum(share.values())) / others)),
            )
            for leaf in leaves
        ]
    )
    final = Weighted(
        [("sustained", 15), ("not_sustained", 40), ("exonerated", 15), ("unfounded", 25), ("withdrawn", 5)]
    )
    subjects_per = Weighted([(1, 60), (2, 30), (3, 10)])
    allegations_per = Weighted([(1, 65), (2, 35)])
    now = timezone.now()
    days = years * 365.25
    with acting_as(None), transaction.atomic(), bulk.fast_load():
        agency, _created = Agency.objects.get_or_create(short_name="BENCH", defaults={"name": "Bench Police"})
        with bulk.TableWriter(
            Officer, ["id", "agency_id", "badge_number", "first_name", "last_name", "rank", "unit", "status"]
        ) as writer:
            officer_ids = []
            for n in range(officers):
                pk = writer.next_id()
                officer_ids.append(pk)
                status = "separated" if rng.random() < 0.05 else "active"
                writer.add(
                    (pk, agency.pk, f"B{n:06d}", "Officer", f"No. {n}", rng.choice(RANKS), rng.choice(UNITS), status)
                )
        # A few officers draw many complaints: weights from a Pareto distribution.
        pick = Weighted([(pk, max(1, int(rng.paretovariate(1.6) * 10))) for pk in officer_ids])
        sequence: dict[int, int] = {}
        with (
            bulk.TableWriter(
                Complaint,
                ["id", "tracking_number", "received_at", "narrative", "status", "status_changed_at", "agency_id"],
            ) as complaints,
            bulk.TableWriter(SubjectOfficer, ["id", "complaint_id", "officer_id"]) as subjects,
            bulk.TableWriter(Allegation, ["id", "complaint_id", "subject_officer_id", "category_id"]) as allegations,
            bulk.TableWriter(
                Finding, ["allegation_id", "proposed_disposition", "rationale", "final_disposition"]
            ) as findings,
        ):
            for offset in sorted((rng.random() * days for _ in range(scale)), reverse=True):
                received = now - timedelta(days=offset)
                complaint_id = complaints.next_id()
                year = received.year
                sequence[year] = sequence.get(year, 0) + 1
                decided = offset > 365
                status = S.CLOSED if decided else S.UNDER_INVESTIGATION
                complaints.add(
                    (
                        complaint_id,
                        f"BEN-{year}-{sequence[year]:07d}",
                        received,
                        "Bench complaint.",
                        status,
                        received,
                        agency.pk,
                    )
                )
                named: set[int] = set()
                for _ in range(subjects_per(rng)):
                    officer_id = pick(rng)
                    if officer_id in named:
                        continue
                    named.add(officer_id)
                    subject_id = subjects.next_id()
                    subjects.add((subject_id, complaint_id, officer_id))
                    for _ in range(allegations_per(rng)):
                        allegation_id = allegations.next_id()
                        allegations.add((allegation_id, complaint_id, subject_id, category(rng)))
                        if decided:
                            disposition = final(rng)
                            findings.add((allegation_id, disposition, "Bench finding.", disposition))
        recount_statuses()
        counts = {
            "complaints": complaints.count,
            "officers": officers,
            "subject_officers": subjects.count,
            "allegations": allegations.count,
            "findings": findings.count,
        }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts["database_size"] = cursor.fetchone()[0]
    return {"seeded": True, "seconds": round(time.perf_counter() - started, 1), **counts}


class _Counter:
    """An execute wrapper that counts the statements sent."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(runs: int) -> dict:
    """In the child: the evaluation as the nightly task runs it, ``runs`` times."""
    import django

    django.setup()
    from django.db import connection

    from complaints.models import Complaint
    from investigations.early_intervention.models import EvaluationRun, Flag, FlagCase, FlagEvent, Threshold
    from investigations.early_intervention.rules import describe_version
    from investigations.early_intervention.services import evaluation_run
    from oversight.context import acting_as
    from oversight.models import Officer

    # A database used before keeps its flags: they are cleared, so the first run opens them again.
    FlagEvent.objects.all().delete()
    Flag.objects.all().delete()
    EvaluationRun.objects.all().delete()
    names = {
        t.pk: (t.name, describe_version(t.current_version, t.kind))
        for t in Threshold.objects.select_related("current_version")
    }
    timings = []
    for number in range(1, runs + 1):
        started = time.perf_counter()
        statements = _Counter()
        # Statements are counted, not captured: rendering their parameters would be timed too.
        with acting_as(None), connection.execute_wrapper(statements):
            run = evaluation_run(trigger=EvaluationRun.Trigger.COMMAND)
        seconds = time.perf_counter() - started
        timings.append(
            {
                "run": number,
                "seconds": round(seconds, 2),
                "queries": statements.count,
                "tripped": run.tripped,
                "opened": run.opened,
                "refreshed": run.refreshed,
                "rules": {
                    names.get(int(pk), (pk, ""))[0]: {**tally, "reads": names.get(int(pk), ("", ""))[1]}
                    for pk, tally in run.counts.items()
                },
            }
        )
    return {
        "complaints": Complaint.objects.count(),
        "officers": Officer.objects.count(),
        "active_officers": Officer.objects.filter(status="active").count(),
        "flags": Flag.objects.count(),
        "cases_behind_flags": FlagCase.objects.count(),
        "runs": timings,
    }


def _child(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        print(out.stderr[-4000:], file=sys.stderr)
        raise harness.BenchError(f"{' '.join(args)} failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1_000_000, help="complaints to seed (default 1,000,000)")
    parser.add_argument("--officers", type=int, default=None, help="officers on the roster (default: scale / 50)")
    parser.add_argument(
        "--years",
        type=float,
        default=30.0,
        help="years of history the complaints spread over (default 30: a million at one office's pace)",
    )
    parser.add_argument("--runs", type=int, default=2, help="evaluations to time (default 2)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--database", metavar="URL", help="use this database (migrated and seeded if empty; kept)")
    parser.add_argument("--keep", action="store_true", help="keep the database the run created")
    parser.add_argument("--child", choices=["seed", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    officers = args.officers or max(50, args.scale // 50)
    if args.child == "seed":
        print(json.dumps(seed(args.scale, officers, args.years, args.seed)))
        return 0
    if args.child == "measure":
        print(json.dumps(measure(args.runs)))
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="ei-bench-"))
    created, protected = None, None
    if args.database:
        db_url = args.database
        parts = urlsplit(db_url)
        server = f"postgres://{parts.netloc}"
        harness.check_server(server)
    else:
        server, protected = harness.server_url()
        harness.check_server(server)
        created = f"{harness.PREFIX}{os.getpid()}"
        harness.create_database(server, created, protected)
        db_url = harness.with_db(server, created)
    try:
        env = harness.bench_env(db_url, workdir / "data")
        harness.log("migrating")
        harness.run(harness.manage("migrate", "--noinput", "-v", "0"), env, workdir / "migrate.log", "migrate")
        harness.log(f"seeding {args.scale:,} complaints and {officers:,} officers")
        seeded = _child(
            env,
            "--child",
            "seed",
            *("--scale", str(args.scale), "--officers", str(officers)),
            *("--years", str(args.years), "--seed", str(args.seed)),
        )
        harness.log(f"seeded: {seeded}")
        harness.log(f"VACUUM ANALYZE: {harness.vacuum_analyze(db_url):.1f} s")
        harness.log(f"evaluating ({args.runs} runs)")
        measured = _child(env, "--child", "measure", "--runs", str(args.runs))
    finally:
        if created and not args.keep:
            harness.drop_database(server, created, protected)
        elif created:
            harness.log(f"kept {db_url}")
    report = _report(seeded, measured, args.scale)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = ROOT / "bench" / "results" / f"{stamp}-early-intervention-{measured['complaints']}.md"
    path.write_text(report)
    print(report)
    harness.log(f"wrote {path.relative_to(ROOT)}")
    return 0


def _report(seeded: dict, measured: dict, scale: int) -> str:
    load = os.getloadavg()
    first = measured["runs"][0]
    met = "met" if first["seconds"] < TARGET_SECONDS else "not met"
    lines = [
        "# Early-intervention benchmark",
        "",
        f"{measured['complaints']:,} complaints, {measured['officers']:,} officers "
        f"({measured['active_officers']:,} active); load average at the end: {load[0]:.1f}.",
        "",
    ]
    if seeded.get("seeded"):
        lines += [
            f"Seeded in {seeded['seconds']} s: {seeded['subject_officers']:,} subject officers, "
            f"{seeded['allegations']:,} allegations, {seeded['findings']:,} findings; "
            f"database {seeded['database_size']}.",
            "",
        ]
    lines += [
        f"Target: the first evaluation under {TARGET_SECONDS:.0f} s at 1,000,000 complaints "
        f"({'this run: ' + met if measured['complaints'] >= 1_000_000 else 'checked only at that size'}).",
        "",
        "| run | seconds | queries | officers over a threshold | flags opened | open flags brought up to date |",
        "|---|---|---|---|---|---|",
    ]
    for run in measured["runs"]:
        lines.append(
            f"| {run['run']} | {run['seconds']} | {run['queries']} | {run['tripped']:,} | {run['opened']:,} "
            f"| {run['refreshed']:,} |"
        )
    lines += ["", "Per rule, first run:", "", "| rule | reads | seconds | over | opened |", "|---|---|---|---|---|"]
    for name, tally in first["rules"].items():
        lines.append(f"| {name} | {tally['reads']} | {tally['seconds']} | {tally['tripped']:,} | {tally['opened']:,} |")
    lines += ["", f"Flags: {measured['flags']:,}, with {measured['cases_behind_flags']:,} complaints behind them.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except harness.BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
