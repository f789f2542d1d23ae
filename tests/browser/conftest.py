"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright cannot download its own browsers here, so we point it at the system Chromium.
In CI a missing Chromium is a failure, never a skip.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def require(path: Path, message: str) -> None:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM), f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_tab(browser, live_server, **context_options):
    """A fresh browser tab that only talks to our server, and records what went wrong."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, **context_options)
    tab = context.new_page()
    ours = urlsplit(live_server.url).netloc
    # The network beyond this machine is closed: drop requests for remote images at once.
    tab.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == ours else route.abort())
    # Content-Security-Policy violations are reported to the page; keep them where the test can ask.
    tab.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (event) => window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));"
    )
    tab.console_errors = []
    tab.failed_requests = []
    # Failed loads are tracked below, by origin; the console repeats them for remote images too.
    tab.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and tab.console_errors.append(message.text)
        ),
    )
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    tab.on(
        "requestfailed",
        # A load the browser itself abandoned (the reader clicked on before a stylesheet arrived) is not a
        # failure of ours; a refused, reset or empty answer is.
        lambda request: (
            urlsplit(request.url).netloc == ours
            and request.failure != "net::ERR_ABORTED"
            and tab.failed_requests.append(f"{request.url} ({request.failure})")
        ),
    )
    tab.on(
        "response",
        lambda response: (
            urlsplit(response.url).netloc == ours
            and response.status >= 400
            and tab.failed_requests.append(f"{response.status} {response.url}")
        ),
    )
    return tab


@pytest.fixture
def page(browser, live_server):
    tab = open_tab(browser, live_server)
    yield tab
    tab.context.close()


def screenshot(tab, name: str) -> Path:
    """Save a full-page screenshot at phone and desktop widths, for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (390, 1280):
        tab.set_viewport_size({"width": width, "height": 900})
        tab.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_source() -> str:
    require(AXE, f"axe-core not found at {AXE}: run `make test` (npm ci) first")
    return AXE.read_text()


def accessibility_violations(tab, axe_source: str) -> list[str]:
    """Serious and critical axe-core findings (WCAG 2.1 A and AA) on the page as it is now.

    axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
    """
    tab.evaluate(axe_source)
    results = tab.evaluate(
        "axe.run(document, {runOnly: {type: 'tag',"
        " values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']}"
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def csp_violations(tab) -> list[str]:
    return tab.evaluate("window.__cspViolations")
