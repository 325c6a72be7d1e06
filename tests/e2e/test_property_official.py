"""A street official on a desktop: sees the compounds card on the street's dashboard, computes the
property firms' stars for the last quarter, publishes the star board (which grid staff of the
street then read), and opens a renovation project's budget page, whose totals add up."""

import pytest

from grids.models import GridNode
from property.models import BoardStatus, FirmRating, PropertyFirm, RenovationProject, StarBoard
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_a_street_official_computes_and_publishes_the_firms_stars_and_opens_a_renovation_budget(
    desktop, live_server, demo_city
):
    street = GridNode.objects.get(name="文化街道")
    login(desktop, live_server, "official")
    desktop.goto(f"{live_server.url}/dashboards/{street.pk}/")
    panel = desktop.get_by_test_id("property-panel")
    assert (
        int(panel.locator("[data-figure=property_firms]").inner_text())
        == PropertyFirm.objects.filter(street=street).count()
    )

    desktop.get_by_test_id("menu-cogovernance").click()
    desktop.get_by_test_id("nav-property").click()
    desktop.wait_for_selector("[data-testid=compounds]")
    assert desktop.get_by_test_id("compound-row").count() > 0
    desktop.get_by_test_id("property-stars").click()
    desktop.wait_for_selector("[data-testid=compute-form]")
    screenshot(desktop, "property-stars")
    desktop.get_by_test_id("compute").click()
    desktop.wait_for_selector("[data-testid=board-rows]")
    board = StarBoard.objects.filter(street=street).order_by("-computed_at").first()
    assert board.status == BoardStatus.DRAFT
    rows = FirmRating.objects.filter(board=board)
    assert desktop.locator("[data-testid=board-rows] [data-testid=board-row]").count() == rows.count() == 4
    assert rows.filter(stars__isnull=False).count() == 4
    first = desktop.locator("[data-testid=board-rows] [data-testid=board-row]").first
    assert first.locator("[data-stars]").get_attribute("data-stars") == str(
        rows.order_by("-stars", "-score").first().stars
    )
    desktop.get_by_test_id("publish").click()
    desktop.wait_for_selector("[data-testid=board-status]")
    board.refresh_from_db()
    assert board.status == BoardStatus.PUBLISHED and board.published_by.username == "official"
    assert desktop.get_by_test_id("publish").count() == 0
    screenshot(desktop, "property-board-published")

    desktop.get_by_test_id("property-renovations").click()
    desktop.wait_for_selector("[data-testid=renovation-totals]")
    projects = RenovationProject.objects.filter(compound__community__parent=street)
    assert desktop.get_by_test_id("renovation-row").count() == projects.count()
    desktop.get_by_test_id("renovation-row").first.click()
    desktop.wait_for_selector("[data-testid=budget]")
    name = desktop.get_by_test_id("renovation-name").inner_text()
    project = projects.get(name=name)
    budget = sum(line.amount for line in project.budget_lines.all())
    assert desktop.get_by_test_id("budget-total").inner_text() == f"¥{budget:,.2f}"
    screenshot(desktop, "property-renovation-budget")
