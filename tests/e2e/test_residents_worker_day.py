import pytest

from grids.models import GridNode, NodeKind
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_a_worker_logs_a_visit_to_a_red_key_person_on_a_phone_and_sees_it_turn_green(
    phone, live_server, demo_city
):
    grid = GridNode.objects.filter(kind=NodeKind.GRID).order_by("code").first()  # the demo worker's grid
    phone.context.grant_permissions(["geolocation"], origin=live_server.url)
    phone.context.set_geolocation(
        {"latitude": grid.centroid_lat, "longitude": grid.centroid_lng, "accuracy": 15}
    )
    login(phone, live_server, "worker")

    phone.goto(f"{live_server.url}/residents/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    red = phone.locator("[data-testid=due-item][data-light=RED]").first
    membership = red.get_attribute("data-membership")
    first_item = phone.locator("[data-testid=due-item]").first
    assert first_item.get_attribute("data-light") == "RED"  # red first
    assert phone.locator("[data-testid=due-item][data-light=YELLOW]").count() > 0
    screenshot(phone, "residents-my-day")

    red.get_by_test_id("visit-now").click()
    phone.wait_for_selector("[data-testid=visit-form]")
    phone.wait_for_function("() => document.getElementById('id_latitude').value !== ''")
    phone.get_by_test_id("notes").fill("上门探望，身体状况稳定，叮嘱按时服药")
    screenshot(phone, "residents-log-visit")
    phone.get_by_test_id("save-visit").click()
    phone.wait_for_url("**/residents/households/*/")
    item = phone.locator(f"[data-testid=membership][data-membership='{membership}']")
    assert item.get_attribute("data-light") == "GREEN"
    assert item.get_by_test_id("light").get_attribute("data-light") == "GREEN"
    assert (
        phone.get_by_test_id("visits").locator("[data-testid=visit]").first.inner_text().count("上门探望")
        == 1
    )
    screenshot(phone, "residents-household-green")

    phone.goto(f"{live_server.url}/residents/")
    assert phone.locator(f"[data-testid=due-item][data-membership='{membership}']").count() == 0
