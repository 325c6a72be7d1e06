import pytest

from grids.models import GridNode, NodeKind
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_a_worker_logs_in_on_a_phone_and_sees_its_grid(phone, live_server, demo_city):
    own = GridNode.objects.filter(kind=NodeKind.GRID).order_by("code").first()
    login(phone, live_server, "worker")
    phone.goto(f"{live_server.url}/me/")
    assert phone.get_by_test_id("my-posts").inner_text().count(own.name) == 1

    phone.goto(f"{live_server.url}/grids/")
    phone.wait_for_url(f"{live_server.url}/grids/{own.pk}/")
    assert phone.get_by_test_id("node-name").inner_text() == own.name
    # drawn among its neighbours, which the worker may not open
    assert phone.get_by_test_id("current-shape").count() == 1
    assert phone.locator("[data-testid=grid-map] a").count() == 0
    assert phone.locator("[data-testid=grid-map] path.muted").count() == own.parent.get_children().count() - 1
    assert "网格员" in phone.content()
    screenshot(phone, "worker-grid")

    other = GridNode.objects.filter(kind=NodeKind.GRID).order_by("-code").first()
    response = phone.goto(f"{live_server.url}/grids/{other.pk}/")
    assert response.status == 404


def test_an_official_drills_down_the_street_on_the_map(desktop, live_server, demo_city):
    login(desktop, live_server, "official")
    desktop.goto(f"{live_server.url}/grids/")
    assert desktop.get_by_test_id("node-name").inner_text() == "文化街道"
    shapes = desktop.locator("[data-testid=grid-map] a")
    assert shapes.count() == 4  # the street's four communities
    shapes.first.click()
    desktop.wait_for_load_state()
    community = desktop.get_by_test_id("node-name").inner_text()
    assert community.endswith("社区")
    desktop.locator("[data-testid=grid-map] a").first.click()
    desktop.wait_for_load_state()
    assert "网格" in desktop.get_by_test_id("node-name").inner_text()
    screenshot(desktop, "official-grid")
