"""The public pages in a real browser: accessible (axe-core, WCAG 2.1 AA), usable from the
keyboard, and working without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def _static_responses(page):
    responses = []
    page.on("response", lambda response: "/static/" in response.url and responses.append(response))
    return responses


def test_stylesheets_load_from_the_live_server(page):
    responses = _static_responses(page)
    page.goto("/")

    stylesheets = page.evaluate(
        "() => [...document.styleSheets].map((s) => ({href: s.href, rules: s.cssRules.length}))"
    )
    hrefs = [s["href"] for s in stylesheets]
    assert any(h and h.endswith("/static/uswds/css/uswds.min.css") for h in hrefs), hrefs
    assert any(h and h.endswith("/static/css/site.css") for h in hrefs), hrefs
    assert all(s["rules"] > 0 for s in stylesheets), stylesheets
    assert responses, "no request for /static/"
    assert [(r.url, r.status) for r in responses if r.status != 200] == []
    # USWDS is applied: the skip link sits off-screen until focused.
    skip_link = page.get_by_role("link", name="Skip to main content")
    assert skip_link.bounding_box()["y"] < 0


def test_home_page_in_english_is_accessible(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=2, name="How to file a complaint")).to_be_visible()
    assert_accessible(page)


def test_switching_to_spanish_stays_on_the_page(page, live_server):
    page.goto("/")
    page.get_by_role("button", name="Español").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=2, name="Cómo presentar una queja")).to_be_visible()
    assert page.url == f"{live_server.url}/"
    assert_accessible(page)


def test_switching_to_spanish_works_without_javascript(nojs_page, live_server):
    nojs_page.goto("/")
    nojs_page.get_by_role("button", name="Español").click()

    expect(nojs_page.locator("html")).to_have_attribute("lang", "es")
    expect(nojs_page.get_by_role("heading", level=2, name="Cómo presentar una queja")).to_be_visible()
    assert nojs_page.url == f"{live_server.url}/"
    # And back: the switch now offers English.
    nojs_page.get_by_role("button", name="English").click()
    expect(nojs_page.get_by_role("heading", level=2, name="How to file a complaint")).to_be_visible()
    assert_accessible(nojs_page)


def test_switching_language_on_another_page_stays_there(nojs_page, live_server):
    nojs_page.goto("/no-such-page/?from=test")
    nojs_page.get_by_role("button", name="Español").click()

    expect(nojs_page.get_by_role("heading", level=1, name="Página no encontrada")).to_be_visible()
    assert nojs_page.url == f"{live_server.url}/no-such-page/?from=test"


def test_not_found_page_is_accessible(page):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    assert_accessible(page)


def test_staff_sign_in_page_is_accessible(page):
    response = page.goto("/staff/login/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1, name="Staff sign in")).to_be_visible()
    assert_accessible(page)


def test_first_tab_focuses_the_skip_link(page):
    page.goto("/")
    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # USWDS slides it on screen (0.2 s transition)
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    assert re.search(r"#main-content$", page.url)


def test_policy_recommendation_pages_are_accessible(page):
    from datetime import date

    from public_portal.models import PolicyRecommendation, RecommendationStatusUpdate

    recommendation = PolicyRecommendation.objects.create(
        number="PR-2026-01",
        title="Cameras on before arrival",
        text="Officers should start recording when they are sent to a call.",
        adopted_on=date(2026, 2, 3),
        themes="body-worn cameras",
        related_cases=4,
    )
    RecommendationStatusUpdate.objects.create(
        recommendation=recommendation,
        recorded_on=date(2026, 4, 1),
        department_response=RecommendationStatusUpdate.Response.ACCEPTED,
        implementation=RecommendationStatusUpdate.Implementation.IN_PROGRESS,
        note="The camera policy is being rewritten.",
    )
    for url, heading in (
        ("/recommendations/", "Policy recommendations to the police department"),
        ("/recommendations/?response=accepted", "Policy recommendations to the police department"),
        ("/recommendations/PR-2026-01/", "Cameras on before arrival"),
    ):
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert_accessible(page)
