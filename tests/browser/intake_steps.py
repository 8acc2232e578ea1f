"""A visitor walking the public intake form in a real browser.

Uses the test data of tests/public_portal/intake_flow.py: fields are found by their form names, so
the same data dicts fill the pages in either language; buttons, links and headings are found by
the text the visitor sees in their language (see ``IntakeVisitor.t``).
"""

import re
from io import BytesIO
from pathlib import Path

from django.utils import translation
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from public_portal.intake import STEPS
from tests.public_portal.intake_flow import PUBLIC

from .conftest import assert_accessible

STEP_TITLES = {step.slug: step.title for step in STEPS}
_MANAGEMENT_FIELDS = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
_TRACKING_NUMBER = re.compile(r"^[A-Z]+-\d{4}-\d+$")
_STATUS_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")


class IntakeVisitor:
    """Someone filing a complaint in ``page`` (JavaScript on or off), reading the site in
    ``language``. Every page reached is checked with axe unless ``check_accessibility`` is False."""

    def __init__(self, page: Page, language: str = "en", *, check_accessibility: bool = True):
        self.page = page
        self.language = language
        self.check_accessibility = check_accessibility

    # --- What the visitor sees -----------------------------------------------------------------

    def t(self, message) -> str:
        """The text the site shows for ``message`` (a msgid or a lazy string) in the visitor's
        language: the catalog's translation, or the English while the catalog has none. The live
        server runs in this process and uses the same loaded catalog."""
        with translation.override(self.language):
            return translation.gettext(message) if isinstance(message, str) else str(message)

    def button(self, message) -> Locator:
        return self.page.get_by_role("button", name=self.t(message), exact=True)

    def expect_page(self) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        if self.check_accessibility:
            assert_accessible(self.page)

    def expect_step(self, slug: str) -> None:
        expect(self.page).to_have_url(re.compile(rf"{PUBLIC}/{slug}/(#[\w-]+)?$"))
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(self.t(STEP_TITLES[slug]))
        self.expect_page()

    # --- Filling fields --------------------------------------------------------------------------

    def choose(self, control: Locator) -> None:
        """Check a radio button or checkbox by clicking its label, as a visitor does: USWDS keeps
        the native input off-screen and draws its own."""
        if not control.is_checked():
            self.page.locator(f'label[for="{control.get_attribute("id")}"]').click()
        expect(control).to_be_checked()

    def fill(self, data: dict) -> None:
        """Fill the current step from a dict as intake_flow posts it (field name → value)."""
        for name, value in data.items():
            if name == "website" or name.endswith(_MANAGEMENT_FIELDS):  # honeypot; formset bookkeeping
                continue
            field = self.page.locator(f'[name="{name}"]')
            kind = field.first.get_attribute("type") or field.first.evaluate("(el) => el.tagName.toLowerCase()")
            if kind in ("radio", "checkbox"):
                for choice in value if isinstance(value, list) else [value]:
                    if choice:
                        self.choose(self.page.locator(f'[name="{name}"][value="{choice}"]'))
            elif kind == "select":
                field.select_option(value)
            else:
                field.fill(value)

    def save_and_continue(self, next_slug: str | None = None) -> None:
        self.button("Save and continue").click()
        if next_slug:
            self.expect_step(next_slug)

    # --- The steps -----------------------------------------------------------------------------------

    def start(self) -> None:
        """From the start page (already open), begin a new complaint."""
        expect(self.page).to_have_url(re.compile(rf"{PUBLIC}/$"))
        self.expect_page()
        self.button("Start").click()
        self.expect_step("incident")

    def step(self, slug: str, data: dict, next_slug: str) -> None:
        self.fill(data)
        self.save_and_continue(next_slug)

    def evidence(self, *files: Path) -> None:
        for path in files:
            self.page.locator('input[type="file"][name="files"]').set_input_files(path)
            self.button("Upload").click()
            self.expect_step("evidence")
            expect(self.page.get_by_role("rowheader", name=path.name, exact=True)).to_be_visible()
        self.save_and_continue("about")

    def consent(self) -> None:
        self.choose(self.page.locator('input[name="agree"]'))
        self.save_and_continue("review")

    def send(self) -> tuple[str, str]:
        """Send from the review page; return the tracking number and status code shown."""
        self.button("Send my complaint").click()
        expect(self.page).to_have_url(re.compile(rf"{PUBLIC}/done/$"))
        expect(self.page.get_by_role("heading", level=1)).to_have_text(self.t("We received your complaint"))
        tracking_number = self.page.locator(".tracking-number").inner_text().strip()
        code = self.page.locator(".status-code").inner_text().strip()
        assert _TRACKING_NUMBER.match(tracking_number), tracking_number
        assert _STATUS_CODE.match(code), code
        self.expect_page()
        return tracking_number, code

    def receipt_text(self) -> str:
        """Download the receipt from the confirmation page; return the PDF's text."""
        with self.page.expect_download() as download_info:
            self.page.get_by_role("link", name=self.t("Download your receipt (PDF)"), exact=True).click()
        download = download_info.value
        assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
        pdf = PdfReader(BytesIO(Path(download.path()).read_bytes()))
        return "\n".join(page.extract_text() for page in pdf.pages)

    def check_status(self, tracking_number: str, code: str) -> str:
        """From the confirmation page, look the complaint up; return the stage shown."""
        self.page.get_by_role("link", name=self.t("Check the status of a complaint"), exact=True).click()
        expect(self.page).to_have_url(re.compile(r"/status/$"))
        expect(self.page.get_by_role("heading", level=1)).to_have_text(self.t("Check the status of a complaint"))
        self.expect_page()
        self.page.get_by_label(self.t("Tracking number"), exact=True).fill(tracking_number)
        self.page.get_by_label(self.t("Status code"), exact=True).fill(code)
        self.button("Check status").click()
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(tracking_number)
        self.expect_page()
        return self.page.locator(".usa-intro strong").inner_text().strip()
