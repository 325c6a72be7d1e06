"""The administrator enters Yanbian's 州庆 (3 September) for this year, sees which petitions'
deadlines it moves, and confirms: those deadlines move, in a real browser."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from grids import calendar
from grids.access import SYSTEM
from hlgrid import workdays
from hlgrid.models import CalendarDay
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
    if CalendarDay.objects.filter(date=day).exists():
        calendar.calendar_day_remove(actor=SYSTEM, day=day)
    start = datetime(year, 9, 1, 10, tzinfo=workdays.LOCAL)
    due = workdays.add_working_days(start, 2)
    petition = Petition.objects.filter(
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
    desktop.wait_for_url(f"{live_server.url}/settings/calendar/{year}/")
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
    desktop.wait_for_url(f"{live_server.url}/settings/calendar/{year}/")
    assert "延边州庆" in desktop.get_by_test_id(f"day-{year}-09-03").inner_text()
    assert desktop.locator(".alert-success").count() == 1

    petition.refresh_from_db()
    assert petition.due_at == datetime(year, 9, 4, 10, tzinfo=workdays.LOCAL)
    assert CalendarDay.objects.get(date=day).name == "延边州庆"
