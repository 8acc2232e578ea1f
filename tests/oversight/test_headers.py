"""The headers every response carries (docs/headers.md).

* The Content-Security-Policy, with the directives written out here by hand, is on the response of
  every route the URL resolver has (public pages, the staff area, the admin, the API), whatever its
  status, and on the error pages (400, 403, 404, 413, 500, the CSRF failure).
* No template of the project has an inline ``<script>``, a ``<style>``, a ``style=`` or ``on...=``
  attribute or a ``javascript:`` address; nor does the HTML of a few key pages once rendered.
* ``Cache-Control: no-store`` on every staff and admin response, on the resident's own pages (the
  intake steps, the review, the receipt and its PDF, the status result) and on any response that
  showed personal data; public pages without personal data do not carry it.
* ``Permissions-Policy`` on every response; HSTS and secure cookies with ``HTTPS=true``, and
  ``check --deploy`` clean.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone

import oversight.urls
from complaints.models import Complaint
from investigations.models import EvidenceItem
from oversight import personal_data
from public_portal.intake import STEP_SLUGS
from public_portal.views import RECEIPTS_SESSION_KEY

from ..public_portal.intake_flow import fill_to_review, submit
from ..public_portal.transparency.test_statistics import city, snapshot  # noqa: F401 (the fixtures)
from . import test_bad_input as bad_input
from .test_bad_input import FORMS, World, _filler, _routes

pytestmark = pytest.mark.django_db
# The cases and people of the bad-input test, whose route list (with sample arguments) the walk reuses.
world = bad_input.world

ROOT = Path(__file__).resolve().parents[2]

# The policy, written out by hand: everything from this site, nothing inline, no plugins, never framed.
CSP = {
    "default-src": {"'self'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
    "object-src": {"'none'"},
}
# The API documentation alone also takes images from data: URLs (Swagger UI's stylesheet draws its icons so).
API_DOCS_CSP = {**CSP, "img-src": {"'self'", "data:"}}
# A stored file (evidence, a board packet) leaves as an attachment under a policy of its own that
# forbids everything a page could do, should a browser open it anyway (oversight/storage.py).
DOWNLOAD_CSP = {"sandbox": set()}
STORED_FILE_DOWNLOADS = {"cases:evidence_download", "board:packet_file"}
PERMISSIONS = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "browsing-topics=()")

# The resident's own pages: what they typed, their receipt, their status. Each is never cached.
RESIDENT_PAGES = {
    "public_portal:intake_start",
    "public_portal:intake_step",
    "public_portal:intake_done",
    "public_portal:intake_receipt",
    "public_portal:intake_receipt_html",
    "public_portal:status_lookup",
    "public_portal:employee_intake_start",
    "public_portal:employee_intake_step",
    "public_portal:employee_intake_done",
    "public_portal:employee_intake_receipt",
    "public_portal:employee_intake_receipt_html",
    "public_portal:status_messages",
    "public_portal:status_reply",
    "public_portal:status_close",
    "public_portal:recommendation_comment",
    "public_portal:recommendation_comment_sent",
}
# Public pages without personal data: cacheable as their views decide.
PUBLIC_PAGES = [
    "/",
    "/dashboard/",
    "/decisions/",
    "/data/",
    "/data/dictionary/",
    "/recommendations/",
    "/meetings/",
    "/meetings.ics",
    "/reports/",
    "/api/v1/dispositions/",
    "/api/schema/",
    "/api/docs/",
]


def directives(header: str) -> dict[str, set[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


def assert_headers(response, what, *, stored_file: bool = False) -> None:
    assert "Content-Security-Policy" in response, (what, response.status_code)
    expected = DOWNLOAD_CSP if stored_file else API_DOCS_CSP if str(what).startswith("/api/docs/") else CSP
    assert directives(response["Content-Security-Policy"]) == expected, (what, response["Content-Security-Policy"])
    policy = response.get("Permissions-Policy", "")
    assert all(feature in policy for feature in PERMISSIONS), (what, policy)
    assert "interest-cohort" not in policy
    assert response["X-Content-Type-Options"] == "nosniff", what
    assert response["Referrer-Policy"] == "same-origin", what


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- Every route ---------------------------------------------------------------------------------------


def _reverse(name: str, kwargs: dict) -> str:
    """The route's address; the admin's regular expression routes (the application index, the row
    history pages) take an application label or positional ids instead."""
    for attempt in ({"kwargs": kwargs}, {"kwargs": {"app_label": "complaints"}}, {"args": ["1", "1"]}, {"args": ["1"]}):
        try:
            return reverse(name, **attempt)
        except NoReverseMatch:
            continue
    raise AssertionError(f"No sample address for the route {name}")


def _url(name: str, converters: dict, world: World) -> tuple[str, str]:
    """(url, persona) for a route: a form's own arguments and persona where test_bad_input lists one,
    otherwise the parameters filled from the world (the case's tracking number, item 1 ...)."""
    for form in FORMS:
        if form.name == name:
            return reverse(name, args=form.args(world)), form.persona
    kwargs = {
        key: world.case.tracking_number if "tracking" in key else converter.to_python(_filler(converter.regex))
        for key, converter in converters.items()
    }
    url = _reverse(name, kwargs)
    persona = "sysadmin" if name.startswith("admin:") else "supervisor" if url.startswith("/staff/") else "resident"
    return url, persona


@pytest.fixture
def clients(world, sysadmin):
    personas = {**world.users, "sysadmin": sysadmin}
    made: dict[str, Client] = {}

    def client_for(persona: str) -> Client:
        if persona not in made:
            made[persona] = Client(raise_request_exception=False)
            if persona != "resident":
                made[persona].force_login(personas[persona])
        return made[persona]

    return client_for


def test_every_route_answers_with_the_policy_and_staff_routes_are_never_stored(world, clients):
    logout = reverse("staff:logout")
    seen: dict[str, int] = {}
    for name, converters in sorted(_routes()):
        url, persona = _url(name, converters, world)
        if url == logout:
            continue  # a GET to the sign-out page would end the session the walk depends on
        response = clients(persona).get(url)
        seen[url] = response.status_code
        assert_headers(response, url, stored_file=name in STORED_FILE_DOWNLOADS and response.status_code == 200)
        if url.startswith(("/staff/", "/admin/")):
            assert no_store(response), (url, response.status_code, response.get("Cache-Control"))
        elif name not in RESIDENT_PAGES and name != "set_language":
            # A public page, as the visitor gets it: nothing personal, cached as its view decides.
            assert not no_store(response), (url, response.get("Cache-Control"))
    # The walk reached pages, not only refusals: the case's pages, the admin and the public pages.
    assert len(seen) >= 150
    assert seen[reverse("cases:overview", args=[world.case.tracking_number])] == 200
    assert seen[reverse("admin:index")] == 200
    assert seen["/"] == seen["/api/docs/"] == 200


def test_public_pages_without_personal_data_stay_cacheable(client):
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_headers(response, url)
        assert not no_store(response), (url, response.get("Cache-Control"))


def test_the_staff_sign_in_page_and_the_admin_sign_in_page_are_never_stored(client):
    for url in (reverse("staff:login"), reverse("admin:login")):
        response = client.get(url)
        assert_headers(response, url)
        assert no_store(response), url


# --- Error pages ---------------------------------------------------------------------------------------


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _shows_a_party(request: HttpRequest) -> HttpResponse:
    personal_data.shown(request, None, ["parties"])
    return HttpResponse("Rosa Delgado")


def _shows_nothing(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Opening hours")


# This module is also a URLconf (``pytest.mark.urls``): the site's routes plus three made for the tests.
urlpatterns = [
    path("test-boom/", _boom),
    path("test-shows-a-party/", _shows_a_party),
    path("test-shows-nothing/", _shows_nothing),
    *oversight.urls.urlpatterns,
]
handler400 = oversight.urls.handler400
handler403 = oversight.urls.handler403
handler404 = oversight.urls.handler404
handler500 = oversight.urls.handler500


@pytest.mark.urls(__name__)
def test_the_500_page_carries_the_policy():
    response = Client(raise_request_exception=False).get("/test-boom/")
    assert response.status_code == 500
    assert_headers(response, "500")
    assert not no_store(response)


@pytest.mark.urls(__name__)
def test_a_public_response_that_showed_personal_data_is_never_stored(client):
    shown = client.get("/test-shows-a-party/")
    assert_headers(shown, "shown")
    assert no_store(shown)
    assert not no_store(client.get("/test-shows-nothing/"))


def test_the_error_pages_carry_the_policy(client, other_investigator, complaint):
    public_404 = client.get("/no-such-page/")
    staff_404 = client.get("/staff/no-such-page/")
    bad_query = client.get("/", QUERY_STRING="q=%00")
    too_big = client.post("/file/", CONTENT_LENGTH=str(settings.INTAKE_MAX_TOTAL_BYTES * 2), content_type="text/plain")
    csrf = Client(enforce_csrf_checks=True).post(reverse("staff:login"), {"username": "x", "password": "y"})
    from oversight import permissions

    permissions.grant(other_investigator, "complaints.view_complaint", complaint)
    client.force_login(other_investigator)
    forbidden = client.post(reverse("cases:notes", args=[complaint.tracking_number]), {"body": "A note"})
    pages = {"404": public_404, "staff 404": staff_404, "400": bad_query, "413": too_big, "csrf": csrf}
    pages["403"] = forbidden
    assert {what: r.status_code for what, r in pages.items()} == {
        "404": 404,
        "staff 404": 404,
        "400": 400,
        "413": 413,
        "csrf": 403,
        "403": 403,
    }
    for what, response in pages.items():
        assert_headers(response, what)
    assert no_store(staff_404) and no_store(forbidden) and no_store(csrf)
    assert not no_store(public_404)


# --- The resident's own pages and downloads of personal data ---------------------------------------------


def test_the_residents_draft_review_receipt_and_status_pages_are_never_stored(client):
    fill_to_review(client)
    for step in STEP_SLUGS:
        response = client.get(reverse("public_portal:intake_step", args=[step]))
        assert response.status_code == 200, step
        assert_headers(response, step)
        assert no_store(response), step

    response = submit(client)
    assert response.status_code == 302
    tracking_number = client.session["intake_last:public"]
    code = client.session[RECEIPTS_SESSION_KEY][tracking_number]
    pages = {
        "done": client.get(reverse("public_portal:intake_done")),
        "receipt": client.get(reverse("public_portal:intake_receipt_html", args=[tracking_number])),
        "receipt PDF": client.get(reverse("public_portal:intake_receipt", args=[tracking_number])),
        "status": client.post(
            reverse("public_portal:status_lookup"), {"tracking_number": tracking_number, "code": code}
        ),
    }
    assert {what: r.status_code for what, r in pages.items()} == dict.fromkeys(pages, 200)
    for what, response in pages.items():
        assert_headers(response, what)
        assert no_store(response), what


def test_evidence_downloads_are_never_stored(client, complaint, assigned_investigator):
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.UNDER_INVESTIGATION)
    item = EvidenceItem.objects.create(
        complaint=complaint,
        number=1,
        kind=EvidenceItem.Kind.DOCUMENT,
        source="Records unit",
        description="Dispatch log",
        received_at=timezone.now(),
        original_name="log.txt",
        content_type="text/plain",
        size=5,
        sha256="0" * 64,
        scan_state="clean",
    )
    item.file.save("log.txt", ContentFile(b"12:04"), save=True)
    client.force_login(assigned_investigator)
    response = client.get(reverse("cases:evidence_download", args=[complaint.tracking_number, item.number]))
    assert response.status_code == 200
    assert_headers(response, "evidence download", stored_file=True)
    assert no_store(response)


# --- Nothing inline in the templates or the pages -----------------------------------------------------

INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"<[a-z][^<>]*\sstyle\s*=", re.I),
    "on...= attribute": re.compile(r"<[a-z][^<>]*\son[a-z]+\s*=", re.I),
    "javascript: address": re.compile(r"(?:href|src|action|formaction)\s*=\s*[\"']?\s*javascript:", re.I),
}


