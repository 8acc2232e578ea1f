"""The measurements that run inside Django, against the bench database only.

``run.py`` starts this module in a subprocess whose environment points at the bench database:

* ``pages``: every staff page per demo login through Django's test client (server time, queries),
  each beside its floor (``floors.py``), and the public status lookup;
* ``verify-intake``: what the intake clients were told against the rows the database holds.

Results go to the JSON file named by ``--output``.
"""

import argparse
import html
import json
import os
import re
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.signals import got_request_exception  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from bench import floors  # noqa: E402
from oversight.authn.testing import verify_session  # noqa: E402

DEMO_STATUS_CODE = "DEMO-CODE-2026"
# (login, what it stands for, which pages): board2 is a plain board member, measured on the board
# pages only, where a member's view differs from the chair's.
ROLES = [
    ("supervisor", "supervisor", "all"),
    ("investigator", "investigator", "all"),
    ("board", "board chair", "all"),
    ("board2", "board member", "board"),
    ("intake", "intake coordinator", "all"),
]
CASE_TABS = ["", "timeline/", "notes/", "interviews/", "evidence/", "subpoenas/", "findings/", "deadline/", "history/"]
BOARD_ROLES = {"board", "board2"}

_errors: list[str] = []


def _on_exception(sender: Any, request: Any = None, **kwargs: Any) -> None:
    summary = traceback.format_exc().strip().splitlines()
    _errors.append(f"{getattr(request, 'path', '?')}: {summary[-1] if summary else 'error'}")


got_request_exception.connect(_on_exception)


# --- Statistics ----------------------------------------------------------------------------------


def summarize(seconds: list[float]) -> dict[str, Any]:
    ms = sorted(s * 1000 for s in seconds)
    if not ms:
        return {"n": 0}
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(p95, 2),
        "min_ms": round(ms[0], 2),
        "max_ms": round(ms[-1], 2),
    }


