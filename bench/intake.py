"""Concurrent clients that file complaints through a running server, over HTTP, like browsers.

Standard library only. Each client keeps its own cookies and CSRF token, follows redirects with a
GET as a browser does, and records what it was told (tracking number, idempotency key) so the
harness can compare it with the rows stored. Traffic goes to 127.0.0.1 only.
"""

import http.client
import re
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

# A 1×1 PNG, as the intake tests upload.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

# The answers of tests/public_portal/intake_flow.py, step by step. Written out here rather than
# imported: the load clients run without Django, and that module needs Django set up.
INCIDENT = {
    "date_precision": "exact",
    "date": "2026-03-12",
    "time_precision": "approximate",
    "time": "21:15",
    "location": "Outside the laundromat at 5th and Market",
    "district": "",
    "narrative": "Two officers stopped me, pushed me against the wall and took my phone when I asked why.",
    "website": "",
}
OFFICERS = {
    "officers-TOTAL_FORMS": "1",
    "officers-INITIAL_FORMS": "0",
    "officers-MIN_NUM_FORMS": "1",
    "officers-MAX_NUM_FORMS": "10",
    "officers-0-known": "identified",
    "officers-0-name": "Officer Reyes",
    "officers-0-badge": "4471",
    "officers-0-appearance": "",
    "officers-0-vehicle": "",
    "officers-0-unit": "",
}
KINDS = [("kinds", "force"), ("kinds", "property")]
WITNESSES = {
    "witnesses-TOTAL_FORMS": "1",
    "witnesses-INITIAL_FORMS": "0",
    "witnesses-MIN_NUM_FORMS": "1",
    "witnesses-MAX_NUM_FORMS": "10",
    **{f"witnesses-0-{k}": "" for k in ("first_name", "last_name", "phone", "email", "description")},
}
ABOUT = {
    "filing_as": "self",
    "first_name": "Rosa",
    "last_name": "Delgado",
    "email": "rosa.delgado@example.com",
    "phone": "555-201-3344",
    "address": "",
    "preferred_contact": "email",
    "preferred_language": "en",
    "race_ethnicity": "prefer_not",
    "gender": "female",
    "age_range": "35_44",
}

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
_TRACKING = re.compile(r'class="tracking-number">\s*([^<\s]+)\s*<')


class StepFailed(Exception):
    def __init__(self, step: str, status: int, detail: str = ""):
        super().__init__(f"{step}: {status} {detail}".strip())
        self.step, self.status = step, status


class Browser:
    """One visitor: a cookie jar, the last CSRF token seen, and a connection to the server."""

    def __init__(self, host: str, port: int, timeout: float = 30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.lock = threading.Lock()

    def copy(self) -> "Browser":
        other = Browser(self.host, self.port, self.timeout)
        other.cookies, other.csrf = dict(self.cookies), self.csrf
        return other

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ) -> tuple[int, str, str]:
        """(status, Location, body text). One connection per request: sync workers close it anyway."""
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "oversight-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = f"http://{self.host}:{self.port}"
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            match = _CSRF.search(text)
            if match:
                self.csrf = match.group(1)
            location = response.getheader("Location", "")
            return response.status, location, text
        finally:
            conn.close()

    def get(self, path: str, step: str, expect: int = 200) -> str:
        status, _loc, text = self.request("GET", path)
        if status != expect:
            raise StepFailed(step, status)
        return text

    def post(self, path: str, fields: dict | list, step: str, files: list | None = None) -> tuple[int, str, str]:
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        items.append(("csrfmiddlewaretoken", self.csrf))
        if files:
            body, content_type = _multipart(items, files)
        else:
            body, content_type = urlencode(items).encode(), ""
        return self.request("POST", path, body, content_type)

    def post_follow(
        self, path: str, fields: dict | list, step: str, expect_next: str, files: list | None = None
    ) -> str:
        status, location, _text = self.post(path, fields, step, files)
        if status != 302 or not urlsplit(location).path.endswith(expect_next):
            raise StepFailed(step, status, location)
        return self.get(urlsplit(location).path, f"{step} (next page)")


