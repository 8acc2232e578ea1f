"""Benchmarks of what users feel: staff pages, public intake under load, status lookup, seeding.

    python bench/run.py --scale 100000          # make bench SCALE=100000

Creates its own PostgreSQL database (``oversight_bench_<pid>``) on the server of ``DATABASE_URL``
(or postgres://postgres@127.0.0.1:5432), migrates and seeds it, measures, and drops it at the end,
also on failure or Ctrl-C. The database named in ``DATABASE_URL`` is never touched. Results go to
bench/results/<UTC timestamp>-<scale>.json and .md. See bench/README.md.
"""

import argparse
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import intake, report  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
PREFIX = "oversight_bench_"
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
UNLIMITED = "1000000000/60"
DEMO_STATUS_CODE = "DEMO-CODE-2026"


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The database server ------------------------------------------------------------------------


def server_url() -> tuple[str, str | None]:
    """(the server to create bench databases on, the name of the database never to touch)."""
    configured = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(configured)
    if parts.scheme in ("postgres", "postgresql", "pgsql", "postgis") and parts.hostname:
        return urlunsplit(("postgres", parts.netloc, "", "", "")), parts.path.lstrip("/") or None
    return DEFAULT_SERVER, None


def with_db(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def connect(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or None,
        password=parts.password or None,
        dbname=parts.path.lstrip("/") or "postgres",
        autocommit=True,
        connect_timeout=5,
    )


def check_server(server: str) -> str:
    try:
        with connect(with_db(server, "postgres")) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # noqa: BLE001 (any failure to connect means the same to the user)
        parts = urlsplit(server)
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise BenchError(
            f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} "
            f"as {parts.username or 'the default user'} ({reason}). "
            "The benchmark needs PostgreSQL; start it or point DATABASE_URL at a server."
        ) from None


def create_database(server: str, name: str, protected: str | None) -> None:
    _guard(name, protected)
    with connect(with_db(server, "postgres")) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str, protected: str | None) -> None:
    _guard(name, protected)
    with connect(with_db(server, "postgres")) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _guard(name: str, protected: str | None) -> None:
    if not re.fullmatch(rf"{PREFIX}[a-z0-9_]+", name) or name == protected:
        raise BenchError(f"refusing to create or drop {name!r}: not a bench database")


def vacuum_analyze(url: str) -> float:
    started = time.perf_counter()
    with connect(url) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


# --- Subprocesses -------------------------------------------------------------------------------


def bench_env(db_url: str, data_dir: Path, settings: str = "oversight.settings") -> dict[str, str]:
    """The environment of every process that runs the site: the bench database and files, DEBUG off,
    no external services, rate limits out of the way. Explicit values also win over a .env file."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE=settings,
        DEBUG="false",
        HTTPS="false",
        BEHIND_PROXY="false",
        TRUSTED_PROXY_COUNT="0",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        CELERY_BROKER_URL="",
        ELASTICSEARCH_URL="",
        SEARCH_BACKEND="database",
        CLAMAV_ADDRESS="",
        CACHE_URL="locmemcache://oversight-bench",
        EMAIL_URL="dummymail://",
        RATE_LIMIT_STATUS_LOOKUP=UNLIMITED,
        RATE_LIMIT_INTAKE_SUBMIT=UNLIMITED,
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        PYTHONUNBUFFERED="1",
    )
    # Fixed keys, so a database kept with --keep still accepts the demo status code with --reuse.
    env.setdefault("SECRET_KEY", "oversight-bench-secret-key-" + "x" * 40)
    env.setdefault("STATUS_CODE_KEY", "oversight-bench-status-code-key")
    return env


def run(cmd: list[str], env: dict[str, str], logfile: Path, what: str, echo: bool = False) -> float:
    """Run ``cmd``; its output goes to ``logfile`` (and to the terminal with ``echo``). If the run is
    interrupted the child is stopped before the interruption goes on."""
    started = time.perf_counter()
    with logfile.open("ab") as out:
        out.write(f"$ {shlex.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE if echo else out, stderr=subprocess.STDOUT
        )
        try:
            if echo:
                for line in proc.stdout:
                    out.write(line)
                    sys.stdout.write(line.decode(errors="replace"))
                    sys.stdout.flush()
            code = proc.wait()
        except BaseException:
            stop(proc)
            raise
    if code != 0:
        tail = logfile.read_text(errors="replace").splitlines()[-25:]
        raise BenchError(f"{what} failed (exit {code}):\n    " + "\n    ".join(tail))
    return time.perf_counter() - started


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def manage(*args: str) -> list[str]:
    return [PYTHON, str(ROOT / "manage.py"), *args]


def seed(env: dict[str, str], scale: int, logfile: Path, workdir: Path) -> dict[str, Any]:
    """seed_demo in a child process: wall time and the child's peak resident memory."""
    cmd = manage("seed_demo", "--complaints", str(scale), "--quiet-logins")
    time_bin = shutil.which("time", path="/usr/bin")
    timing = workdir / "seed.time"
    if time_bin:
        cmd = [time_bin, "-v", "-o", str(timing), *cmd]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    seconds = run(cmd, env, logfile, "seed_demo", echo=True)
    peak_kb, source = None, ""
    if time_bin and timing.exists():
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read_text())
        if match:
            peak_kb, source = (
                int(match.group(1)),
                "maximum resident set size of the seed_demo process (/usr/bin/time -v)",
            )
    if peak_kb is None:
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak_kb = after if after > before else None
        source = "getrusage(RUSAGE_CHILDREN).ru_maxrss after seed_demo exited (largest child so far)"
    loaded = re.findall(r"Demo data loaded in ([\d.]+)s", logfile.read_text(errors="replace"))
    return {
        "seconds": round(seconds, 1),
        "seed_demo_reported_seconds": float(loaded[-1]) if loaded else None,
        "peak_rss_mb": round(peak_kb / 1024) if peak_kb else None,
        "peak_rss_source": source,
        "command": f"manage.py seed_demo --complaints {scale} --quiet-logins",
    }


