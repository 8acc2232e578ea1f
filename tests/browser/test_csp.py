"""The key pages keep to the Content-Security-Policy in a real browser.

Chromium enforces the policy: an inline script, a ``<style>``, a ``style`` attribute or an event
handler left in a page, or a file from another site, is refused, reported on the console ("...
violates the following Content Security Policy directive ...") and raised as a
``securitypolicyviolation`` event. Each page below is opened with both listened to, after it has
finished drawing (Swagger UI on the API documentation, an operation opened); none may report
anything, nor a Permissions-Policy feature Chromium does not know.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import Complaint
from investigations.models import EvidenceItem
from oversight.permissions import Role
from tests.factories import UserFactory

from ..public_portal.transparency.test_statistics import city, snapshot  # noqa: F401 (the fixtures)
from .test_receipt_html import _as_the_filing_browser, filed  # noqa: F401 (filed: the fixture)

pytestmark = pytest.mark.django_db(transaction=True)

# Runs before any script of the page (a Playwright init script is not the page's, so the policy lets it).
LISTEN = """
window.__policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__policyViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""
# Read once the events already queued have been dispatched.
VIOLATIONS = "() => new Promise((resolve) => setTimeout(() => resolve(window.__policyViolations || []), 0))"


class Watch:
    """Everything ``page`` reports about the Content-Security-Policy and the Permissions-Policy."""

    def __init__(self, page: Page):
        self.page = page
        self.reports: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.reports.append(f"{page.url}: {error}"))

    def _console(self, message) -> None:
        text = message.text
        if re.search(r"Content.Security.Policy|Permissions.Policy", text, re.I):
            self.reports.append(f"{self.page.url}: {text}")

    def check(self) -> None:
        self.reports.extend(f"{self.page.url}: {v}" for v in self.page.evaluate(VIOLATIONS))

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        assert response.headers.get("content-security-policy"), url
        self.check()


@pytest.mark.usefixtures("snapshot")
def test_the_public_pages_report_no_policy_violation(page, live_server):
    watch = Watch(page)
    for url in ("/", "/dashboard/", "/status/", "/data/", "/staff/login/"):
        watch.visit(url)

    # The dashboard's charts are drawn in the page, coloured by presentation attributes.
    watch.visit("/dashboard/")
    expect(page.locator("svg.chart-svg").first).to_be_visible()
    expect(page.locator("svg.chart-svg rect[fill]").first).to_be_attached()

    # The intake form's first step, reached with the start button.
    watch.visit("/file/")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page).to_have_url(re.compile(r"/file/incident/$"))
    watch.check()

    assert watch.reports == []


def test_the_api_documentation_draws_swagger_ui_within_the_policy(page, live_server):
    watch = Watch(page)
    watch.visit("/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.locator(".swagger-ui .opblock-summary-control").first.click()
    expect(page.locator(".swagger-ui .parameters").first).to_be_visible()
    # The static script filled in Swagger UI's gaps (names on the parameters' inputs).
    expect(page.locator(".swagger-ui tr[data-param-name] input[aria-label]").first).to_be_attached()
    watch.check()
    assert watch.reports == []


def test_the_receipt_page_reports_no_policy_violation(page, live_server, filed):  # noqa: F811
    _as_the_filing_browser(page, live_server, filed)
    watch = Watch(page)
    watch.visit(f"/file/receipt/{filed.tracking_number}/")
    # Its script (a static file) showed the print button.
    expect(page.get_by_role("button", name="Print this receipt")).to_be_visible()
    assert watch.reports == []


def _signed_in(page: Page, live_server, user, *, verified: bool = True) -> None:
    """Give ``page`` the session of ``user``, signed in with a verified second factor (or, not
    ``verified``, with a password only, as before the second factor)."""
    client = Client()
    client.force_login(user, otp=verified)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_the_staff_pages_and_the_admin_report_no_policy_violation(page, live_server, complaint, assigned_investigator):
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.UNDER_INVESTIGATION)
    item = EvidenceItem.objects.create(
        complaint=complaint,
        number=1,
        kind=EvidenceItem.Kind.VIDEO,
        source="Records unit",
        description="Body-worn camera footage",
        received_at=timezone.now(),
        file="evidence/bodycam",
        original_name="bodycam.mp4",
        content_type="video/mp4",
        size=9,
        sha256="a" * 64,
        scan_state="infected",
    )
    case = f"/staff/cases/{complaint.tracking_number}"
    _signed_in(page, live_server, assigned_investigator)
    watch = Watch(page)
    for url in ("/staff/", f"{case}/", f"{case}/evidence/", f"{case}/evidence/{item.number}/"):
        watch.visit(url)
    # The infected tag keeps its colour from the stylesheet, now that the style attribute is gone.
    tag = page.locator(".scan-state--infected")
    expect(tag).to_have_css("background-color", "rgb(181, 9, 9)")

    page.context.clear_cookies()
    _signed_in(page, live_server, UserFactory(username="csp_superuser", is_staff=True, is_superuser=True))
    for url in ("/admin/", "/admin/auth/user/", "/admin/auth/user/add/", "/admin/complaints/complaint/"):
        watch.visit(url)

    # A newcomer's first staff page: setting up the second factor, its QR code drawn in the page.
    page.context.clear_cookies()
    _signed_in(page, live_server, UserFactory(username="csp_newcomer", roles=[Role.INVESTIGATOR]), verified=False)
    watch.visit("/staff/")
    expect(page.locator("main svg").first).to_be_visible()
    assert watch.reports == []
