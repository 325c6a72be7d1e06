import subprocess
from pathlib import Path

import pytest

from tests.demo import load_committed
from tests.services import CHROMIUM

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Without these flags Chromium tries to reach the outside world (updates, sync, QUIC),
# which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session", autouse=True)
def front_end_build():
    """The icon sprite, the stylesheet and the service worker the pages load (`make assets`)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "build" / "app.css").exists() or not (root / "build" / "sw.js").exists():
        subprocess.run(["node", "frontend/build.mjs"], cwd=root, check=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch_csp(context) -> list[str]:
    """Every Content-Security-Policy violation Chromium reports on the context's pages."""
    violations: list[str] = []

    def listen(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", listen)
    return violations


def _no_csp_violations(violations: list[str]) -> None:
    # The policy forbids inline script and style (hlgrid/settings.py): a page that needs either
    # is broken in production, so the browser tests fail on it.
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations[:10]))


@pytest.fixture
def phone(browser):
    """A phone-sized page (360 px wide), in Chinese, as grid workers use it."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=2
    )
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    _no_csp_violations(violations)


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    _no_csp_violations(violations)


@pytest.fixture
def demo_city(transactional_db):
    """The demo city committed for the live server (restored from a snapshot on SQLite)."""
    return load_committed()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, live_server, username: str, password: str = "hlgrid-demo") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    # Users land where their work is (not always "/"): wait until we left the login page.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
