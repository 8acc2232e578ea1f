"""The data dashboard in a real browser: accessible (axe-core, WCAG 2.1 AA) in English and Spanish,
with and without numbers, and its year filter working with JavaScript off."""

import re

import pytest
from playwright.sync_api import expect

from ..public_portal.transparency.test_statistics import city, snapshot  # noqa: F401 (the fixtures)
from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def _in(page, language: str, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


@pytest.mark.usefixtures("snapshot")
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_dashboard_is_accessible(page, live_server, language):
    _in(page, language, live_server)

    for url in ("/dashboard/", "/dashboard/?year=2025", "/dashboard/?year=1999"):
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)


def test_the_dashboard_before_the_first_count_is_accessible(page, db):
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="No numbers yet")).to_be_visible()
    assert_accessible(page)


@pytest.mark.usefixtures("snapshot")
def test_the_year_filter_works_without_javascript(nojs_page, live_server):
    nojs_page.goto("/dashboard/")
    expect(nojs_page.get_by_role("table", name="Complaints by district: All years")).to_be_visible()

    nojs_page.get_by_label("Year").select_option("2025")
    nojs_page.get_by_role("button", name="Show the numbers").click()

    expect(nojs_page).to_have_url(re.compile(r"/dashboard/\?year=2025$"))
    table = nojs_page.get_by_role("table", name="Complaints by district: 2025")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="North 4")).to_be_visible()
    expect(nojs_page.get_by_label("Year")).to_have_value("2025")
    link = nojs_page.get_by_role("link", name="CSV (Complaints by district)")
    expect(link).to_have_attribute("href", "/data/tables/by-district.csv?year=2025")
    assert_accessible(nojs_page)
