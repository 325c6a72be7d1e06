"""A volunteer's journey through the time bank, in a real browser: sign up for an activity on a
phone, the organiser confirms the hours on a desktop, the volunteer sees the points."""

from decimal import Decimal

import pytest

from party.models import Activity, PointsEntry, Volunteer
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _points(page) -> Decimal:
    return Decimal(page.get_by_test_id("balance").inner_text().replace(",", ""))


def test_a_volunteer_signs_up_is_confirmed_by_the_organiser_and_sees_the_points(
    phone, desktop, live_server, demo_city
):
    volunteer = Volunteer.objects.get(user__username="volunteer")
    activity = Activity.objects.get(title="楼道清扫和小广告清理")
    assert activity.organiser.username == "worker"

    # the volunteer signs up on a phone
    login(phone, live_server, "volunteer")
    phone.goto(f"{live_server.url}/party/volunteer/")
    before = _points(phone)
    assert before == volunteer.balance
    item = phone.get_by_test_id(f"activity-{activity.pk}")
    item.get_by_test_id("sign-up").click()
    phone.wait_for_load_state()
    assert phone.get_by_test_id(f"activity-{activity.pk}").get_by_test_id("signed-up").count() == 1
    screenshot(phone, "party-volunteer-signed-up")

    # the organiser (the grid worker) confirms attendance and hours
    login(desktop, live_server, "worker")
    desktop.goto(f"{live_server.url}/party/activities/")
    desktop.get_by_role("link", name=activity.title).first.click()
    desktop.wait_for_load_state()
    row = desktop.get_by_test_id(f"signup-{volunteer.name}")
    row.get_by_test_id("hours").fill("2.5")
    row.get_by_test_id("confirm").click()
    desktop.wait_for_load_state()
    assert (
        desktop.get_by_test_id(f"signup-{volunteer.name}").get_by_test_id("signup-status").inner_text()
        == "已参加"
    )
    screenshot(desktop, "party-organiser-confirmed")

    # the volunteer sees exactly the configured points: 2.5 h × 10 points an hour
    phone.goto(f"{live_server.url}/party/volunteer/")
    assert _points(phone) == before + Decimal("25")
    assert phone.get_by_test_id("entry-points").first.inner_text() == "+25"
    screenshot(phone, "party-volunteer-points")
    entry = PointsEntry.objects.filter(volunteer=volunteer).order_by("-id").first()
    assert (entry.points, entry.signup.activity) == (Decimal("25.00"), activity)
