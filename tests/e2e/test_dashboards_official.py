import pytest

from grids.models import GridNode, NodeKind
from petitions.models import OPEN_STATUSES, Petition
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def click_on_map(page, node: GridNode) -> None:
    """Click the map where `node`'s shape is (ECharts draws on a canvas)."""
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.querySelector('[data-chart=map]'))"
    )
    x, y = page.evaluate(
        """([lng, lat]) => {
            const el = document.querySelector('[data-chart=map]');
            const chart = echarts.getInstanceByDom(el);
            const [px, py] = chart.convertToPixel({seriesIndex: 0}, [lng, lat]);
            const box = el.getBoundingClientRect();
            return [box.left + px, box.top + py];
        }""",
        [node.centroid_lng, node.centroid_lat],
    )
    page.mouse.click(x, y)


def test_an_official_drills_down_the_map_to_a_red_petition(desktop, live_server, demo_city):
    street = GridNode.objects.get(name="文化街道")
    login(desktop, live_server, "official")
    desktop.wait_for_url(f"{live_server.url}/dashboards/{street.pk}/")
    assert desktop.get_by_test_id("dashboard-title").inner_text().startswith("文化街道")
    assert int(desktop.locator("[data-figure=red]").inner_text()) >= 0

    community = street.get_children().order_by("code").first()
    click_on_map(desktop, community)
    desktop.wait_for_url(f"{live_server.url}/dashboards/{community.pk}/**")
    assert desktop.get_by_test_id("dashboard-title").inner_text().startswith(community.name)

    grid = (
        GridNode.objects.filter(parent=community, kind=NodeKind.GRID, petitions__status__in=OPEN_STATUSES)
        .order_by("code")
        .first()
    )
    click_on_map(desktop, grid)
    desktop.wait_for_url(f"{live_server.url}/dashboards/{grid.pk}/**")
    red = desktop.locator("[data-testid=lights-board] a[data-kind=petition][data-light=RED]").first
    red.click()
    desktop.wait_for_url(f"{live_server.url}/petitions/*/")
    code = desktop.url.rstrip("/").split("/")[-1]
    assert Petition.objects.get(pk=int(code)).grid_id == grid.pk


def test_the_city_dashboard_renders_for_the_assessor(desktop, live_server, demo_city):
    city = GridNode.objects.get(kind=NodeKind.CITY)
    login(desktop, live_server, "assessor")
    desktop.goto(f"{live_server.url}/dashboards/{city.pk}/")
    desktop.wait_for_function("() => echarts.getInstanceByDom(document.querySelector('[data-chart=map]'))")
    desktop.wait_for_timeout(800)  # let the charts' entry animation finish before the picture
    assert desktop.locator("[data-testid=children-table] tbody tr").count() == 3
    screenshot(desktop, "city-dashboard")
