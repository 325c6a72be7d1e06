"""The residents' front door on a phone: `/` → 我的网格 → a tap on the map → the grid's 联心卡
with its worker's work phone and the announcements; then an official publishes one (desktop)
and the resident sees it; the official prints the grid's card."""

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _tap_at(page, lat: float, lng: float) -> None:
    """Tap the SVG grid map where the point (lat, lng) is drawn (the page's own projection)."""
    x, y = page.evaluate(
        """([lat, lng]) => {
            const map = document.getElementById('my-grid-map');
            const p = JSON.parse(document.getElementById('my-grid-projection').textContent);
            const pt = map.createSVGPoint();
            pt.x = (lng - p.minLng) * p.kx * p.scale; pt.y = (p.maxLat - lat) * p.scale;
            const s = pt.matrixTransform(map.getScreenCTM());
            return [s.x, s.y];
        }""",
        [lat, lng],
    )
    page.mouse.click(x, y)


def test_a_visitor_finds_its_grid_worker_and_news_and_an_officials_notice_shows(
    demo_city, live_server, phone, desktop
):
    from grids.models import GridNode, Post, PostKind

    worker_post = Post.objects.select_related("user", "node").get(
        user__username="worker", kind=PostKind.WORKER
    )
    grid = worker_post.node
    assert worker_post.user.phone  # the demo gives every field post a work phone

    # A visitor on a phone: the front door, not a login box.
    phone.goto(f"{live_server.url}/")
    for tile in ("tile-report", "tile-track", "tile-my-grid", "tile-news", "staff-login"):
        assert phone.locator(f"[data-testid={tile}]").is_visible()
    assert phone.locator("#id_username").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    screenshot(phone, "front-door-home")

    phone.click("[data-testid=tile-my-grid]")
    phone.wait_for_selector("[data-testid=my-grid-map]")
    _tap_at(phone, grid.centroid_lat, grid.centroid_lng)
    phone.wait_for_selector("[data-testid=my-grid-card]")
    assert phone.inner_text("[data-testid=my-grid-name]") == grid.name
    workers = phone.locator("[data-testid=my-grid-worker]").all_inner_texts()
    assert any(worker_post.user.display_name in text and worker_post.user.phone in text for text in workers)
    assert (
        phone.get_attribute(f"a[href='tel:{worker_post.user.phone}']", "data-testid")
        == "my-grid-worker-phone"
    )
    assert phone.locator("[data-testid=public-announcement]").count() >= 1  # the demo's notices
    assert phone.get_attribute("[data-testid=my-grid-report]", "href") == f"/petitions/report/?grid={grid.pk}"
    screenshot(phone, "front-door-my-grid")

    # A point off the grids (a corner of the map's frame) says it is outside the service area.
    phone.goto(f"{live_server.url}/my-grid/")
    box = phone.locator("[data-testid=my-grid-map]").bounding_box()
    phone.mouse.click(box["x"] + 3, box["y"] + 3)
    phone.wait_for_function(
        "() => document.querySelector('[data-testid=my-grid-status]').dataset.outside === '1'"
    )
    assert "服务区域" in phone.inner_text("[data-testid=my-grid-status]")

    # An official of the street publishes a notice for the grid's community (desktop).
    community = GridNode.objects.get(pk=grid.parent_id)
    login(desktop, live_server, "official")
    desktop.goto(f"{live_server.url}/announcements/new/")
    desktop.select_option("[data-testid=announcement-node]", str(community.pk))
    desktop.fill("[data-testid=announcement-title]", "周六社区义诊")
    desktop.fill("[data-testid=announcement-body]", "本周六上午八点，社区卫生服务站免费测血压、血糖。")
    desktop.click("[data-testid=announcement-submit]")
    desktop.wait_for_url("**/announcements/")
    assert "周六社区义诊" in desktop.inner_text("[data-testid=announcement-list]")
    screenshot(desktop, "front-door-announcements")

    # The resident's page of its grid (remembered: the home tile goes straight to it) shows it first.
    phone.goto(f"{live_server.url}/")
    phone.click("[data-testid=tile-my-grid]")
    phone.wait_for_selector("[data-testid=my-grid-card]")
    assert phone.locator("[data-testid=public-announcement] h3").first.inner_text() == "周六社区义诊"
    phone.goto(f"{live_server.url}/")
    phone.click("[data-testid=tile-news]")
    assert "周六社区义诊" in phone.inner_text("[data-testid=public-announcements]")

    # The official prints the grid's 联心卡: the QR code carries the report form for that grid.
    desktop.goto(f"{live_server.url}/grids/{grid.pk}/")
    desktop.click("[data-testid=liancard-link]")
    desktop.wait_for_selector("[data-testid=liancard] svg")
    assert (
        desktop.inner_text("[data-testid=liancard-url]")
        == f"{live_server.url}/petitions/report/?grid={grid.pk}"
    )
    assert worker_post.user.phone in desktop.inner_text("[data-testid=liancard]")
    desktop.emulate_media(media="print")
    assert not desktop.locator("nav.hl-navbar").is_visible()
    screenshot(desktop, "front-door-liancard-print")
