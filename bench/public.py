"""The public side, measured inside Django against the bench database only (``run.py`` starts it
in a subprocess whose environment points there):

* ``pages``: the published dispositions list (plain, filtered, a deep page reached by its "Next"
  links), a disposition, the dashboard (all years and the latest year), the open data page, the
  API list, the reports page, as an anonymous visitor through Django's test client;
* ``export``: one open data download streamed to the end (rows a second; the process's peak memory
  before and after), each dataset in a process of its own so one's peak does not hide in another's;
* ``report``: the annual report of the last full year generated from the case tables, as the task
  does (statistics computed, PDF drawn and stored), timed.

Results go to the JSON file named by ``--output``.
"""

import argparse
import json
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import Timer  # noqa: E402  (sets Django up on the bench database)

_NEXT = re.compile(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"')


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _next(body: str) -> str | None:
    match = _NEXT.search(body)
    if not match:
        return None
    return (match.group(1) or match.group(2)).replace("&amp;", "&")


def _deep(client: Any, base: str, depth: int) -> tuple[str, int]:
    url, reached = base, 1
    while reached < depth:
        found = _next(client.get(url).content.decode())
        if not found:
            break
        url = found if found.startswith("/") else base.split("?")[0] + found
        reached += 1
    return url, reached


def measure_pages(args: argparse.Namespace) -> dict[str, Any]:
    from django.db.models import Count, Max
    from django.test import Client

    from public_portal.publication.models import Publication, PublishedAllegation

    runner = Timer(args)
    client = Client()
    published = Publication.objects.filter(status=Publication.Status.PUBLISHED)
    out: dict[str, Any] = {
        "published": published.count(),
        "published_allegations": PublishedAllegation.objects.filter(publication__status="published").count(),
        "pages": [],
    }
    latest_year = published.aggregate(y=Max("decision_year"))["y"]
    top_class = (
        PublishedAllegation.objects.filter(publication__status="published", category_class__isnull=False)
        .values("category_class__code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    busiest = published.exclude(district=None).values("district__code").annotate(n=Count("id")).order_by("-n").first()
    sample = published.order_by("-decision_date", "-id").values_list("public_id", flat=True).first()
    deep_url, reached = _deep(client, "/decisions/", args.deep_page)
    pages = [
        ("decisions list", "/decisions/"),
        (f"decisions, year {latest_year}", f"/decisions/?year={latest_year}"),
        (
            f"decisions, category {top_class['category_class__code'] if top_class else '-'}",
            f"/decisions/?category={top_class['category_class__code']}" if top_class else "",
        ),
        ("decisions, busiest district", f"/decisions/?district={busiest['district__code']}" if busiest else ""),
        (f"decisions, page {reached}", deep_url),
        ("a disposition", f"/decisions/{sample}/" if sample else ""),
        ("dashboard", "/dashboard/"),
        (f"dashboard, year {latest_year}", f"/dashboard/?year={latest_year}"),
        ("open data page", "/data/"),
        ("API dispositions", "/api/v1/dispositions/"),
        ("reports", "/reports/"),
    ]
    for name, url in pages:
        if not url:
            continue
        print(f"  {name}", flush=True)
        result = runner.run(client, url)
        result.pop("body", None)
        out["pages"].append({"page": name, **result})
    return out


def measure_export(args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client

    from public_portal.publication.models import Publication, PublishedAllegation

    # The rows the download holds, counted beforehand (a summary may hold line breaks, so counting
    # them in the stream would overcount).
    if args.dataset == "cases":
        rows = Publication.objects.filter(status=Publication.Status.PUBLISHED).count()
    else:
        rows = PublishedAllegation.objects.filter(publication__status=Publication.Status.PUBLISHED).count()
    client = Client()
    before = _peak_mb()
    started = time.perf_counter()
    response = client.get(f"/data/{args.dataset}.csv")
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    seconds = time.perf_counter() - started
    return {
        "dataset": args.dataset,
        "status": response.status_code,
        "streaming": response.streaming,
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "peak_rss_mb_before": round(before, 1),
        "peak_rss_mb": round(_peak_mb(), 1),
    }


def measure_report(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from public_portal.transparency.reports import services
    from public_portal.transparency.reports.models import PublicReport

    publisher = get_user_model().objects.get(username="publisher")
    year = timezone.localdate().year - 1
    started = time.perf_counter()
    report = services.report_generate(kind=PublicReport.Kind.ANNUAL, year=year, actor=publisher)
    seconds = time.perf_counter() - started
    return {
        "year": year,
        "status": report.status,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(_peak_mb(), 1),
        "complaints": _complaints(),
    }


def _complaints() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM complaints_complaint")
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    pages = sub.add_parser("pages")
    pages.add_argument("--requests", type=int, default=15)
    pages.add_argument("--warmups", type=int, default=2)
    pages.add_argument("--page-seconds", type=float, default=20.0)
    pages.add_argument("--deep-page", type=int, default=50)
    export = sub.add_parser("export")
    export.add_argument("--dataset", choices=("cases", "allegations"), required=True)
    sub.add_parser("report")
    for each in (pages, export, sub.choices["report"]):
        each.add_argument("--output", required=True)
    args = parser.parse_args()
    args.queries_only = False
    if args.command == "pages":
        out = measure_pages(args)
    elif args.command == "export":
        out = measure_export(args)
    else:
        out = measure_report(args)
    Path(args.output).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    sys.exit(main())
