"""Issue 17, item 10: a Content-Security-Policy that forbids inline script and other origins.

Every answer carries the policy; no template keeps an inline script, an on*= handler, a
javascript: URL or a style attribute (they moved to static files and data-* attributes);
the pages of the demo city, crawled as each role, render none either. The browser tests
(tests/e2e) fail on any CSP violation Chromium reports.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def _assert_strict(response) -> None:
    assert "Content-Security-Policy" in response, f"{response.status_code} without a policy"
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert set(policy["img-src"]) == {"'self'", "data:", "blob:"}
    assert policy["connect-src"] == ["'self'"]
    for values in policy.values():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
        assert not any(v.startswith(("http:", "https:")) or v == "*" for v in values)


# --- templates -----------------------------------------------------------------------------------
class _Inline(HTMLParser):
    """Collects what the policy would refuse in one HTML text (template tags left in place)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            if re.fullmatch(r"on[a-z]+", name):
                self.found.append(f"{name}= at line {self.getpos()[0]}")
            if name == "style":
                self.found.append(f"style= at line {self.getpos()[0]}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL at line {self.getpos()[0]}")


def _refused(text: str) -> list[str]:
    parser = _Inline()
    parser.feed(text)
    parser.close()
    return parser.found


def _templates():
    for folder in TEMPLATE_DIRS:
        yield from sorted(folder.rglob("*.html"))


def test_the_scanner_finds_each_kind_of_inline_code():
    found = _refused(
        '<script>alert(1)</script><script src="/a.js"></script><script type="application/json">{}</script>'
        '<a href="javascript:void(0)">x</a><select onchange="go()"></select><div style="color:red"></div>'
        "<style>p{}</style>"
    )
    assert len(found) == 5, found


def test_no_template_contains_an_inline_script_a_handler_or_a_style_attribute():
    templates = list(_templates())
    assert len(templates) > 40  # the scan sees the project's templates
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in templates
        if (found := _refused(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


# --- answers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/petitions/report/",
        "/petitions/track/",
        "/evaluation/stars/",
        "/api/docs/",
        "/api/docs/?script=",
        "/api/schema/",
        "/api/v1/me/",
        "/healthz",
        "/no-such-page/",
        "/admin/login/",
    ],
)
def test_every_answer_carries_the_strict_policy(client, url):
    _assert_strict(client.get(url))


def test_swagger_ui_loads_its_init_script_and_styles_as_files(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert _refused(html) == []
    assert 'src="/api/docs/?script="' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def _crawl(client, start: str, limit: int) -> dict[str, object]:
    """Follow the site's own links breadth-first from `start`; the HTML answers by URL."""
    seen, queue, pages = set(), [start], {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        _assert_strict(response)
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        pages[url] = response
        collector = _Links()
        collector.feed(response.content.decode())
        for href in collector.links:
            href = urldefrag(href)[0]
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or not href.startswith("/"):
                continue
            if href.startswith(("/admin/", "/i18n/", "/accounts/logout")) or href.endswith(".xlsx"):
                continue
            queue.append(href)
    return pages


@pytest.mark.parametrize("username", ["worker", "gridhead", "official", "dept", "assessor"])
def test_the_demo_pages_of_each_role_carry_the_policy_and_no_inline_code(helong, client, username):
    from hlgrid.models import User

    client.force_login(User.objects.get(username=username))
    pages = _crawl(client, "/", limit=35)
    assert len(pages) >= 8, sorted(pages)
    offenders = {url: found for url, r in pages.items() if (found := _refused(r.content.decode()))}
    assert offenders == {}


def test_the_public_pages_carry_the_policy_and_no_inline_code(helong, client):
    pages = _crawl(client, "/petitions/report/", limit=10)
    pages.update(_crawl(client, "/evaluation/stars/", limit=5))
    assert "/petitions/report/" in pages
    assert {url: f for url, r in pages.items() if (f := _refused(r.content.decode()))} == {}
