"""The Content-Security-Policy in a real browser: what the pages do beyond the journeys (chart
tooltips, the Swagger UI, the language switch) runs without a single violation. The `phone`
and `desktop` fixtures fail a test on any violation Chromium reports (tests/e2e/conftest.py)."""

import pytest

from tests.e2e.conftest import login, watch_csp

pytestmark = pytest.mark.e2e


def _hover_every_chart(page) -> int:
    page.wait_for_function("() => window.echarts && document.querySelector('[data-chart]')")
    charts = page.locator("[data-chart], #share-chart")
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        for fx in (0.35, 0.5, 0.65):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.6)
            page.wait_for_timeout(150)
    return charts.count()


def test_the_browser_reports_a_violation_the_watch_would_catch(browser, live_server):
    """The watch itself: an inline script under the site's policy is reported."""
    context = browser.new_context()
    violations = watch_csp(context)
    page = context.new_page()
    page.route(
        f"{live_server.url}/probe",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "script-src 'self'"},
            body="<script>document.title = 'ran'</script>",
        ),
    )
    page.goto(f"{live_server.url}/probe")
    assert page.title() != "ran"
    context.close()
    assert violations and "Content Security Policy" in violations[0]


def test_chart_tooltips_swagger_and_the_language_switch_keep_to_the_policy(desktop, live_server, demo_city):
    login(desktop, live_server, "official")
    desktop.goto(f"{live_server.url}/dashboards/")
    assert _hover_every_chart(desktop) >= 4

    desktop.goto(f"{live_server.url}/api/docs/")
    desktop.wait_for_selector(".opblock-tag")
    assert desktop.locator(".opblock-tag").count() > 5

    desktop.goto(f"{live_server.url}/petitions/")
    desktop.select_option("#language", "en")
    desktop.wait_for_function("() => document.documentElement.lang === 'en'")
