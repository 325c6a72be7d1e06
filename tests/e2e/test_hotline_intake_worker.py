"""A grid worker on a phone takes a hotline call in: finds the building by search, ticks the
SMS updates, lands on the petition, then finds it again from the inbox by the caller's phone."""

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CALLER_PHONE = "139 8765 4321"  # as the worker types it; stored as 13987654321


def test_a_worker_takes_a_hotline_call_in_and_finds_it_again_by_the_phone(demo_city, live_server, phone):
    from grids.models import PostKind
    from hlgrid.models import User
    from petitions.models import Petition, Source, Status
    from residents.models import Building

    worker = User.objects.get(username="worker")
    grid = worker.posts.get(kind=PostKind.WORKER).node
    building = Building.objects.filter(grid=grid, number="3").get()

    login(phone, live_server, "worker")
    phone.goto(f"{live_server.url}/petitions/")
    phone.click("[data-testid=inbox-intake]")
    phone.wait_for_selector("[data-testid=intake-form]")
    # The page fits a phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.click("label[for=source-HOTLINE]")
    phone.fill("[data-testid=intake-name]", "韩梅梅")
    phone.fill("[data-testid=intake-phone]", CALLER_PHONE)
    phone.check("[data-testid=intake-notify]")
    phone.fill("[data-testid=intake-description]", "来电反映：楼下垃圾桶满了好几天没人清运")

    # The map pane draws the worker's grid (Leaflet, no tiles); then back to the building search.
    phone.click("label[for=mode-point]")
    phone.wait_for_selector("#intake-map .leaflet-interactive")
    assert phone.is_hidden("[data-testid=pane-building]")
    phone.click("label[for=mode-building]")
    assert phone.is_hidden("[data-testid=pane-point]")
    phone.fill("[data-testid=building-query]", "3号楼")
    phone.press("[data-testid=building-query]", "Enter")  # searches, does not send the form
    phone.wait_for_selector(f"[data-testid=building-option] input[value='{building.pk}']")
    assert phone.locator("[data-testid=building-option]").count() == 1  # only the worker's grid
    phone.check(f"[data-testid=building-option] input[value='{building.pk}']")
    phone.fill("[data-testid=intake-address]", "2单元 301")
    assert Petition.objects.filter(reporter_phone_hint="139****4321", source=Source.HOTLINE).count() == 0
    screenshot(phone, "intake-hotline-form")

    phone.click("[data-testid=intake-submit]")
    phone.wait_for_selector("[data-testid=petition-code]")
    code = phone.inner_text("[data-testid=petition-code]").strip()
    petition = Petition.objects.get(tracking_code=code)
    assert petition.source == Source.HOTLINE and petition.status == Status.RECEIVED
    assert petition.grid == grid and petition.reporter_notify and petition.created_by == worker
    assert petition.reporter_phone == "13987654321" and "2单元 301" in petition.address
    assert phone.get_attribute("[data-testid=petition-source]", "data-source") == "HOTLINE"
    assert "139****4321" in phone.inner_text("#contact") and "13987654321" not in phone.content()
    assert phone.locator("[data-testid=action-verify]").count() == 1  # the five steps start
    screenshot(phone, "intake-hotline-petition")

    # Later the caller rings again: the worker finds the petition by the phone number.
    phone.goto(f"{live_server.url}/petitions/")
    phone.fill("[data-testid=search-q]", "13987654321")
    phone.click("[data-testid=search-submit]")
    phone.wait_for_selector("[data-testid=search-count]")
    rows = phone.locator("[data-testid=petition-row]")
    assert rows.count() == 1 and rows.first.get_attribute("data-code") == code
    screenshot(phone, "intake-found-by-phone")
    rows.first.click()
    phone.wait_for_selector(f"[data-testid=petition-code]:text('{code}')")