def inline_code(html: str) -> list[str]:
    return [f"{what}: {m[0][:120]}" for what, pattern in INLINE.items() for m in pattern.finditer(html)]


def template_files() -> list[Path]:
    """The project's own templates: the site's folder and each of the project's apps' folders."""
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates"
        if folder.is_dir() and ROOT in folder.parents and ".venv" not in folder.parts:
            folders.append(folder)
    return sorted(f for folder in folders for f in folder.rglob("*") if f.is_file() and f.suffix != ".txt")


def test_no_template_has_inline_script_or_style():
    files = template_files()
    assert len(files) >= 100
    assert ROOT / "templates" / "public_portal" / "opendata" / "api_docs.html" in files
    found = {str(f.relative_to(ROOT)): inline_code(f.read_text(encoding="utf-8")) for f in files}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_scan_finds_each_kind_of_inline_code():
    samples = [
        "<script>alert(1)</script>",
        '<script type="application/json">{}</script>',
        "<style>p {}</style>",
        '<p class="x" style="color: red">',
        '<button onclick="go()">',
        '<a href="javascript:go()">',
    ]
    assert [len(inline_code(sample)) for sample in samples] == [1, 1, 1, 1, 1, 1]
    assert inline_code('<script src="/static/js/api-docs.js"></script><p class="onion">on=</p>') == []


