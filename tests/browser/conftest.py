"""Browser tests: real Chromium (Playwright, sync API) against pytest-django's live server.

Fixtures:

* ``browser``: one headless Chromium for the session (per xdist worker), shared by consecutive
  browser tests and shut down when the run moves on to other tests (see ``_Chromium``). Without
  ``/usr/bin/chromium`` the browser tests are skipped, or fail when ``CI`` is set.
* ``page``: a page in a fresh JavaScript-enabled context; ``nojs_page``: the same with JavaScript
  disabled. Both contexts have ``base_url`` set to the live server, so ``page.goto("/")`` works,
  send ``Accept-Language: en-US`` and use a 10 s default timeout.
* ``live_server`` (pytest-django) runs Django in a thread of the test process. Mark browser
  tests ``@pytest.mark.django_db(transaction=True)``: data must be committed for the server
  thread to see it.

Helper: ``assert_accessible(page)`` runs axe-core on the page's current document and fails with
every WCAG 2.0/2.1 A and AA violation. Import it with ``from .conftest import assert_accessible``.

Every test collected under tests/browser/ gets the ``browser`` marker: ``-m "not browser"``
leaves them out.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium tries to reach the network in the background.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

BROWSER_TESTS_DIR = Path(__file__).resolve().parent
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
_UNSET = object()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _in_browser_tests(item):
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    """Skip locally; in CI a missing browser is a failure, never a silent skip."""
    if CI:
        pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


class _Chromium:
    """One Playwright driver and one headless Chromium, shared by consecutive browser tests.

    The sync API leaves an asyncio loop marked as running in this thread between its calls, for
    as long as Playwright runs. Django then refuses database access from the test thread (test
    data, the transactional_db flush) with SynchronousOnlyOperation, and asyncio.run() and
    async_to_sync() refuse to start. So while Playwright runs, DJANGO_ALLOW_ASYNC_UNSAFE is set
    (no coroutine ever touches the database here), and Playwright is stopped, which clears the
    loop, as soon as the run moves on to a test outside tests/browser/ (see
    pytest_runtest_teardown): other tests never see either."""

    def __init__(self):
        self._playwright = None
        self._browser = None
        self._saved_env = _UNSET

    def get(self):
        if self._browser is not None:
            return self._browser
        if not CHROMIUM.exists():
            _unavailable(f"{CHROMIUM} not found: install Debian's chromium package to run the browser tests")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            _unavailable("the playwright Python package is not installed (pip install -e '.[dev]')")
        self._saved_env = os.environ.get(ASYNC_UNSAFE)
        os.environ[ASYNC_UNSAFE] = "true"
        try:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except BaseException:
            self.stop()
            raise
        return self._browser

    def stop(self):
        try:
            try:
                if self._browser is not None:
                    self._browser.close()
            finally:
                if self._playwright is not None:
                    self._playwright.stop()
        finally:
            self._browser = self._playwright = None
            if self._saved_env is not _UNSET:
                if self._saved_env is None:
                    os.environ.pop(ASYNC_UNSAFE, None)
                else:
                    os.environ[ASYNC_UNSAFE] = self._saved_env
                self._saved_env = _UNSET


_chromium = _Chromium()


def _in_browser_tests(item) -> bool:
    return item is not None and BROWSER_TESTS_DIR in Path(str(item.path)).resolve().parents


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)  # the test's fixtures are torn down here, with Playwright still running
    finally:
        if not _in_browser_tests(nextitem):
            _chromium.stop()


def pytest_sessionfinish(session):
    _chromium.stop()


@pytest.fixture
def browser():
    """The shared headless Chromium (a playwright.sync_api.Browser). Prefer ``page``/``nojs_page``."""
    return _chromium.get()


def _new_page(browser, base_url: str, *, javascript: bool):
    context = browser.new_context(base_url=base_url, locale="en-US", java_script_enabled=javascript)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A page with JavaScript enabled, in a context of its own (no cookies from other tests)."""
    context, page = _new_page(browser, live_server.url, javascript=True)
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser, live_server) -> Iterator:
    """A page with JavaScript disabled, as a visitor who blocks scripts sees the site."""
    context, page = _new_page(browser, live_server.url, javascript=False)
    yield page
    context.close()


def _javascript_enabled(page) -> bool:
    """Whether the page's own scripts run. ``page.evaluate`` works either way; the HTML parser does
    not: with scripting on, the content of <noscript> is text, with it off, elements. (A probe
    script tag would be refused by the site's Content-Security-Policy, which allows no inline script.)"""
    return page.evaluate(
        "() => { const probe = document.createElement('div');"
        " probe.innerHTML = '<noscript><p></p></noscript>'; return probe.querySelector('noscript p') === null; }"
    )


# Serialises the current document as a visitor without JavaScript gets it: no <script> elements,
# and the content of <noscript> unwrapped (a JavaScript-enabled parser would treat it as text).
_NOJS_SNAPSHOT = """() => {
  const root = document.documentElement.cloneNode(true);
  root.querySelectorAll('script').forEach((el) => el.remove());
  root.querySelectorAll('noscript').forEach((el) => el.replaceWith(...el.childNodes));
  const doctype = document.doctype ? '<!DOCTYPE ' + document.doctype.name + '>' : '';
  return doctype + root.outerHTML;
}"""

_AXE_RUN = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then((results) =>
  results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  })))"""


def _run_axe(page, tags) -> list[dict]:
    # Evaluated, not added as a <script>, which the site's Content-Security-Policy would refuse.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(_AXE_RUN, list(tags))


def axe_violations(page, *, tags=WCAG_TAGS) -> list[dict]:
    """axe-core's violations for the page's current document.

    axe needs JavaScript (its scheduling relies on timers, which do not run in a page with
    scripts disabled). For a JavaScript-disabled page the document as it stands, the exact DOM a
    no-JS visitor sees (after any form posts and redirects), is snapshotted, scripts removed and
    <noscript> content unwrapped, and served at the same URL to a fresh JavaScript-enabled
    context, where stylesheets and images load from the live server as before; axe runs there.
    """
    if _javascript_enabled(page):
        return _run_axe(page, tags)
    html = page.evaluate(_NOJS_SNAPSHOT)
    url = page.url.split("#", 1)[0]
    viewport = page.viewport_size
    context = page.context.browser.new_context(java_script_enabled=True, locale="en-US", viewport=viewport)
    try:
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        mirror = context.new_page()
        mirror.route(
            lambda requested: requested.split("#", 1)[0] == url,
            lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
        )
        mirror.goto(url)
        return _run_axe(mirror, tags)
    finally:
        context.close()


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html']}")
            if node.get("summary"):
                lines.extend(f"        {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


def assert_accessible(page, *, tags=WCAG_TAGS) -> None:
    """Fail unless axe-core finds no WCAG 2.0/2.1 level A or AA violation on the page as it is now.

    Works on ``page`` and on ``nojs_page`` (see ``axe_violations``). Call it after the page has
    reached the state to check: after ``goto``, after a form post, after opening a dialog."""
    violations = axe_violations(page, tags=tags)
    if violations:
        pytest.fail(
            f"{len(violations)} accessibility violation(s) on {page.url}:\n{format_violations(violations)}",
            pytrace=False,
        )
