"""Import benchmark: rows a second of ``import_cases`` on PostgreSQL (bench/README.md, "Import").

    .venv/bin/python bench/importing.py                       # Philadelphia, and 50,000 generated cases
    .venv/bin/python bench/importing.py --complaints 50000 --allegations 100000 --skip-philadelphia

Creates its own database (``oversight_bench_<pid>``) like ``bench/run.py``, migrates it and sets up
the roles, then times in child processes:

- the Philadelphia import (``docs/import/philadelphia.toml`` over ``../shared/data/philadelphia-ppd``),
  when the files are there;
- a generated export in the same three-file shape: ``--complaints`` cases with ``--allegations``
  allegation rows and one complainant each, written to a temporary folder (never into the project);
- a second run of each, which must change nothing.

The target is under 60 seconds for 100,000 allegations over 50,000 complaints. Each time is the
whole command (reading, checking, writing, the lifecycle's import path, and the search index brought
up to date after each batch, as a real import does). Results go to
``bench/results/<UTC time>-import.md``.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as harness  # noqa: E402

PHILADELPHIA = ROOT.parent / "shared" / "data" / "philadelphia-ppd"
MAPPING = ROOT / "docs" / "import" / "philadelphia.toml"

CATEGORIES = ["Physical Abuse", "Verbal Abuse", "Lack of Service", "Departmental Violation", "Harassment"]
FINDINGS = ["Sustained Finding"] + ["Other than Sustained Finding"] * 5 + ["Pending"]
WORDS = [
    "officer",
    "stopped",
    "the",
    "car",
    "and",
    "searched",
    "the",
    "complainant",
    "who",
    "states",
    "she",
    "was",
    "pushed",
    "and",
    "insulted",
]


def generate(folder: Path, complaints: int, allegations: int, seed: int = 7) -> None:
    """An export shaped like Philadelphia's: complaints, allegation rows (officer initials, race,
    sex, category, finding, discipline) and one complainant per complaint."""
    rng = random.Random(seed)
    start = date(2013, 1, 1)
    letters = "ABCDEFGHJKLMNPRSTW"
    with (folder / "ppd_complaints_7-18.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["cap_number", "date_received", "dist_occurrence", "general_cap_classification", "summary"])
        for n in range(complaints):
            received = start + timedelta(days=rng.randrange(0, 5 * 365))
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(20, 60)))
            out.writerow(
                [
                    f"G{n:07d}",
                    f"{received:%Y-%m-%d} 00:00:00",
                    str(rng.randrange(1, 40)),
                    " PHYSICAL ABUSE",
                    f"The complainant states that the {words}.\nOfficer {rng.choice(letters) * 2} left.",
                ]
            )
    with (folder / "ppd_complaint_disciplines_7-18.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "cap_number",
                "po_initials",
                "po_race",
                "po_sex",
                "allegations_investigated",
                "investigative_findings",
                "disciplinary_findings",
            ]
        )
        for n in range(allegations):
            case = n if n < complaints else rng.randrange(complaints)
            finding = rng.choice(FINDINGS)
            out.writerow(
                [
                    f"G{case:07d}",
                    rng.choice(letters) + rng.choice(letters),
                    rng.choice(["White", "Black", "Latino"]),
                    rng.choice(["Male", "Female"]),
                    "Investigation OnGoing" if finding == "Pending" else rng.choice(CATEGORIES),
                    finding,
                    "Training/Counseling" if finding.startswith("Sustained") else "Not Applicable",
                ]
            )
    with (folder / "ppd_complaint_complainants_7-18_corrected.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["cap_number", "complainant_sex", "complainant_race", "complainant_age", "complainant_initials"])
        for n in range(complaints):
            out.writerow(
                [
                    f"G{n:07d}",
                    rng.choice(["Male", "Female"]),
                    rng.choice(["Black", "White"]),
                    str(rng.randrange(18, 80)),
                    rng.choice(letters) + rng.choice(letters),
                ]
            )


def _mapping_for(folder: Path, system: str, prefix: str) -> Path:
    text = MAPPING.read_text()
    text = re.sub(r'^system = ".*"$', f'system = "{system}"', text, flags=re.M)
    text = re.sub(r'^tracking_number = ".*"$', f'tracking_number = "{prefix}-{{source_id}}"', text, flags=re.M)
    path = folder / f"{system}.toml"
    path.write_text(text)
    return path


def _timed_import(env, workdir: Path, mapping: Path, data: Path, label: str) -> tuple[float, str]:
    log = workdir / f"{label}.log"
    cmd = harness.manage(
        "import_cases", str(mapping), "--data-dir", str(data), "--user", "bench-importer", "--no-progress"
    )
    seconds = harness.run(cmd, env, log, f"import {label}")
    lines = log.read_text().splitlines()
    summary = " ".join(line for line in lines if line.startswith(("Imported in", "Search index:")))
    return seconds, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--allegations", type=int, default=100_000)
    parser.add_argument("--skip-philadelphia", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    if args.allegations < args.complaints:
        parser.error("--allegations must be at least --complaints (every complaint has one)")

    server, protected = harness.server_url()
    harness.check_server(server)
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    name = f"{harness.PREFIX}{os.getpid()}"
    harness.create_database(server, name, protected)
    db_url = harness.with_db(server, name)
    rows: list[tuple[str, int, float, str]] = []
    try:
        env = harness.bench_env(db_url, workdir / "data")
        harness.run(harness.manage("migrate", "--noinput"), env, workdir / "migrate.log", "migrate")
        harness.run(harness.manage("setup_roles"), env, workdir / "roles.log", "setup_roles")
        harness.run(
            harness.manage(
                "createsupervisor",
                "--username",
                "bench-importer",
                "--email",
                "importer@example.org",
                "--first-name",
                "Bench",
                "--last-name",
                "Importer",
                "--no-password",
                "--noinput",
            ),
            env,
            workdir / "user.log",
            "createsupervisor",
        )
        if not args.skip_philadelphia and PHILADELPHIA.exists():
            mapping = _mapping_for(workdir, "philadelphia-cap", "PPD-CAP")
            lines = _count_rows(PHILADELPHIA)
            for label in ("philadelphia", "philadelphia (second run)"):
                harness.log(f"importing {label}")
                seconds, summary = _timed_import(env, workdir, mapping, PHILADELPHIA, label.split()[0] + str(len(rows)))
                rows.append((label, lines, seconds, summary))
        generated = workdir / "generated"
        generated.mkdir()
        harness.log(f"generating {args.complaints:,} complaints with {args.allegations:,} allegations")
        generate(generated, args.complaints, args.allegations)
        lines = _count_rows(generated)
        mapping = _mapping_for(workdir, "generated", "GEN")
        harness.vacuum_analyze(db_url)
        for label in ("generated", "generated (second run)"):
            harness.log(f"importing {label}")
            seconds, summary = _timed_import(env, workdir, mapping, generated, label.split()[0] + str(len(rows)))
            rows.append((label, lines, seconds, summary))
    finally:
        if not args.keep:
            harness.drop_database(server, name, protected)
        else:
            harness.log(f"kept {db_url}")
        shutil.rmtree(workdir / "generated", ignore_errors=True)
    report = _report(rows, args)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = ROOT / "bench" / "results" / f"{stamp}-import.md"
    path.write_text(report)
    print(report)
    harness.log(f"wrote {path.relative_to(ROOT)}")
    return 0


def _count_rows(folder: Path) -> int:
    """Data rows of the three files, parsed (narratives hold line breaks)."""
    total = 0
    for name in (
        "ppd_complaints_7-18.csv",
        "ppd_complaint_disciplines_7-18.csv",
        "ppd_complaint_complainants_7-18_corrected.csv",
    ):
        with (folder / name).open(newline="", encoding="utf-8") as handle:
            total += sum(1 for _row in csv.reader(handle)) - 1
    return total


def _report(rows: list[tuple[str, int, float, str]], args: argparse.Namespace) -> str:
    load = os.getloadavg()
    lines = [
        "# Import benchmark",
        "",
        f"PostgreSQL, `bench/importing.py --complaints {args.complaints} --allegations {args.allegations}`; "
        f"load average at the end: {load[0]:.1f}. Rows are the data rows of all three files.",
        "",
        "| import | rows | seconds | rows/s | what the command printed |",
        "|---|--:|--:|--:|---|",
    ]
    for label, count, seconds, summary in rows:
        lines.append(f"| {label} | {count:,} | {seconds:.1f} | {count / seconds:,.0f} | {summary} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
