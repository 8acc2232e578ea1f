"""Filing a complaint in a real browser, from the start page to the status lookup: in English and
in Spanish, named and anonymous, with and without JavaScript; every page checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PNG_BYTES
from tests.public_portal.intake_flow import PUBLIC, about, incident, officers, witnesses

from .intake_steps import IntakeVisitor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(PNG_BYTES)
    return path


def test_a_resident_files_a_named_complaint_in_english_with_a_photo(page, photo):
    visitor = IntakeVisitor(page)
    page.goto(f"{PUBLIC}/")
    visitor.start()

    # Sent empty, the first step comes back with errors, accessible too.
    visitor.save_and_continue()
    expect(page).to_have_url(re.compile(rf"{PUBLIC}/incident/$"))
    summary = page.get_by_role("alert").filter(has_text="Please fix the following")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="This field is required.")).to_have_count(2)  # where, what happened
    expect(page.locator("#id_narrative")).to_have_attribute("aria-invalid", "true")
    visitor.expect_page()

    visitor.step("incident", incident(), "officers")
    visitor.step("officers", officers(), "kinds")
    visitor.step("kinds", {"kinds": ["force", "property"]}, "witnesses")
    visitor.step("witnesses", witnesses(), "evidence")
    visitor.evidence(photo)
    visitor.step("about", about(), "consent")
    visitor.consent()

    for text in ("Outside the laundromat at 5th and Market", "Officer Reyes", "photo.png", "Rosa Delgado"):
        expect(page.get_by_role("main")).to_contain_text(text)
    tracking_number, code = visitor.send()

    assert tracking_number in visitor.receipt_text()
    assert visitor.check_status(tracking_number, code) == "Received"


def test_a_resident_files_anonymously_in_spanish(page, photo):
    visitor = IntakeVisitor(page, language="es")
    page.goto(f"{PUBLIC}/")
    page.get_by_role("button", name="Español").click()
    visitor.start()

    visitor.step("incident", incident(), "officers")
    visitor.step("officers", officers({"known": "described", "appearance": "Alto, pelo corto, uniforme"}), "kinds")
    visitor.step("kinds", {"kinds": ["threat"]}, "witnesses")
    visitor.step("witnesses", witnesses(), "evidence")
    visitor.evidence(photo)
    # The label as a Spanish reader sees it (the English until the catalog translates it).
    visitor.choose(page.get_by_role("radio", name=visitor.t("I want to stay anonymous"), exact=True))
    expect(page.locator('input[name="filing_as"][value="anonymous"]')).to_be_checked()
    expect(page.get_by_label(visitor.t("Language for letters and emails"))).to_have_value("es")
    visitor.save_and_continue("consent")
    visitor.consent()

    expect(page.get_by_role("main")).to_contain_text(
        visitor.t("You chose to stay anonymous. We will not keep your name or contact details.")
    )
    tracking_number, code = visitor.send()

    assert tracking_number in visitor.receipt_text()
    assert visitor.check_status(tracking_number, code) == visitor.t("Received")


def test_the_whole_flow_works_without_javascript(nojs_page, photo):
    page = nojs_page
    visitor = IntakeVisitor(page)
    page.goto(f"{PUBLIC}/")
    visitor.start()

    visitor.step("incident", incident(date_precision="approximate", time_precision="unknown", time=""), "officers")
    # A second officer, added by the server rather than by a script; the page opens at it.
    visitor.button("Add another officer").click()
    visitor.expect_step("officers")
    new_officer = page.get_by_role("group", name="Officer 2", exact=True)
    expect(new_officer).to_be_visible()
    expect(new_officer).to_have_id(page.url.split("#", 1)[1])
    visitor.step("officers", officers({"known": "identified", "badge": "4471"}, {"known": "unknown"}), "kinds")
    visitor.step("kinds", {"kinds": ["force"]}, "witnesses")
    visitor.step(
        "witnesses", witnesses({"first_name": "Tom", "last_name": "Baker", "phone": "555-777-1212"}), "evidence"
    )
    visitor.evidence(photo)
    visitor.step("about", about(), "consent")
    visitor.consent()

    for text in ("#4471", "An officer I can't identify", "Tom Baker", "photo.png"):
        expect(page.get_by_role("main")).to_contain_text(text)
    tracking_number, code = visitor.send()

    assert tracking_number in visitor.receipt_text()
    assert visitor.check_status(tracking_number, code) == "Received"


def test_a_step_works_from_the_keyboard(page, photo):
    visitor = IntakeVisitor(page, check_accessibility=False)
    page.goto(f"{PUBLIC}/")
    visitor.start()
    visitor.step("incident", incident(), "officers")
    visitor.step("officers", officers(), "kinds")
    visitor.step("kinds", {"kinds": []}, "witnesses")
    visitor.step("witnesses", witnesses(), "evidence")
    visitor.save_and_continue("about")

    # Tabbing from the top of the page reaches "Save and continue", and "Back" only after it.
    save, back = visitor.button("Save and continue"), visitor.button("Back")
    is_focused = "(el) => el === document.activeElement"
    for _ in range(60):
        page.keyboard.press("Tab")
        assert not back.evaluate(is_focused), "Back is reached before Save and continue"
        if save.evaluate(is_focused):
            break
    else:
        pytest.fail("Tab never reached Save and continue")
    page.keyboard.press("Tab")
    expect(back).to_be_focused()

    # Enter in a text field saves and continues; it does not go back.
    visitor.fill(about())
    page.get_by_role("textbox", name="Email").press("Enter")
    visitor.expect_step("consent")


def test_enter_on_the_officers_step_continues_instead_of_adding_a_row(page):
    visitor = IntakeVisitor(page, check_accessibility=False)
    page.goto(f"{PUBLIC}/")
    visitor.start()
    visitor.step("incident", incident(), "officers")
    visitor.choose(page.locator('input[name="officers-0-known"][value="identified"]'))
    name = page.locator("#id_officers-0-name")
    name.fill("Officer Reyes")
    name.press("Enter")
    visitor.expect_step("kinds")
