"""A newcomer's walk-through in a real browser: a complaint from the public form to the board's
decision and its closing, by every role in turn, using only the links and buttons on the pages
(after typing the site's and the staff sign-in's addresses). No page on the way is a 404, a 403 or
a 400, and the chair cannot decide before quorum."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from investigations.board.models import BoardMembership
from oversight.permissions import Role
from tests.authn.signing_in import fresh_code
from tests.factories import UserFactory
from tests.public_portal.intake_flow import PUBLIC, about, incident, officers, witnesses

from .intake_steps import IntakeVisitor

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff():
    people = {
        "intake": UserFactory(
            username="walk_intake", first_name="Ivy", last_name="Intake", roles=[Role.INTAKE_COORDINATOR]
        ),
        "supervisor": UserFactory(
            username="walk_supervisor", first_name="Sofia", last_name="Sup", roles=[Role.SUPERVISOR], is_staff=True
        ),
        "investigator": UserFactory(
            username="walk_investigator", first_name="Alice", last_name="Ng", roles=[Role.INVESTIGATOR]
        ),
        "chair": UserFactory(username="walk_chair", first_name="Carmen", last_name="Ruiz", roles=[Role.BOARD_MEMBER]),
        "member1": UserFactory(
            username="walk_member1", first_name="Marcus", last_name="Bell", roles=[Role.BOARD_MEMBER]
        ),
        "member2": UserFactory(
            username="walk_member2", first_name="Grace", last_name="Holl", roles=[Role.BOARD_MEMBER]
        ),
    }
    start = timezone.localdate() - timedelta(days=200)
    for name in ("chair", "member1", "member2"):
        BoardMembership.objects.create(member=people[name], is_chair=name == "chair", term_start=start)
    return people


class Walk:
    """Records every page the browser lands on, so the test can say none was an error page."""

    def __init__(self, page: Page):
        self.page = page
        self.errors: list[tuple[str, int]] = []
        page.on("response", self._seen)

    def _seen(self, response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.errors.append((response.url, response.status))

    def sign_in(self, user) -> None:
        page = self.page
        page.context.clear_cookies()
        fresh_code(user)  # the person's authenticator app exists before the password is checked
        page.goto("/staff/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
        # The second factor: the code the person's authenticator app shows now.
        page.get_by_label("Code", exact=True).fill(fresh_code(user))
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(user.first_name)

    def click_link(self, name, *, within: str = "main") -> None:
        # A click does not wait for the page it opens: wait for it, so that what follows reads the new page.
        with self.page.expect_navigation():
            self.page.locator(within).get_by_role("link", name=name).first.click()

    def click_button(self, name) -> None:
        self.page.locator("main").get_by_role("button", name=name).first.click()

    def flash(self) -> str:
        return self.page.locator("main").inner_text()


def test_a_complaint_goes_from_the_public_form_to_a_decision_and_closing(page, staff, tmp_path):
    walk = Walk(page)

    # The resident files a complaint.
    visitor = IntakeVisitor(page, check_accessibility=False)
    page.goto("/")
    page.get_by_role("link", name=re.compile("complaint", re.I)).first.click()
    if not re.search(rf"{PUBLIC}/$", page.url):
        page.goto(f"{PUBLIC}/")
    visitor.start()
    visitor.step("incident", incident(), "officers")
    visitor.step("officers", officers(), "kinds")
    visitor.step("kinds", {"kinds": ["force", "property"]}, "witnesses")
    visitor.step("witnesses", witnesses(), "evidence")
    visitor.save_and_continue("about")
    visitor.step("about", about(), "consent")
    visitor.consent()
    number, code = visitor.send()

    # The intake coordinator: queue → case → start triage → accept; lands back on the queue.
    walk.sign_in(staff["intake"])
    walk.click_link("Intake queue")
    walk.click_link(number)
    walk.click_button("Start triage")
    expect(page.locator("main")).to_contain_text("In triage")
    walk.click_link("Accept for investigation")
    walk.click_button("Accept")
    expect(page).to_have_url(re.compile(r"/staff/complaints/intake/"))
    expect(page.locator("main")).to_contain_text(f"{number} is now")

    # The supervisor assigns the investigator from the case page.
    walk.sign_in(staff["supervisor"])
    walk.click_link("Complaints", within="nav")
    walk.click_link(number)
    page.locator("main select[name=investigator]").select_option(label="Alice Ng")
    walk.click_button("Assign")
    expect(page.locator("main")).to_contain_text("Alice Ng")

    # The investigator proposes a finding on each allegation, writes the summary and submits.
    walk.sign_in(staff["investigator"])
    walk.click_link("My work", within="nav")
    walk.click_link(number)
    walk.click_link("Findings", within=".case")
    proposals = page.locator("main form").filter(has=page.locator("select[name$=disposition]"))
    expect(proposals).to_have_count(2)  # force and property, as the resident reported
    for index in range(2):
        form = page.locator("main form").filter(has=page.locator("select[name$=disposition]")).nth(index)
        form.locator("select[name$=disposition]").select_option("not_sustained")
        form.locator("textarea[name$=rationale]").fill("The video and the statements conflict.")
        form.get_by_role("button", name="Save proposal").click()
        expect(page.locator("main")).to_contain_text("Update proposal")
    page.locator("main textarea[name=text]").fill("A stop outside a laundromat; accounts differ and no video.")
    walk.click_button("Save summary")
    walk.click_button("Submit findings")
    expect(page.locator(".case-header")).to_contain_text("Findings proposed")

    # The supervisor approves for the board, after a confirmation that says what will happen.
    walk.sign_in(staff["supervisor"])
    walk.click_link("My work", within="nav")
    walk.click_link("Findings waiting for your approval")
    walk.click_link(number)
    walk.click_button("Approve for board review")
    expect(page.locator("main")).to_contain_text("What will happen")
    walk.click_button("Yes: Approve for board review")
    expect(page.locator(".case-header")).to_contain_text("Board review")

    # The chair cannot decide before quorum: the decision page says so.
    walk.sign_in(staff["chair"])
    walk.click_link(number)  # on the staff home: cases awaiting my vote
    walk.click_link("Record the board's decision")
    expect(page.locator("main")).to_contain_text("Quorum not reached yet: the decision cannot be recorded.")
    expect(page.locator("main").get_by_role("button", name="Record the decision")).to_have_attribute(
        "aria-disabled", "true"
    )
    expect(page.locator(".case-header")).to_contain_text("Board review")

    # Two members vote from their home page; then the chair records the decision.
    for name in ("member1", "member2"):
        walk.sign_in(staff[name])
        walk.click_link(number)
        page.locator("main label").filter(has_text=re.compile("^Concur$")).click()
        walk.click_button("Record vote")
        expect(page.locator("main")).to_contain_text("Your vote was recorded")
    walk.sign_in(staff["chair"])
    walk.click_link("Board queue", within="nav")
    walk.click_link(number)
    walk.click_link("Record the board's decision")
    page.locator("main label").filter(has_text="Adopt the proposed findings").click()
    walk.click_button("Record the decision")
    expect(page.locator("main")).to_contain_text("The board's decision is recorded")
    expect(page.locator(".case-header")).to_contain_text("Decided")

    # The supervisor closes the case, after confirming.
    walk.sign_in(staff["supervisor"])
    walk.click_link("Complaints", within="nav")
    walk.click_link(number)
    walk.click_button("Close the case")
    walk.click_button("Yes: Close the case")
    expect(page.locator(".case-header")).to_contain_text("Closed")

    # The resident sees the outcome.
    page.context.clear_cookies()
    page.goto("/status/")
    page.locator("#id_tracking_number").fill(number)
    page.locator("#id_code").fill(code)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Closed")
    expect(page.get_by_role("table", name=re.compile("decision on each"))).to_contain_text("Not sustained")

    assert walk.errors == []