def _assert_nothing_inline(pages: dict) -> None:
    assert {url: r.status_code for url, r in pages.items()} == dict.fromkeys(pages, 200)
    found = {url: inline_code(r.content.decode()) for url, r in pages.items()}
    assert {url: hits for url, hits in found.items() if hits} == {}


@pytest.mark.usefixtures("snapshot")
def test_public_pages_render_without_inline_script_or_style(client):
    pages = {url: client.get(url) for url in ("/", "/dashboard/", "/api/docs/", "/file/", reverse("staff:login"))}
    _assert_nothing_inline(pages)
    # The dashboard's charts are drawn in the page as SVG, with presentation attributes, not styles.
    assert pages["/dashboard/"].content.decode().count('<svg role="img"') >= 3


def test_staff_pages_render_without_inline_script_or_style(client, world, sysadmin):
    complaint = world.case
    EvidenceItem.objects.filter(complaint=complaint, number=1).update(
        original_name="bodycam.mp4", size=9, sha256="a" * 64, scan_state="infected", file="evidence/bodycam"
    )
    evidence = reverse("cases:evidence_detail", args=[complaint.tracking_number, 1])
    client.force_login(world.users["supervisor"])
    pages = {
        url: client.get(url)
        for url in (reverse("staff:home"), reverse("cases:overview", args=[complaint.tracking_number]), evidence)
    }
    admin = Client()
    admin.force_login(sysadmin)
    for url in (reverse("admin:index"), reverse("admin:oversight_officer_changelist")):
        pages[url] = admin.get(url)
    _assert_nothing_inline(pages)
    body = pages[evidence].content.decode()
    assert "scan-state--infected" in body and '<code class="sha256">' in body