def _multipart(items: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in items:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        parts.append(head + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Filing:
    key: str = ""
    tracking_number: str = ""
    submit_seconds: float = 0.0
    total_seconds: float = 0.0
    double_submitted: bool = False
    error: str = ""
    finished: float = 0.0  # seconds after the load started


def file_public_complaint(browser: Browser, double_submit: bool = False) -> Filing:
    """The public form end to end: start, every step, review, send, confirmation page."""
    filing = Filing(double_submitted=double_submit)
    started = time.perf_counter()
    try:
        browser.get("/file/", "start page")
        browser.post_follow("/file/", {"action": "start"}, "start", "/file/incident/")
        browser.post_follow("/file/incident/", {**INCIDENT, "action": "next"}, "incident", "/file/officers/")
        browser.post_follow("/file/officers/", {**OFFICERS, "action": "next"}, "officers", "/file/kinds/")
        browser.post_follow("/file/kinds/", [*KINDS, ("action", "next")], "kinds", "/file/witnesses/")
        browser.post_follow("/file/witnesses/", {**WITNESSES, "action": "next"}, "witnesses", "/file/evidence/")
        browser.post_follow(
            "/file/evidence/",
            {"action": "upload"},
            "upload",
            "/file/evidence/",
            files=[("files", "photo.png", PNG_BYTES)],
        )
        browser.post_follow("/file/evidence/", {"action": "next"}, "evidence", "/file/about/")
        browser.post_follow("/file/about/", {**ABOUT, "action": "next"}, "about", "/file/consent/")
        review = browser.post_follow("/file/consent/", {"agree": "on", "action": "next"}, "consent", "/file/review/")
        match = _FORM_TOKEN.search(review)
        if not match:
            raise StepFailed("review", 200, "no form token on the review page")
        filing.key = match.group(1)
        fields = {"form_token": filing.key, "website": "", "action": "submit"}
        second: dict[str, Any] = {}
        thread = None
        if double_submit:
            # A double click: the same form sent twice at once from the same browser session.
            twin = browser.copy()
            thread = threading.Thread(target=lambda: second.update(r=twin.post("/file/review/", fields, "submit")))
            thread.start()
        t0 = time.perf_counter()
        status, location, _text = browser.post("/file/review/", fields, "submit")
        filing.submit_seconds = time.perf_counter() - t0
        if thread is not None:
            thread.join()
        if status != 302 or not urlsplit(location).path.endswith("/file/done/"):
            raise StepFailed("submit", status, location)
        done = browser.get("/file/done/", "confirmation page")
        match = _TRACKING.search(done)
        if not match:
            raise StepFailed("confirmation page", 200, "no tracking number")
        filing.tracking_number = match.group(1)
    except (StepFailed, OSError, http.client.HTTPException) as error:
        filing.error = str(error)[:200]
    filing.total_seconds = time.perf_counter() - started
    return filing


def file_floor_complaint(browser: Browser, double_submit: bool = False) -> Filing:
    """The floor: a form page, then one POST that stores the complaint."""
    filing = Filing()
    started = time.perf_counter()
    try:
        page = browser.get("/bench/floor/file/", "floor form")
        match = _FORM_TOKEN.search(page)
        filing.key = match.group(1) if match else ""
        fields = {
            "form_token": filing.key,
            "narrative": INCIDENT["narrative"],
            "first_name": ABOUT["first_name"],
            "last_name": ABOUT["last_name"],
            "email": ABOUT["email"],
            "officer_name": OFFICERS["officers-0-name"],
            "badge": OFFICERS["officers-0-badge"],
        }
        t0 = time.perf_counter()
        status, _location, text = browser.post("/bench/floor/file/", fields, "floor submit")
        filing.submit_seconds = time.perf_counter() - t0
        if status != 200:
            raise StepFailed("floor submit", status)
        match = _TRACKING.search(text)
        if not match:
            raise StepFailed("floor submit", status, "no tracking number")
        filing.tracking_number = match.group(1)
    except (StepFailed, OSError, http.client.HTTPException) as error:
        filing.error = str(error)[:200]
    filing.total_seconds = time.perf_counter() - started
    return filing


@dataclass
class LoadResult:
    started_at: str
    ended_at: str
    window: float  # the seconds asked for; filings finished after it are drained, not counted in the rate
    seconds: float  # until the last filing under way finished
    filings: list[Filing] = field(default_factory=list)


def drive(port: int, *, clients: int, seconds: float, floor: bool = False, double_submit_every: int = 0) -> LoadResult:
    """``clients`` threads filing complaints one after another for ``seconds``; a filing under way
    when the time is up is finished (each request is bounded by its timeout)."""
    filings: list[Filing] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(1, 10**9))

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                n = next(counter)
            browser = Browser("127.0.0.1", port)  # a new visitor for every complaint
            double = bool(double_submit_every) and n % double_submit_every == 0
            result = file_floor_complaint(browser) if floor else file_public_complaint(browser, double)
            result.finished = time.monotonic() - t0
            with lock:
                filings.append(result)

    started_at = datetime.now(UTC)
    t0 = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - t0
    return LoadResult(
        started_at=started_at.isoformat(),
        ended_at=datetime.now(UTC).isoformat(),
        window=seconds,
        seconds=elapsed,
        filings=filings,
    )


def summarize(result: LoadResult) -> dict[str, Any]:
    ok = [f for f in result.filings if f.tracking_number]
    in_window = [f for f in ok if f.finished <= result.window]
    submit_ms = sorted(f.submit_seconds * 1000 for f in ok)
    total_ms = sorted(f.total_seconds * 1000 for f in ok)
    errors: dict[str, int] = {}
    for f in result.filings:
        if f.error:
            match = re.match(r"(.*?: \S+)", f.error)
            kind = match.group(1) if match else f.error[:60]
            errors[kind] = errors.get(kind, 0) + 1
    return {
        "window_seconds": result.window,
        "seconds": round(result.seconds, 1),
        "filings_started": len(result.filings),
        "filings_confirmed": len(ok),
        "confirmed_in_window": len(in_window),
        "double_submits": sum(1 for f in result.filings if f.double_submitted),
        # Every confirmation over the whole run, drain included (clients start no new filing after
        # the window, so this errs low by at most one filing's duration over the run).
        "complaints_per_second": round(len(ok) / result.seconds, 2) if result.seconds else 0.0,
        "submit_p50_ms": _q(submit_ms, 0.5),
        "submit_p95_ms": _q(submit_ms, 0.95),
        "filing_p50_ms": _q(total_ms, 0.5),
        "filing_p95_ms": _q(total_ms, 0.95),
        "errors": errors,
    }


def _q(values: list[float], q: float) -> float | None:
    """The q-quantile (linear interpolation between the closest ranks)."""
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1], 1)


def status_lookups(port: int, tracking_number: str, code: str, n: int = 50) -> dict[str, Any]:
    """Status lookups one after another from one visitor, over HTTP."""
    browser = Browser("127.0.0.1", port)
    browser.get("/status/", "status page")
    samples, statuses = [], {}
    for i in range(n + 2):
        t0 = time.perf_counter()
        status, _loc, text = browser.post("/status/", {"tracking_number": tracking_number, "code": code}, "status")
        if i >= 2:
            samples.append(time.perf_counter() - t0)
        statuses[status] = statuses.get(status, 0) + 1
    ms = sorted(s * 1000 for s in samples)
    return {"n": len(ms), "p50_ms": _q(ms, 0.5), "p95_ms": _q(ms, 0.95), "statuses": statuses}
