import pytest

from deliberation.models import Topic
from grids.models import GridNode
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_an_official_acts_on_the_top_problem_and_the_heat_map_renders(phone, live_server, demo_city):
    street = GridNode.objects.get(name="文化街道")
    login(phone, live_server, "official")
    phone.goto(f"{live_server.url}/dashboards/{street.pk}/targeted/")
    top = phone.get_by_test_id("problem").first
    top.get_by_test_id("create-topic").click()
    phone.wait_for_url(f"{live_server.url}/dashboards/{street.pk}/targeted/")
    assert phone.get_by_test_id("problem").first.get_by_test_id("acted-topic").is_visible()
    assert Topic.objects.filter(title__startswith="反复发生").count() == 1
    screenshot(phone, "targeted-phone")

    phone.goto(f"{live_server.url}/dashboards/{street.pk}/hotspots/")
    phone.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('heatmap'))"
    )
    assert phone.locator("#heatmap canvas").count() >= 1
    assert phone.get_by_test_id("places").locator("tbody tr").count() >= 1
    screenshot(phone, "hotspots-phone")
