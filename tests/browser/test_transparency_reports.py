"""The public reports page in a real browser: accessible (axe-core, WCAG 2.1 AA) in English and
Spanish, with reports and without, and usable without JavaScript."""

import hashlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oversight.permissions import Role
from public_portal.transparency.reports import services
from public_portal.transparency.reports.models import PublicReport

from ..factories import UserFactory
from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def published_reports(monkeypatch):
    def render(report):
        content = f"%PDF-1.4 browser test {report.slug}".encode()
        return services.Rendered(
            content=content, sha256=hashlib.sha256(content).hexdigest(), pages=2, as_of=timezone.now()
        )

    monkeypatch.setattr(services, "render_report", render)
    author = UserFactory(username="browser_publisher", roles=[Role.PUBLISHER])
    approver = UserFactory(username="browser_publisher2", roles=[Role.PUBLISHER])
    for kind, quarter, language in [("annual", None, "en"), ("quarterly", 4, "es")]:
        report = services.report_generate(
            kind=kind, year=LAST_YEAR, quarter=quarter, language=language, narrative="The board.", actor=author
        )
        services.report_move(report=report, target=PublicReport.Status.APPROVED, actor=approver)
        services.report_move(report=report, target=PublicReport.Status.PUBLISHED, actor=author)


def test_the_reports_page_in_english_is_accessible(page, published_reports):
    page.goto("/reports/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name="Public reports")).to_be_visible()
    expect(page.get_by_role("link", name=f"Annual report {LAST_YEAR}")).to_have_attribute(
        "href", f"/reports/{LAST_YEAR}-annual.pdf"
    )
    assert_accessible(page)


def test_the_reports_page_in_spanish_is_accessible_without_javascript(nojs_page, published_reports):
    nojs_page.goto("/reports/")
    nojs_page.get_by_role("button", name="Español").click()
    expect(nojs_page.locator("html")).to_have_attribute("lang", "es")
    expect(nojs_page.get_by_role("heading", level=2, name=str(LAST_YEAR))).to_be_visible()
    assert_accessible(nojs_page)


def test_the_empty_reports_page_is_accessible_in_both_languages(page):
    page.goto("/reports/")
    expect(page.get_by_text("No report has been published yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_accessible(page)
