"""Every kind of user, in a real browser: the menu fits one line on a 1366 px desktop in Chinese
and in English, a worker's phone shows its daily items first, and no link of the menu, of the
landing page or of the section menus on the pages behind them is a dead end (404, 403 or 500)."""

from urllib.parse import urljoin, urlsplit

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e

ROLES = ["admin", "worker", "gridhead", "official", "dept", "assessor", "volunteer"]
# Links that end the session or change a setting rather than open a page.
NOT_PAGES = ("/accounts/logout/", "/i18n/")


def _links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [href for href in hrefs if href and not href.startswith(("#", "mailto:", "tel:", "javascript:"))]


def _same_site(base: str, hrefs: list[str]) -> set[str]:
    host = urlsplit(base).netloc
    urls = set()
    for href in hrefs:
        url = urljoin(base + "/", href)
        parts = urlsplit(url)
        if parts.netloc == host and not parts.path.startswith(NOT_PAGES):
            urls.add(parts._replace(fragment="").geturl())
    return urls


def _answers(page, url: str) -> int:
    return page.request.get(url, max_redirects=5).status


@pytest.fixture
def desktop_en(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _dead_links(page, live_server, role: str) -> dict[str, int]:
    """Log in as `role`; every link of its menu, of its landing page and of the section menus
    of the menu's pages, with the status of those that do not answer 200."""
    login(page, live_server, role)
    landing = page.url
    assert "/accounts/login/" not in landing and "/me/" not in landing, f"{role} has no landing page"
    menu = _same_site(live_server.url, _links(page, "nav [data-nav]"))
    on_landing = _same_site(live_server.url, _links(page, "main a[href]"))
    assert len(menu) >= 3, (role, menu)
    screenshot(page, f"crawl-{role}-landing")

    checked: dict[str, int] = {}
    # The menu's pages are opened in the browser (their section menus are followed too); the
    # landing page's links are requested with the same session.
    for url in sorted(menu):
        response = page.goto(url)
        checked[url] = response.status
        if response.status == 200:
            for sub in _same_site(live_server.url, _links(page, "main .nav a[href]")):
                checked.setdefault(sub, _answers(page, sub))
    for url in sorted(on_landing - checked.keys()):
        checked[url] = _answers(page, url)
    assert len(checked) >= len(menu)
    return {url: status for url, status in checked.items() if status != 200}


def _menu_lines(page, role: str) -> set[int]:
    """The distinct tops of the desktop menu's items on the page shown (one line: one top)."""
    bar = page.locator("nav.navbar .container-fluid").bounding_box()
    brand = page.locator("nav.navbar .navbar-brand").bounding_box()
    # One line: the bar is no taller than its brand plus the navbar's own padding.
    assert bar["height"] <= brand["height"] + 24, (role, bar, brand)
    items = page.locator("[data-testid=main-menu] > li")
    return {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}


def test_no_link_any_role_is_shown_is_a_dead_end_and_each_menu_fits_one_line(
    desktop, desktop_en, live_server, demo_city
):
    # One test for every role: the demo city is loaded once, not once a role.
    dead, lines = {}, {}
    for role in ROLES:
        found = _dead_links(desktop, live_server, role)
        if found:
            dead[role] = found
        desktop.goto(f"{live_server.url}/")
        login(desktop_en, live_server, role)
        for page, language in ((desktop, "zh"), (desktop_en, "en")):
            tops = _menu_lines(page, role)
            if len(tops) != 1:
                lines[(role, language)] = tops
            if role == "admin":
                screenshot(page, f"crawl-menu-{language}")
        desktop.context.clear_cookies()
        desktop_en.context.clear_cookies()
    assert not dead, f"dead links: {dead}"
    assert not lines, f"menus on more than one line: {lines}"


def test_a_workers_phone_puts_its_daily_items_first_and_an_officials_has_no_tab_bar(
    phone, live_server, demo_city
):
    login(phone, live_server, "worker")
    tabbar = phone.get_by_test_id("worker-tabbar")
    assert tabbar.is_visible()
    labels = [t.strip() for t in tabbar.locator("a").all_inner_texts()]
    assert labels == ["我的一天", "走访登记", "诉求", "消息"], labels
    box = tabbar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(phone.viewport_size["height"], abs=1)
    for href in _links(phone, "[data-testid=worker-tabbar] a"):
        assert _answers(phone, urljoin(live_server.url, href)) == 200, href
    # In the collapsed menu, My day comes first.
    phone.locator(".navbar-toggler").click()
    first = phone.locator("[data-testid=main-menu] > li").first
    assert "我的一天" in first.inner_text()
    screenshot(phone, "crawl-worker-phone-menu")

    # An official's phone has no tab bar: its work is not a worker's day. My day's offline
    # copies are fetched first: an answer arriving after the cookies are cleared would hand the
    # browser a CSRF cookie that the next login form does not match.
    phone.goto(f"{live_server.url}/residents/")
    phone.wait_for_selector("body[data-offline-ready]")
    phone.context.clear_cookies()
    login(phone, live_server, "official")
    assert phone.get_by_test_id("worker-tabbar").count() == 0