# --- HTTPS ---------------------------------------------------------------------------------------------

# A response with no template and no database (static files are not collected here): the API's 404.
PROBE = """
from django.conf import settings
from django.test import Client
response = Client().get("/api/nothing-here/", secure=True)
print("status|", response.status_code, sep="")
for name in ("Strict-Transport-Security", "Content-Security-Policy", "Permissions-Policy"):
    print(name, "|", response.get(name, ""), sep="")
print("Cross-Origin-Opener-Policy|", response.get("Cross-Origin-Opener-Policy", ""), sep="")
print("cookies secure|", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, sep="")
print("plain http|", Client().get("/").status_code, sep="")
"""


def _manage(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env = {
        **base,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "q8#Lm" + "r4Tz7wXe" * 8,
        "ALLOWED_HOSTS": "example.org,testserver",
        "DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def test_deploy_check_is_clean_with_https(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_with_https_pages_send_hsts_secure_cookies_and_the_same_policy(tmp_path):
    result = _manage("shell", "-c", PROBE, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    said = dict(line.split("|", 1) for line in result.stdout.splitlines() if "|" in line)
    assert said["status"] == "404"
    assert said["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert directives(said["Content-Security-Policy"]) == CSP
    assert all(feature in said["Permissions-Policy"] for feature in PERMISSIONS)
    assert said["Cross-Origin-Opener-Policy"] == "same-origin"
    assert said["cookies secure"] == "TrueTrue"
    # Plain HTTP is sent to HTTPS, with the headers too.
    assert said["plain http"] == "301"
