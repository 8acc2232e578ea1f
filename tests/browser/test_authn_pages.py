"""The sign-in pages in a real browser, with JavaScript off: enrolling an authenticator app from the
QR page (its key read off the page, as a person would type it), the backup codes, the second
factor and password pages, the code page with an error, the locked-out page, and the password
reset by emailed link. Every page passes axe-core (WCAG 2.1 A and AA)."""

import re
from base64 import b32decode

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from oversight.permissions import Role
from tests.authn.signing_in import code_now, fresh_code
from tests.factories import UserFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def newcomer():
    return UserFactory(username="new_nadia", first_name="Nadia", last_name="Diaz", roles=[Role.INVESTIGATOR])


def _password(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()


def test_enrolment_backup_codes_and_the_second_factor_and_password_pages(nojs_page: Page, newcomer, settings):
    # django-otp refuses any code for a second after a wrong one (tests/authn covers the throttle);
    # here the right code follows the wrong one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    page = nojs_page
    _password(page, "new_nadia")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    expect(page.locator("svg.qr-code")).to_be_visible()
    assert_accessible(page)

    key = b32decode(page.locator(".otp-secret").inner_text().replace(" ", "")).hex()
    page.get_by_label("Code from the app").fill("000000" if code_now(key) != "000000" else "111111")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Code from the app").fill(code_now(key))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    expect(page.locator(".backup-codes li")).to_have_count(10)
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("continue")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nadia")
    page.get_by_role("link", name="Second factor and backup codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Second factor")
    assert_accessible(page)

    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page)
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("lantern orchard violet")
    page.get_by_label("New password confirmation").fill("lantern orchard violet")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    assert_accessible(page)


def test_the_code_page_and_the_locked_out_page(nojs_page: Page, newcomer):
    page = nojs_page
    code = fresh_code(newcomer)
    _password(page, "new_nadia")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page)
    wrong = f"{(int(code) + 500_000) % 1_000_000:06d}"
    for _ in range(4):
        page.get_by_label("Code", exact=True).fill(wrong)
        page.get_by_role("button", name="Verify").click()
        expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code", exact=True).fill(wrong)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked for now")
    expect(page.get_by_text("Please try again in 10 minutes")).to_be_visible()
    assert_accessible(page)


def test_the_password_reset_pages(nojs_page: Page, newcomer, live_server):
    page = nojs_page
    page.goto("/staff/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_accessible(page)
    page.get_by_label("Email").fill("new_nadia@oversight.example")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/staff/password-reset/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("lantern orchard violet")
    page.get_by_label("New password confirmation").fill("lantern orchard violet")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    assert_accessible(page)
    page.goto(link)
    expect(page.get_by_text("This link does not work any more")).to_be_visible()
    assert_accessible(page)
