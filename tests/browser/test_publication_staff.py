"""The publication officers' pages in a real browser, with JavaScript off: one officer drafts from the
queue, the other approves, publishes, corrects and retracts, using only links and buttons. Every page
passes axe-core (WCAG 2.1 A and AA) and none on the way is an error page."""

import re

import pytest
from playwright.sync_api import Page, expect

from complaints.models import AllegationCategory
from oversight.permissions import Role
from public_portal.publication.models import DisclosureRule, Publication
from public_portal.publication.policy import seed_california
from tests.authn.signing_in import fresh_code
from tests.factories import OfficerFactory, PartyFactory, UserFactory
from tests.public_portal.publication.cases import Alleged, D, decided_case

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def officers():
    seed_california(DisclosureRule, AllegationCategory)
    return (
        UserFactory(username="pub_priya", first_name="Priya", last_name="Shah", roles=[Role.PUBLISHER]),
        UserFactory(username="pub_dana", first_name="Dana", last_name="Whitfield", roles=[Role.PUBLISHER]),
    )


def _sign_in(page: Page, user) -> None:
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


def _button(page: Page, name: str) -> None:
    page.locator("main").get_by_role("button", name=name).first.click()


def test_draft_approve_publish_correct_and_retract(nojs_page: Page, officers):
    page = nojs_page
    errors: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: (
            errors.append((r.url, r.status)) if r.request.resource_type == "document" and r.status >= 400 else None
        ),
    )
    drafter, approver = officers
    case = decided_case(
        allegations=[Alleged("a", "aoa-search", D.SUSTAINED, "reprimand", "accepted", "reprimand")],
        officers={"a": OfficerFactory(first_name="Hector", last_name="Quintero")},
        summary="Rosa Delgado said Officer Quintero searched her bag. Call (215) 555-0142.",
    )
    PartyFactory(complaint=case, first_name="Rosa", last_name="Delgado")

    _sign_in(page, drafter)
    page.locator("main").get_by_role("link", name="Open the publication queue").click()
    assert_accessible(page)
    page.locator("main").get_by_role("link", name=case.tracking_number).click()
    assert_accessible(page)
    _button(page, "Draft the publication")
    expect(page.locator("main")).to_contain_text("[name removed] said Officer Quintero searched her bag.")
    expect(page.locator("main")).to_contain_text("someone else must approve it")
    assert_accessible(page)
    page.locator("#id_redact-phrase").fill("her bag")
    page.locator("#id_redact-category").select_option("other")
    _button(page, "Remove it everywhere")
    expect(page.locator("main")).to_contain_text("Removed in 1 place.")

    _sign_in(page, approver)
    page.goto("/staff/publication/?show=draft")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name=re.compile(r"^D-\w+ v1$")).click()
    _button(page, "Approve")
    expect(page.locator("main")).to_contain_text("is now “Approved”")
    _button(page, "Publish")
    expect(page.locator("main")).to_contain_text("is now “Published”")
    assert_accessible(page)
    _button(page, "Draft a correction")
    expect(page.locator("main")).to_contain_text("drafted as a correction")
    # The approver drafted the correction: the first officer approves it and publishes.
    _sign_in(page, drafter)
    page.goto(f"/staff/publication/case/{case.tracking_number}/2/")
    _button(page, "Approve")
    _button(page, "Publish")
    expect(page.locator("main")).to_contain_text("is now “Published”")
    page.locator("main textarea[name='retract-reason']").fill("Under review after a family's request.")
    _button(page, "Retract")
    expect(page.locator("main")).to_contain_text("is now “Retracted”")
    assert_accessible(page)

    statuses = dict(Publication.objects.values_list("version", "status"))
    assert statuses == {1: "superseded", 2: "retracted"}
    assert errors == []
