"""Search benchmark: indexing rate and query latency, on PostgreSQL (bench/README.md, "Search").

    .venv/bin/python bench/search.py --scale 100000                  # the database backend
    .venv/bin/python bench/search.py --scale 100000 --elasticsearch  # and the Elasticsearch backend
    .venv/bin/python bench/search.py --reuse postgres://.../oversight_bench_123   # a kept database

Creates its own database (``oversight_bench_<pid>``) like ``bench/run.py``, seeds it, then in a
child process with the bench database: rebuilds the index (documents a second), and times staff
searches (text plus three filters: district, status and year received; text alone; filters
alone) as a supervisor and as an investigator, and public searches, reporting the median and p95.
With ``--elasticsearch`` the same is measured against an osmem-server started for the run.
Results go to ``bench/results/<UTC time>-search-<scale>.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as harness  # noqa: E402

WORDS = ["officer", "car", "pushed", "phone", "stopped", "searched", "shouted", "force", "camera", "arrest"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(backend_name: str, queries: int, rebuild: bool) -> dict:
    """In the child: rebuild, then time the searches. Prints one JSON line."""
    import random

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from complaints.models import Complaint
    from search import backends, indexing
    from search.backends.base import PublicQuery, StaffQuery, scope_for

    settings.SEARCH_BACKEND = backend_name
    backends.reset()
    rates = {}
    for kind in ("cases", "dispositions"):
        if not rebuild and backends.backend().count(kind) and not indexing.backlog()[kind]["count"]:
            rates[kind] = {"documents": backends.backend().count(kind), "seconds": None, "per_second": None}
            continue  # indexed by seed_demo, whose log gives the rate
        started = time.perf_counter()
        written = indexing.rebuild(kind)
        seconds = time.perf_counter() - started
        rates[kind] = {"documents": written, "seconds": round(seconds, 1), "per_second": round(written / seconds)}
    rng = random.Random(7)
    users = get_user_model().objects
    supervisor = users.get(username="supervisor")
    investigator = users.get(username="investigator")
    districts = list(Complaint.objects.values_list("district_id", flat=True).distinct().exclude(district_id=None))
    statuses = [s for s, _n in Complaint.objects.values_list("status").annotate(n=Count("id")).order_by("-n")[:4]]
    years = sorted({d.year for d in Complaint.objects.dates("received_at", "year")})
    engine = backends.backend()

    def timed(scope, make) -> list[float]:
        times, totals = [], []
        for _ in range(3):  # warm-up
            engine.staff_search(scope=scope, query=make()) if scope else engine.public_search(query=make())
        for _ in range(queries):
            query = make()
            started = time.perf_counter()
            result = engine.staff_search(scope=scope, query=query) if scope else engine.public_search(query=query)
            times.append((time.perf_counter() - started) * 1000)
            totals.append(result.total)
        return {
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(_percentile(times, 0.95), 1),
            "median_hits": statistics.median(totals),
        }

    def text_and_three() -> StaffQuery:
        return StaffQuery(
            text=rng.choice(WORDS),
            district_id=rng.choice(districts),
            status=rng.choice(statuses),
            year=rng.choice(years),
        )

    found = {}
    for name, user in (("supervisor", supervisor), ("investigator", investigator)):
        scope = scope_for(user)
        found[f"{name}: text + district + status + year"] = timed(scope, text_and_three)
        found[f"{name}: text only"] = timed(scope, lambda: StaffQuery(text=rng.choice(WORDS)))
        found[f"{name}: two words"] = timed(scope, lambda: StaffQuery(text=" ".join(rng.sample(WORDS, 2))))
        found[f"{name}: district + status (no text)"] = timed(
            scope, lambda: StaffQuery(district_id=rng.choice(districts), status=rng.choice(statuses))
        )
    found["public: text only"] = timed(None, lambda: PublicQuery(text=rng.choice(WORDS)))
    found["public: text + year"] = timed(None, lambda: PublicQuery(text=rng.choice(WORDS), year=rng.choice(years)))
    return {"backend": backend_name, "indexing": rates, "queries": found, "complaints": Complaint.objects.count()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--reuse", metavar="URL", help="an existing bench database (no seeding)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--queries", type=int, default=60, help="timed searches per kind (default 60)")
    parser.add_argument("--elasticsearch", action="store_true", help="also measure the Elasticsearch backend")
    parser.add_argument("--only-elasticsearch", action="store_true", help="measure only the Elasticsearch backend")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database index even if seeding built it")
    parser.add_argument("--child", metavar="BACKEND", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.queries, args.rebuild)))
        return 0

    server, protected = harness.server_url()
    harness.check_server(server)
    workdir = Path(tempfile.mkdtemp(prefix="search-bench-"))
    name = None
    if args.reuse:
        db_url = args.reuse
    else:
        name = f"{harness.PREFIX}{os.getpid()}"
        harness.create_database(server, name, protected)
        db_url = harness.with_db(server, name)
    results = []
    seed_lines: list[str] = []
    try:
        env = harness.bench_env(db_url, workdir / "data")
        if not args.reuse:
            harness.run(harness.manage("migrate", "--noinput"), env, workdir / "migrate.log", "migrate")
            seeded = harness.seed(env, args.scale, workdir / "seed.log", workdir)
            harness.log(f"seeded in {seeded.get('seconds', 0):.0f} s")
            seed_lines = [
                line.strip() for line in (workdir / "seed.log").read_text().splitlines() if "search index:" in line
            ]
            harness.vacuum_analyze(db_url)
        backends_wanted = [] if args.only_elasticsearch else ["database"]
        if args.elasticsearch or args.only_elasticsearch:
            backends_wanted.append("elasticsearch")
        for backend_name in backends_wanted:
            child_env = dict(env)
            server_proc = None
            if backend_name == "elasticsearch":
                from osmem_server import OsmemServer

                server_proc = OsmemServer.start(japanese=False)
                child_env.update(SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=server_proc.url)
            harness.log(f"measuring the {backend_name} backend")
            try:
                out = subprocess.run(
                    [
                        sys.executable,
                        str(Path(__file__)),
                        "--child",
                        backend_name,
                        "--queries",
                        str(args.queries),
                        *(["--rebuild"] if args.rebuild or backend_name == "elasticsearch" else []),
                    ],
                    env=child_env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            except subprocess.CalledProcessError as error:
                print(error.stderr[-4000:], file=sys.stderr)
                raise
            finally:
                if server_proc is not None:
                    server_proc.close()
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        if name and not args.keep:
            harness.drop_database(server, name, protected)
        elif name:
            harness.log(f"kept {db_url}")
    report = _report(results, seed_lines)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    scale = results[0]["complaints"] if results else args.scale
    path = ROOT / "bench" / "results" / f"{stamp}-search-{scale}.md"
    path.write_text(report)
    print(report)
    harness.log(f"wrote {path.relative_to(ROOT)}")
    return 0


def _report(results: list[dict], seed_lines: list[str]) -> str:
    load = os.getloadavg()
    lines = ["# Search benchmark", "", f"Load average at the end: {load[0]:.1f}.", ""]
    if seed_lines:
        lines += ["Indexing by `seed_demo` (the database backend, after the demo data committed):", ""]
        lines += [f"- {line}" for line in seed_lines] + [""]
    for result in results:
        lines += [f"## {result['backend']} backend, {result['complaints']:,} complaints", ""]
        lines += ["| index | documents | seconds | documents/s |", "|---|---|---|---|"]
        for kind, rate in result["indexing"].items():
            per_second = f"{rate['per_second']:,}" if rate["per_second"] else "built by seed_demo (above)"
            lines.append(f"| {kind} | {rate['documents']:,} | {rate['seconds'] or '-'} | {per_second} |")
        lines += ["", "| search | median ms | p95 ms | median hits |", "|---|---|---|---|"]
        for name, numbers in result["queries"].items():
            lines.append(f"| {name} | {numbers['median_ms']} | {numbers['p95_ms']} | {numbers['median_hits']} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
