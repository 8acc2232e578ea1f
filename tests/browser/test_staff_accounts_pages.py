"""The staff account pages in a real browser with JavaScript off: a supervisor opens the list,
searches it, opens a person's page, grants a role and resets their second factor with the page's
own buttons. Each page on the way passes axe-core (WCAG 2.1 A and AA)."""

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator, Page, expect

from oversight.permissions import Role
from tests.factories import UserFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in(page: Page, live_server, user) -> None:
    """Give ``page`` the session of ``user``, signed in with a verified second factor."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _choose(page: Page, control: Locator) -> None:
    """Check a radio button or checkbox by clicking its label: USWDS keeps the input off-screen."""
    page.locator(f'label[for="{control.get_attribute("id")}"]').click()
    expect(control).to_be_checked()


def test_the_account_pages_are_accessible_and_work_without_javascript(nojs_page: Page, live_server):
    page = nojs_page
    supervisor = UserFactory(
        username="sofia_supervisor", first_name="Sofia", last_name="Ramirez", roles=[Role.SUPERVISOR]
    )
    person = UserFactory(username="nia_newcomer", first_name="Nia", last_name="Park", email="nia@oversight.example")
    TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    UserFactory(username="bob_investigator", first_name="Bob", last_name="Okafor", roles=[Role.INVESTIGATOR])
    _signed_in(page, live_server, supervisor)

    page.goto("/staff/")
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Staff accounts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff accounts")
    assert_accessible(page)

    page.get_by_label("Search by name, username or email").fill("park")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Nia Park")).to_be_visible()
    expect(page.get_by_text("bob_investigator")).to_have_count(0)
    page.get_by_role("link", name="Nia Park").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Park")
    assert_accessible(page)

    _choose(page, page.get_by_label("Investigator", exact=True))
    page.get_by_role("button", name="Grant the role").click()
    expect(page.get_by_role("alert")).to_contain_text("Check the email address first")
    assert_accessible(page)

    _choose(page, page.get_by_label("Investigator", exact=True))
    _choose(page, page.get_by_label("nia@oversight.example", exact=False))
    page.get_by_role("button", name="Grant the role").click()
    expect(page.get_by_role("status")).to_contain_text("Investigator granted")
    expect(page.get_by_role("table", name="Roles this person holds")).to_contain_text("Investigator")
    expect(page.locator("#history-heading + div table")).to_contain_text("Role granted")
    assert_accessible(page)

    _choose(page, page.get_by_label("I have confirmed who the person is"))
    page.get_by_role("button", name="Reset second factor").click()
    expect(page.get_by_role("status")).to_contain_text("Second factor reset")
    expect(page.get_by_text("None enrolled")).to_be_visible()
    assert_accessible(page)
