"""A police employee reporting through "I work for the police department" in a real browser: from
the home page to the confirmation page, in English and in Spanish, with and without JavaScript,
named and anonymous; every page (the start page, each step, a step shown again with its errors,
the review and the confirmation) checked with axe-core for WCAG 2.1 A and AA."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from public_portal.intake import EMPLOYEE_STEPS
from tests.public_portal.intake_flow import incident, officers, witnesses
from tests.whistleblower.flow import EMPLOYEE, about, employment

from .intake_steps import IntakeVisitor

pytestmark = pytest.mark.django_db(transaction=True)

STEP_TITLES = {step.slug: step.title for step in EMPLOYEE_STEPS}


class EmployeeVisitor(IntakeVisitor):
    """Someone filing a police employee's report: the resident's visitor at the employee's pages."""

    def expect_step(self, slug: str) -> None:
        expect(self.page).to_have_url(re.compile(rf"{EMPLOYEE}/{slug}/(#[\w-]+)?$"))
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(self.t(STEP_TITLES[slug]))
        self.expect_page()

    def start(self) -> None:
        expect(self.page).to_have_url(re.compile(rf"{EMPLOYEE}/$"))
        expect(self.page.get_by_role("heading", level=1)).to_have_text(self.t("Report misconduct as a police employee"))
        self.expect_page()
        self.button("Start").click()
        self.expect_step("incident")

    def send_report(self) -> str:
        self.button("Send my report").click()
        expect(self.page).to_have_url(re.compile(rf"{EMPLOYEE}/done/$"))
        expect(self.page.get_by_role("heading", level=1)).to_have_text(self.t("We received your report"))
        self.expect_page()
        return self.page.locator(".tracking-number").inner_text().strip()


def _walk(page, language: str, *, anonymous: bool) -> Complaint:
    visitor = EmployeeVisitor(page, language=language)
    page.goto("/")
    if language == "es":
        page.get_by_role("button", name="Español").click()
        expect(page.locator("html")).to_have_attribute("lang", "es")
    visitor.expect_page()
    page.get_by_role("link", name=visitor.t("Report as a police employee"), exact=True).click()
    visitor.start()

    visitor.step("incident", incident(narrative="A sergeant changed the evidence log after a seizure."), "officers")
    visitor.step("officers", officers({"known": "identified", "name": "Sgt. Holloway"}), "kinds")
    visitor.step("kinds", {"kinds": ["lied"]}, "witnesses")
    visitor.step("witnesses", witnesses(), "evidence")
    visitor.evidence()
    if anonymous:
        visitor.choose(page.get_by_role("radio", name=visitor.t("I want to stay anonymous"), exact=True))
        visitor.save_and_continue("employment")
        expect(page.locator('input[name="unit"]')).to_have_count(0)
    else:
        visitor.step("about", about(preferred_language=language), "employment")
        expect(page.locator('input[name="unit"]')).to_have_count(1)

    # Sent empty, the work step comes back with its errors, accessible too.
    visitor.save_and_continue()
    expect(page).to_have_url(re.compile(rf"{EMPLOYEE}/employment/$"))
    expect(page.locator("#error-summary")).to_be_visible()
    visitor.expect_page()
    work = employment()
    if anonymous:
        work.pop("unit")
    visitor.step("employment", work, "consent")
    visitor.consent()

    main = page.get_by_role("main")
    expect(main).to_contain_text(visitor.t("Your work and your safety"))
    expect(main).to_contain_text(visitor.t("I am a civilian employee"))
    tracking_number = visitor.send_report()
    return Complaint.objects.get(tracking_number=tracking_number)


def test_a_named_employee_reports_in_english_with_javascript(page):
    report = _walk(page, "en", anonymous=False)
    assert (report.employee_relationship, report.retaliation_concern, report.anonymity) == (
        "civilian",
        True,
        "confidential",
    )
    assert report.parties.get().role == "employee"


def test_an_anonymous_employee_reports_in_english_without_javascript(nojs_page):
    report = _walk(nojs_page, "en", anonymous=True)
    assert (report.anonymity, report.employee_unit) == ("anonymous", "")
    assert not report.parties.exists()


def test_a_named_employee_reports_in_spanish_with_javascript(page):
    report = _walk(page, "es", anonymous=False)
    assert (report.language, report.employee_relationship) == ("es", "civilian")


def test_an_anonymous_employee_reports_in_spanish_without_javascript(nojs_page):
    report = _walk(nojs_page, "es", anonymous=True)
    assert (report.language, report.anonymity) == ("es", "anonymous")
    assert not report.parties.exists()