class Timer:
    """Warm-ups, one request with its queries captured, then timed requests. A page and its floor
    are timed in alternation, so both see the same load on a shared machine."""

    def __init__(self, args: argparse.Namespace):
        self.requests = args.requests
        self.warmups = args.warmups
        self.budget = args.page_seconds
        self.queries_only = args.queries_only

    @staticmethod
    def _sender(client: Client, url: str, method: str, data: dict | None) -> Callable[[], Any]:
        send = getattr(client, method)
        return (lambda: send(url, data)) if data is not None else (lambda: send(url))

    def prepare(self, send: Callable[[], Any], url: str) -> dict[str, Any]:
        errors_before = len(_errors)
        for _ in range(self.warmups):
            send()
        with CaptureQueriesContext(connection) as queries:
            response = send()
        result: dict[str, Any] = {
            "url": url,
            "status": response.status_code,
            "queries": len(queries),
            "bytes": len(response.content),
            "body": response.content.decode(errors="replace"),
        }
        if len(_errors) > errors_before:
            result["error"] = _errors[-1]
        return result

    def sample(self, *sends: Callable[[], Any]) -> tuple[list[list[float]], bool]:
        samples: list[list[float]] = [[] for _ in sends]
        started = time.perf_counter()
        for i in range(self.requests):
            for send, into in zip(sends, samples, strict=True):
                t0 = time.perf_counter()
                send()
                into.append(time.perf_counter() - t0)
            if time.perf_counter() - started > self.budget and i >= 4:
                return samples, True
        return samples, False

    def run(self, client: Client, url: str, method: str = "get", data: dict | None = None) -> dict[str, Any]:
        send = self._sender(client, url, method, data)
        result = self.prepare(send, url)
        if result["status"] == 200 and not self.queries_only:
            (samples,), cut = self.sample(send)
            result.update(summarize(samples), **({"cut_short": True} if cut else {}))
        return result

    def run_pair(
        self, client: Client, url: str, floor_url: Callable[[dict], str]
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The page, then its floor (whose URL may depend on what the page showed), timed in turn."""
        send = self._sender(client, url, "get", None)
        real = self.prepare(send, url)
        if real["status"] != 200 or self.queries_only:
            return real, None
        other = floor_url(real)
        floor_send = self._sender(client, other, "get", None)
        floor = self.prepare(floor_send, other)
        floor.pop("body")
        if floor["status"] != 200:
            (samples,), cut = self.sample(send)
            real.update(summarize(samples), **({"cut_short": True} if cut else {}))
            return real, floor
        (real_samples, floor_samples), cut = self.sample(send, floor_send)
        real.update(summarize(real_samples), **({"cut_short": True} if cut else {}))
        floor.update(summarize(floor_samples))
        return real, floor


# --- Reading the real page ----------------------------------------------------------------------

_NEXT = re.compile(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"')


def tracking_numbers(body: str) -> list[str]:
    prefix = re.escape(settings.TRACKING_NUMBER_PREFIX)
    found = re.findall(rf'href="/staff/[^"]*?\b({prefix}-\d{{4}}-\d+)\b', body)
    return list(dict.fromkeys(found))


def next_link(body: str) -> str | None:
    match = _NEXT.search(body)
    return html.unescape(match.group(1) or match.group(2)) if match else None


def deep_page_url(client: Client, base: str, depth: int) -> tuple[str, int, str]:
    """The URL of page ``depth`` of a list, reached the way a person would: numbered pages by
    their number, keyset pages by following "Next" from the first page. Returns (url, page reached,
    how)."""
    body = client.get(base).content.decode()
    link = next_link(body)
    if link is None:
        return base, 1, "one page only"
    if "page=" in link and "after=" not in link:
        return f"{base}?page={depth}", depth, "page number"
    url, page = base, 1
    while page < depth:
        link = next_link(body)
        if link is None:
            break
        url = base + link if link.startswith("?") else link
        body = client.get(url).content.decode()
        page += 1
    return url, page, "followed Next links"


# --- Picking what to measure --------------------------------------------------------------------


def pick_case(user: Any) -> tuple[str, str] | None:
    """(tracking number, status) of a case this login can see, in the status its role works on
    (the first of its statuses that has one), with the most notes among the newest few hundred."""
    from complaints.models import Complaint
    from complaints.selectors import complaint_visible_queryset
    from investigations.models import CaseNote

    visible = complaint_visible_queryset(user)
    if user.username in BOARD_ROLES:
        wanted = [Complaint.Status.BOARD_REVIEW]
    elif user.username == "intake":
        wanted = [Complaint.Status.IN_TRIAGE, Complaint.Status.RECEIVED]
    else:
        wanted = [Complaint.Status.UNDER_INVESTIGATION]
    for status in [*wanted, None]:
        candidates = visible.filter(status=status) if status else visible
        if user.username == "investigator" and status:
            candidates = candidates.filter(
                investigation__assignments__investigator=user, investigation__assignments__ended_at__isnull=True
            )
        ids = list(candidates.order_by("-received_at", "-id").values_list("id", flat=True)[:300])
        if ids:
            notes = dict(
                CaseNote.objects.filter(complaint_id__in=ids)
                .values_list("complaint_id")
                .annotate(n=Count("id"))
                .order_by()
            )
            best = max(ids, key=lambda pk: (notes.get(pk, 0), -ids.index(pk)))
            return Complaint.objects.values_list("tracking_number", "status").get(pk=best)
    return None


def busiest_district() -> tuple[int, str] | None:
    from complaints.models import Complaint
    from oversight.models import District

    row = (
        Complaint.objects.exclude(district=None)
        .values_list("district_id")
        .annotate(n=Count("id"))
        .order_by("-n", "district_id")
        .first()
    )
    if row is None:
        return None
    return row[0], District.objects.get(pk=row[0]).name


# --- The pages ----------------------------------------------------------------------------------


def measure_pages(args: argparse.Namespace) -> dict[str, Any]:
    from complaints.forms import ComplaintListFilterForm, IntakeQueueFilterForm

    timer = Timer(args)
    user_model = get_user_model()
    district = busiest_district()
    results: list[dict[str, Any]] = []
    cases: dict[str, dict | None] = {}

    def record(page: str, login: str, role: str, real: dict, floor: dict | None, floor_kind: str, rows: Any) -> None:
        real_body = real.pop("body", "")
        entry = {"page": page, "login": login, "role": role, **real, "rows": rows}
        if real["status"] != 200:
            entry["applies"] = False
            entry["note"] = _refusal(real_body, real)
        else:
            entry["applies"] = True
        if floor is not None:
            entry["floor"] = {**floor, "kind": floor_kind}
            if floor.get("median_ms") and real.get("median_ms"):
                entry["ratio"] = round(real["median_ms"] / floor["median_ms"], 2)
        results.append(entry)
        mark = f"{real.get('median_ms', '-')} ms" if real["status"] == 200 else f"status {real['status']}"
        print(f"  {login:<13} {page:<34} {mark}", flush=True)

    def floor_of(kind: str, spec: Any) -> str:
        return f"/bench/floor/{kind}/{floors.register(f'f{len(floors.SPECS)}', spec)}/"

    def list_page(client, login, role, page, url, template, form_class, keyset=True, context=None):
        extra = {"form_class": form_class, "keyset": keyset, "context": context or {}}
        real, floor = timer.run_pair(
            client, url, lambda r: floor_of("list", floors.ListSpec(template, tracking_numbers(r["body"]), extra))
        )
        record(page, login, role, real, floor, "page template, rows by key", len(tracking_numbers(real["body"])))

    def rows_page(client, login, role, page, url, heading):
        real, floor = timer.run_pair(
            client,
            url,
            lambda r: floor_of("rows", floors.ListSpec("", tracking_numbers(r["body"]), {"heading": heading})),
        )
        record(page, login, role, real, floor, "simple template, linked cases", len(tracking_numbers(real["body"])))

    def case_page(client, login, role, page, url, tab, tn):
        real, floor = timer.run_pair(client, url, lambda r: floor_of("case", floors.CaseSpec(tab, tn)))
        try:
            rows = floors.case_rows(tab, tn)
        except Exception as error:  # noqa: BLE001 (a floor that no longer matches the schema is reported)
            rows = None
            _errors.append(f"floor {tab}: {error}".splitlines()[0])
        record(page, login, role, real, floor, "simple template, case and tab rows in one join", rows)

    with override_settings(ROOT_URLCONF="bench.urls"):
        for login, role, scope in ROLES:
            user = user_model.objects.filter(username=login).first()
            if user is None:
                print(f"  {login}: no such demo login, skipped", flush=True)
                continue
            client = Client(raise_request_exception=False)
            client.force_login(user)
            # Staff pages need a verified second factor: the session is marked as after a code.
            verify_session(client, user)
            picked = pick_case(user)
            tn = picked[0] if picked else None
            cases[login] = {"tracking_number": tn, "status": picked[1]} if picked else None
            if scope == "all":
                base = "/staff/complaints/"
                list_page(
                    client, login, role, "case list", base, "complaints/complaint_list.html", ComplaintListFilterForm
                )
                list_page(
                    client,
                    login,
                    role,
                    "case list ?status=under_investigation",
                    f"{base}?status=under_investigation",
                    "complaints/complaint_list.html",
                    ComplaintListFilterForm,
                )
                if district:
                    list_page(
                        client,
                        login,
                        role,
                        "case list ?district",
                        f"{base}?district={district[0]}",
                        "complaints/complaint_list.html",
                        ComplaintListFilterForm,
                    )
                url, reached, how = deep_page_url(client, base, args.deep_page)
                list_page(
                    client,
                    login,
                    role,
                    f"case list, page {reached}",
                    url,
                    "complaints/complaint_list.html",
                    ComplaintListFilterForm,
                )
                results[-1]["deep_page"] = {"wanted": args.deep_page, "reached": reached, "how": how}
                if tn:
                    for tab in CASE_TABS:
                        name = tab.rstrip("/") or "overview"
                        case_page(client, login, role, f"case {name}", f"/staff/cases/{tn}/{tab}", name, tn)
            if tn and login in BOARD_ROLES:
                case_page(client, login, role, "case board review", f"/staff/cases/board/{tn}/", "board", tn)
                case_page(client, login, role, "case decision", f"/staff/cases/{tn}/decision/", "decision", tn)
            if scope == "all":
                rows_page(client, login, role, "dashboard", "/staff/cases/", "Dashboard")
                list_page(
                    client,
                    login,
                    role,
                    "intake queue",
                    "/staff/complaints/intake/",
                    "complaints/intake_queue.html",
                    IntakeQueueFilterForm,
                    keyset=False,
                    context={"count_received": 0, "count_in_triage": 0},
                )
            rows_page(client, login, role, "board queue", "/staff/cases/board/", "Board review queue")
            if scope == "all":
                rows_page(client, login, role, "staff home", "/staff/", "Staff home")
    from complaints.models import Complaint

    return {
        "complaints": Complaint.objects.count(),
        "pages": results,
        "cases": cases,
        "district": {"id": district[0], "name": district[1]} if district else None,
        "errors": _errors[:50],
    }


def _refusal(body: str, real: dict) -> str:
    if real.get("error"):
        return real["error"]
    return {302: "redirects", 403: "forbidden", 404: "not found"}.get(real["status"], f"status {real['status']}")


def measure_status(args: argparse.Namespace) -> dict[str, Any]:
    from complaints.models import Complaint

    tn = (
        Complaint.objects.filter(status=Complaint.Status.DECIDED)
        .order_by("id")
        .values_list("tracking_number", flat=True)
        .first()
        or Complaint.objects.order_by("id").values_list("tracking_number", flat=True).first()
    )
    if tn is None:
        return {"error": "no complaint to look up"}
    client = Client(raise_request_exception=False)
    timer = Timer(args)
    timer.requests = max(args.requests, 30)
    result = timer.run(client, "/status/", method="post", data={"tracking_number": tn, "code": DEMO_STATUS_CODE})
    body = result.pop("body", "")
    result["tracking_number"] = tn
    result["found"] = result["status"] == 200 and tn in body
    return result


# --- Intake verification ------------------------------------------------------------------------


def verify_intake(path: str) -> dict[str, Any]:
    """Compare what the clients were told with the rows stored.

    * lost: a client was given a tracking number that is not stored, or is stored for another
      submission (idempotency key);
    * duplicated: one submission (idempotency key) stored more than once, or one tracking number
      given for two different submissions;
    * stored without confirmation: rows for submissions whose client saw an error.
    """
    from complaints.models import Complaint

    data = json.loads(Path(path).read_text())
    filings = data["filings"]
    keys = [f["key"] for f in filings if f.get("key")]
    numbers = [f["tracking_number"] for f in filings if f.get("tracking_number")]
    rows = list(
        Complaint.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "tracking_number")
    ) + list(Complaint.objects.filter(tracking_number__in=numbers).values_list("idempotency_key", "tracking_number"))
    rows = list(dict.fromkeys(rows))
    by_key: dict[str, list[str]] = {}
    by_number: dict[str, str | None] = {}
    for key, number in rows:
        by_key.setdefault(key, []).append(number)
        by_number[number] = key
    acknowledged = [f for f in filings if f.get("tracking_number")]
    lost = [f for f in acknowledged if by_number.get(f["tracking_number"], "__missing__") != f["key"]]
    told: dict[str, set[str]] = {}
    for f in acknowledged:
        told.setdefault(f["tracking_number"], set()).add(f["key"])
    duplicated = [k for k, v in by_key.items() if len(v) > 1] + [n for n, ks in told.items() if len(ks) > 1]
    unconfirmed = [f["key"] for f in filings if not f.get("tracking_number") and f.get("key") in by_key]
    window_rows = Complaint.objects.filter(created_at__gte=data["started_at"], created_at__lte=data["ended_at"]).count()
    return {
        "submissions": len(filings),
        "acknowledged": len(acknowledged),
        "stored": len(by_key),
        "lost": len(lost),
        "lost_examples": [f["tracking_number"] for f in lost[:5]],
        "duplicated": len(duplicated),
        "duplicated_examples": duplicated[:5],
        "stored_without_confirmation": len(unconfirmed),
        "rows_created_in_window": window_rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    pages = sub.add_parser("pages")
    pages.add_argument("--output", required=True)
    pages.add_argument("--requests", type=int, default=15)
    pages.add_argument("--warmups", type=int, default=2)
    pages.add_argument("--page-seconds", type=float, default=20.0)
    pages.add_argument("--deep-page", type=int, default=500)
    pages.add_argument("--queries-only", action="store_true")
    verify = sub.add_parser("verify-intake")
    verify.add_argument("--input", required=True)
    verify.add_argument("--output", required=True)
    args = parser.parse_args()
    if args.command == "pages":
        if args.queries_only:
            args.warmups, args.requests = 1, 0
        out = measure_pages(args)
        if not args.queries_only:
            print("  status lookup", flush=True)
            out["status_lookup"] = measure_status(args)
        out["database"] = {"vendor": connection.vendor, "name": connection.settings_dict["NAME"]}
        Path(args.output).write_text(json.dumps(out, indent=2, default=str))
    else:
        Path(args.output).write_text(json.dumps(verify_intake(args.input), indent=2, default=str))


if __name__ == "__main__":
    main()