def prepare_database(server: str, name: str, protected: str | None, scale: int, workdir: Path, data_dir: Path):
    url = with_db(server, name)
    create_database(server, name, protected)
    env = bench_env(url, data_dir)
    logfile = workdir / f"{name}.log"
    log(f"migrating {name}")
    migrate_seconds = run(manage("migrate", "--noinput", "-v", "0"), env, logfile, "migrate")
    log(f"seeding {scale:,} complaints (seed_demo)")
    seeding = seed(env, scale, logfile, workdir)
    log(f"seeded in {seeding['seconds']:.1f}s; VACUUM ANALYZE")
    vacuum_seconds = vacuum_analyze(url)
    return url, {"migrate_seconds": round(migrate_seconds, 1), "vacuum_seconds": round(vacuum_seconds, 1)}, seeding


# --- The site under gunicorn --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, env: dict[str, str], logfile: Path, probe: str):
        self.env, self.logfile, self.probe = env, logfile, probe
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        cmd = [
            PYTHON, "-m", "gunicorn", "-c", "python:oversight.gunicorn", "oversight.wsgi",
            "--workers", "2",
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--error-logfile", "-",
        ]  # fmt: skip
        self.out = self.logfile.open("ab")
        self.proc = subprocess.Popen(
            cmd, env=self.env, cwd=ROOT, stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                tail = self.logfile.read_text(errors="replace").splitlines()[-15:]
                raise BenchError("gunicorn did not come up:\n    " + "\n    ".join(tail))
            try:
                status, _loc, _text = intake.Browser("127.0.0.1", self.port, timeout=5).request("GET", self.probe)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None:
            stop(self.proc)
        self.out.close()


def intake_run(url: str, data_dir: Path, workdir: Path, args: argparse.Namespace, *, floor: bool) -> dict[str, Any]:
    label = "floor" if floor else "public form"
    env = bench_env(url, data_dir, "bench.settings" if floor else "oversight.settings")
    probe = "/bench/floor/file/" if floor else "/file/"
    out: dict[str, Any] = {}
    with Gunicorn(env, workdir / f"gunicorn-{'floor' if floor else 'site'}.log", probe) as server:
        log(f"intake ({label}): {args.intake_clients} clients for {args.intake_seconds:g}s on 127.0.0.1:{server.port}")
        result = intake.drive(
            server.port,
            clients=args.intake_clients,
            seconds=args.intake_seconds,
            floor=floor,
            double_submit_every=0 if floor else args.double_submit_every,
        )
        out["load"] = intake.summarize(result)
        if not floor and args.status_tracking_number:
            out["status_lookup_http"] = intake.status_lookups(
                server.port, args.status_tracking_number, DEMO_STATUS_CODE
            )
    filings = workdir / f"filings-{'floor' if floor else 'site'}.json"
    filings.write_text(
        json.dumps(
            {
                "started_at": result.started_at,
                "ended_at": result.ended_at,
                "filings": [f.__dict__ for f in result.filings],
            }
        )
    )
    checked = workdir / f"check-{'floor' if floor else 'site'}.json"
    run(
        [
            PYTHON,
            str(ROOT / "bench" / "measure.py"),
            "verify-intake",
            "--input",
            str(filings),
            "--output",
            str(checked),
        ],
        bench_env(url, data_dir),
        workdir / "verify.log",
        "intake verification",
    )
    out["check"] = json.loads(checked.read_text())
    load, check = out["load"], out["check"]
    log(
        f"intake ({label}): {load['complaints_per_second']:.1f} complaints/s, submit p95 "
        f"{load['submit_p95_ms']} ms, confirmed {load['filings_confirmed']}, lost {check['lost']}, "
        f"duplicated {check['duplicated']}, errors {load['errors'] or 'none'}"
    )
    return out


# --- Pages --------------------------------------------------------------------------------------


def pages_run(url: str, data_dir: Path, workdir: Path, args: argparse.Namespace, *, queries_only: bool = False):
    output = workdir / ("pages-ref.json" if queries_only else "pages.json")
    cmd = [
        PYTHON, str(ROOT / "bench" / "measure.py"), "pages",
        "--output", str(output),
        "--requests", str(args.requests),
        "--warmups", str(args.warmups),
        "--page-seconds", str(args.page_seconds),
        "--deep-page", str(args.deep_page),
    ]  # fmt: skip
    if queries_only:
        cmd.append("--queries-only")
    run(cmd, bench_env(url, data_dir), workdir / "pages.log", "page measurements", echo=not queries_only)
    return json.loads(output.read_text())


# --- The public side ------------------------------------------------------------------------------


def public_run(url: str, data_dir: Path, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The public pages, each open data download in a process of its own (its peak memory is its
    own), and the annual report's generation."""
    out: dict[str, Any] = {}

    def step(name: str, *extra: str) -> dict[str, Any]:
        output = workdir / f"public-{name}.json"
        cmd = [PYTHON, str(ROOT / "bench" / "public.py"), *extra, "--output", str(output)]
        try:
            run(cmd, bench_env(url, data_dir), workdir / f"public-{name}.log", f"public {name}", echo=True)
        except BenchError as error:
            return {"error": str(error).splitlines()[0]}
        return json.loads(output.read_text())

    out["pages"] = step(
        "pages",
        "pages",
        "--requests", str(args.requests),
        "--warmups", str(args.warmups),
        "--page-seconds", str(args.page_seconds),
    )  # fmt: skip
    out["exports"] = [step(f"export-{d}", "export", "--dataset", d) for d in ("cases", "allegations")]
    out["annual_report"] = step("report", "report")
    for page in out["pages"].get("pages") or []:
        log(f"  {page['page']:<40} median {page.get('median_ms', '?')} ms, {page.get('queries', '?')} queries")
    for export in out["exports"]:
        if "rows" in export:
            log(
                f"  /data/{export['dataset']}.csv: {export['rows']:,} rows at {export['rows_per_second']:,}/s, "
                f"peak {export['peak_rss_mb']} MB"
            )
    report = out["annual_report"]
    if "seconds" in report:
        log(f"  annual report {report['year']}: {report['seconds']} s")
    return out


# --- Results ------------------------------------------------------------------------------------


def git_info() -> dict[str, Any]:
    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD") or "unknown", "dirty": bool(git("status", "--porcelain"))}


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cores": usable,
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_at_start": _load(),
        "platform": platform.platform(),
    }


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def write_results(results: dict[str, Any]) -> tuple[Path, Path]:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = RESULTS / f"{stamp}-{results['scale']}"
    results["targets"] = report.targets(results)
    json_path, md_path = base.with_suffix(".json"), base.with_suffix(".md")
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    md_path.write_text(report.markdown(results))
    return json_path, md_path


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="complaints to seed (default 100000)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database and print its URL")
    parser.add_argument("--reuse", metavar="URL", help="measure an existing bench database (no seeding)")
    parser.add_argument("--requests", type=int, default=15, help="timed requests per page (default 15)")
    parser.add_argument("--warmups", type=int, default=2, help="warm-up requests per page (default 2)")
    parser.add_argument("--page-seconds", type=float, default=20.0, help="time budget per page (default 20)")
    parser.add_argument("--deep-page", type=int, default=500, help="the deep page of the case list (default 500)")
    parser.add_argument("--intake-seconds", type=float, default=60.0, help="intake load duration (default 60)")
    parser.add_argument("--intake-clients", type=int, default=20, help="concurrent intake clients (default 20)")
    parser.add_argument("--double-submit-every", type=int, default=10, help="every Nth filing double-clicks send")
    parser.add_argument("--no-intake", action="store_true", help="skip the intake load and its floor")
    parser.add_argument("--no-public", action="store_true", help="skip the public pages, downloads and report")
    parser.add_argument(
        "--only-public", action="store_true", help="measure only the public side (no staff pages, no intake)"
    )
    parser.add_argument(
        "--reference-scale", type=int, default=500, help="size of the database queries are compared with (0: none)"
    )
    args = parser.parse_args(argv)
    if args.only_public:
        args.no_intake = True
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    if args.intake_seconds <= 0 or args.intake_seconds > 3600:
        parser.error("--intake-seconds must be between 0 and 3600")
    if not 1 <= args.intake_clients <= 200:
        parser.error("--intake-clients must be between 1 and 200")
    return args


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    server, protected = server_url()
    created: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="oversight-bench-"))
    data_dir = workdir / "data"
    data_dir.mkdir()
    command = shlex.join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    results: dict[str, Any] = {
        "scale": args.scale,
        "command": command,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_info(),
        "machine": machine_info(),
        "settings": {
            "requests": args.requests,
            "warmups": args.warmups,
            "page_seconds": args.page_seconds,
            "deep_page": args.deep_page,
            "intake_clients": args.intake_clients,
            "intake_seconds": args.intake_seconds,
            "double_submit_every": args.double_submit_every,
            "reference_scale": args.reference_scale,
        },
        "notes": [],
    }
    keep_url = ""
    try:
        results["postgres"] = f"PostgreSQL {check_server(server)}"
        if args.reuse:
            parts = urlsplit(args.reuse)
            name = parts.path.lstrip("/")
            if not name.startswith(PREFIX) or name == protected:
                raise BenchError(f"--reuse takes a bench database ({PREFIX}…), not {name!r}")
            url = args.reuse
            try:
                connect(url).close()
            except Exception as error:  # noqa: BLE001 (any failure means the same to the user)
                raise BenchError(f"cannot open {name}: {str(error).strip().splitlines()[-1]}") from None
            results["seeding"] = None
            results["setup"] = {"reused": True}
            log(f"measuring the existing bench database {name}")
        else:
            name = f"{PREFIX}{os.getpid()}"
            created.append(name)
            if args.keep:
                keep_url = with_db(server, name)
            url, results["setup"], results["seeding"] = prepare_database(
                server, name, protected, args.scale, workdir, data_dir
            )
        log("collecting static files (DEBUG off serves the hashed names)")
        run(
            manage("collectstatic", "--noinput", "-v", "0"),
            bench_env(url, data_dir),
            workdir / "static.log",
            "collectstatic",
        )

        if args.only_public:
            results["pages"] = {"pages": [], "cases": [], "note": "skipped (--only-public)"}
        else:
            log("staff pages and status lookup (test client)")
            results["pages"] = pages_run(url, data_dir, workdir, args)
        if args.reuse and results["pages"].get("complaints"):
            results["scale"] = results["pages"]["complaints"]
        args.status_tracking_number = (results["pages"].get("status_lookup") or {}).get("tracking_number")

        if args.no_public:
            results["public"] = {"error": "skipped (--no-public)"}
        else:
            log("public pages, open data downloads and the annual report")
            results["public"] = public_run(url, data_dir, workdir, args)

        if args.no_intake:
            results["intake"] = {"real": {"error": "skipped (--no-intake)"}}
        else:
            results["intake"] = {}
            for key, floor in (("real", False), ("floor", True)):
                try:
                    results["intake"][key] = intake_run(url, data_dir, workdir, args, floor=floor)
                except BenchError as error:
                    log(f"intake ({key}) failed: {error}")
                    results["intake"][key] = {"error": str(error).splitlines()[0]}
            results["intake"]["status_lookup_http"] = results["intake"]["real"].pop("status_lookup_http", None)

        if args.reference_scale and not args.reuse:
            ref_name = f"{PREFIX}{os.getpid()}_ref"
            created.append(ref_name)
            log(f"reference database of {args.reference_scale:,} complaints, to compare queries per request")
            try:
                ref_url, _setup, _seed = prepare_database(
                    server, ref_name, protected, args.reference_scale, workdir, data_dir
                )
                ref = pages_run(ref_url, data_dir, workdir, args, queries_only=True)
                results["reference"] = {"scale": args.reference_scale, "pages": ref["pages"], "cases": ref["cases"]}
            except BenchError as error:
                results["reference"] = {"scale": args.reference_scale, "error": str(error).splitlines()[0]}
        elif args.reuse:
            results["reference"] = {"error": "not compared (--reuse)"}

        results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        results["machine"]["load_average_at_end"] = _load()
        json_path, md_path = write_results(results)
        print()
        print(report.console_table(results))
        print()
        for t in results["targets"]:
            print(f"  {t['status']:<12} {t['target']}: {t['result']}")
        print()
        log(f"results: {json_path.relative_to(ROOT)} and {md_path.relative_to(ROOT)}")
        return 0
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        return 130
    finally:
        for name in created:
            if keep_url and keep_url.endswith("/" + name):
                continue
            try:
                drop_database(server, name, protected)
                log(f"dropped {name}")
            except Exception as error:  # noqa: BLE001 (report and go on dropping the others)
                print(f"bench: could not drop {name}: {error}", file=sys.stderr)
        if keep_url:
            log(f"kept the bench database: {keep_url}  (measure it again with --reuse {keep_url})")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
