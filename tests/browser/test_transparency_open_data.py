"""The published decisions, open data and data dictionary pages in a real browser: accessible
(axe-core, WCAG 2.1 AA) in English and Spanish, and the list's filters and pages working with
JavaScript off."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from complaints.models import AllegationCategory
from search.backends import backend
from tests.factories import DistrictFactory, PublicationFactory, PublishedAllegationFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published():
    north = DistrictFactory(code="N1", name="North")
    rude = AllegationCategory.objects.get(code="disc-words")
    made = []
    for day in range(23):
        publication = PublicationFactory(
            decision_date=date(2026, 1, 1) + timedelta(days=day), decision_year=2026, district=north
        )
        PublishedAllegationFactory(publication=publication, position=0, disposition="sustained")
        if day % 5 == 0:
            PublishedAllegationFactory(
                publication=publication,
                position=1,
                category=rude,
                disposition="not_sustained",
                officer_label="Officer B",
            )
        made.append(publication)
    first = made[-1]
    first.allegations.filter(position=0).update(recommended_discipline="reprimand", department_response="accepted")
    return made


def _in(page, language: str, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_published_decisions_pages_are_accessible(page, live_server, published, language):
    _in(page, language, live_server)

    backend().index("dispositions", [publication.pk for publication in published])  # the search's pages too
    for url in (
        "/decisions/",
        "/decisions/?category=discourtesy&year=2026",
        f"/decisions/{published[-1].public_id}/",
        "/decisions/search/",
        "/decisions/search/?q=officer",
        "/decisions/search/?q=officer&category=discourtesy&year=2026",
        "/decisions/search/?q=nothing-like-this",
        "/decisions/search/?q=officer&year=abc",
    ):
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)


def test_an_empty_list_and_a_list_with_a_filter_error_are_accessible(page, db):
    page.goto("/decisions/")
    expect(page.get_by_text("No decisions have been published yet.")).to_be_visible()
    assert_accessible(page)
    page.goto("/decisions/?year=abc")
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_open_data_and_dictionary_pages_are_accessible(page, live_server, published, language):
    _in(page, language, live_server)

    for url in ("/data/", "/data/dictionary/"):
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page)


def test_the_filters_and_pages_work_without_javascript(nojs_page, published):
    nojs_page.goto("/decisions/")
    rows = nojs_page.locator("main table tbody tr")
    expect(rows).to_have_count(20)

    nojs_page.get_by_label("Kind of allegation").select_option("discourtesy")
    nojs_page.get_by_label("Year decided").select_option("2026")
    nojs_page.get_by_role("button", name="Show decisions").click()

    expect(rows).to_have_count(5)  # every fifth case has a discourtesy allegation
    assert "category=discourtesy" in nojs_page.url and "year=2026" in nojs_page.url
    expect(nojs_page.get_by_text("Kind of allegation: Discourtesy")).to_be_visible()
    assert_accessible(nojs_page)

    nojs_page.get_by_role("link", name="Clear filters").first.click()
    expect(rows).to_have_count(20)
    nojs_page.get_by_role("link", name="Next").click()
    expect(rows).to_have_count(3)
    nojs_page.get_by_role("link", name="Previous").click()
    expect(rows).to_have_count(20)

    nojs_page.locator("main table tbody tr").first.get_by_role("link").click()
    expect(nojs_page.get_by_role("heading", level=2, name="How to read this")).to_be_visible()


def test_the_api_docs_page_loads_only_local_files(page, live_server, published):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert requested and all(url.startswith(live_server.url) for url in requested), requested
    assert any(url.endswith("/api/schema/") for url in requested)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_api_docs_page_is_accessible_with_an_operation_open(page, live_server, published, language):
    _in(page, language, live_server)
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert_accessible(page)

    page.locator(".swagger-ui .opblock-summary-control").first.click()
    expect(page.locator(".swagger-ui .parameters").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".swagger-ui .live-responses-table").first).to_be_visible()
    assert_accessible(page)
