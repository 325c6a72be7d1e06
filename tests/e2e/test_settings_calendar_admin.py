"""The administrator enters Yanbian's 州庆 (3 September) for this year, sees which petitions'
deadlines it moves, and confirms: those deadlines move, in a real browser."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from grids import calendar
from grids.access import SYSTEM
from grids.demo import CITY_CODE
from grids.models import CalendarDay, GridNode
from hlgrid import workdays
from petitions.models import LimitUnit, Petition, Status, Step, Urgency
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_the_admin_adds_the_prefecture_day_sees_the_deadlines_that_move_and_confirms(
    desktop, live_server, demo_city
):
    year = timezone.localdate().year
    day = date(year, 9, 3)
    if day.weekday() >= 5:
        pytest.skip("3 September falls on a weekend this year: it is a day off already")
    # The office has not entered it yet this year (the demo has), and one petition being
    # handled was classified on 1 September with two working days: due on the 3rd.
    helong = GridNode.objects.get(code=CITY_CODE)
    if CalendarDay.objects.filter(city=helong, date=day).exists():
        calendar.calendar_day_remove(actor=SYSTEM, city=helong, day=day)
    start = datetime(year, 9, 1, 10, tzinfo=workdays.LOCAL)
    due = workdays.add_working_days(start, 2, city=helong.pk)
    petition = Petition.objects.filter(
        grid__tree_id=helong.tree_id,
        status=Status.HANDLING,
        step=Step.HANDLE,
        category__handle_unit=LimitUnit.WORKDAYS,
        urgency=Urgency.NORMAL,  # an urgent deadline is counted in hours: it never moves (研判)
    ).first()
    Petition.objects.filter(pk=petition.pk).update(
        step_started_at=start, due_at=due, handle_due_at=due, warn_at=workdays.warn_before(start, due)
    )

    login(desktop, live_server, "admin")
    desktop.goto(f"{live_server.url}/settings/")
    desktop.get_by_test_id("settings-pages").get_by_role("link", name="工作日历").click()
    desktop.wait_for_url(f"{live_server.url}/settings/calendar/{year}/?city={helong.pk}")
    assert desktop.get_by_test_id(f"day-{year}-10-01").is_visible()  # 国庆节
    desktop.fill("#id_date", day.isoformat())
    desktop.select_option("#id_kind", "HOLIDAY")
    desktop.fill("#id_name", "延边州庆")
    desktop.get_by_test_id("preview-day").click()
    moves = desktop.get_by_test_id("moves-petitions")
    moves.wait_for()
    assert petition.tracking_code in moves.inner_text()
    assert f"{year}-09-04 10:00" in moves.inner_text()
    screenshot(desktop, "admin-calendar-preview")
    desktop.get_by_test_id("confirm-change").click()
    desktop.wait_for_url(f"{live_server.url}/settings/calendar/{year}/?city={helong.pk}")
    assert "延边州庆" in desktop.get_by_test_id(f"day-{year}-09-03").inner_text()
    assert desktop.locator(".alert-success").count() == 1

    petition.refresh_from_db()
    assert petition.due_at == datetime(year, 9, 4, 10, tzinfo=workdays.LOCAL)
    assert CalendarDay.objects.get(city=helong, date=day).name == "延边州庆"
