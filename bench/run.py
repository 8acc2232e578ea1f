"""Benchmarks. Run with `make bench`; never part of `make test`.

Each benchmark runs against a fresh database (SQLite in a temporary folder unless DATABASE_URL is
set) and prints its throughput; results are also written to bench/results/<timestamp>.json.
"""

import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="oversight-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

SEED_COMPLAINTS = int(os.environ.get("BENCH_SEED_COMPLAINTS", "20000"))


def timed(fn, *args, **kwargs) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - started


def bench_seed() -> dict:
    seconds = timed(
        call_command,
        "seed_demo",
        complaints=SEED_COMPLAINTS,
        seed=1,
        as_of=date(2026, 11, 1),
        quiet_logins=True,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    return {"complaints": SEED_COMPLAINTS, "seconds": round(seconds, 2), "per_second": round(SEED_COMPLAINTS / seconds)}


def bench_complaint_create(n: int = 300) -> dict:
    from complaints.models import Party
    from complaints.services import PartyData, SubjectData, complaint_create

    def run():
        for i in range(n):
            complaint_create(
                narrative=f"Benchmark complaint {i}: the officer would not give a badge number.",
                parties=[PartyData(role=Party.Role.COMPLAINANT, first_name="Bench", last_name=f"Mark{i}")],
                subjects=[SubjectData(appearance="Tall", category_codes=["aoa-refusal-id"])],
            )

    seconds = timed(run)
    return {"complaints": n, "seconds": round(seconds, 2), "per_second": round(n / seconds)}


def bench_audit(n: int = 2000) -> dict:
    from oversight import audit

    seconds = timed(lambda: [audit.record("complaint.viewed", target_label=f"B-{i}", data={"i": i}) for i in range(n)])
    checked = 0

    def verify():
        nonlocal checked
        checked, broken = audit.verify_chain()
        assert broken is None

    verify_seconds = timed(verify)
    return {
        "record_per_second": round(n / seconds),
        "verified_events": checked,
        "verify_per_second": round(checked / verify_seconds),
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    results = {
        "database": connection.vendor,
        "seed_demo": bench_seed(),
        "complaint_create": bench_complaint_create(),
        "audit": bench_audit(),
    }
    print(json.dumps(results, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{time.strftime('%Y%m%d-%H%M%S')}-{connection.vendor}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
