"""The social workers' duty rota in a browser: a street official generates next month's rota
and swaps a window shift with a grid shift; a social worker on window duty records a service
(who came, what, the outcome) on a phone at 360 px."""

import datetime

import pytest
from django.utils import timezone

from grids.access import SYSTEM
from party.models import DutyKind, DutyShift, ServiceOutcome, ServiceWindow, SocialWorker, WindowService
from party.services.windows import duty_shift_add
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _next_month() -> datetime.date:
    today = timezone.localdate()
    return (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def test_an_official_generates_and_edits_the_rota_and_a_social_worker_records_a_service(
    desktop, phone, live_server, demo_city
):
    month = _next_month()
    login(desktop, live_server, "official")
    desktop.goto(f"{live_server.url}/party/rota/")
    desktop.select_option("#month", month.strftime("%Y-%m"))
    with desktop.expect_navigation():
        desktop.get_by_test_id("rota-generate").get_by_role("button").click()
    desktop.wait_for_selector("[data-testid=rota-day] [data-testid=swap-with]")
    planned = DutyShift.objects.filter(starts_at__date__gte=month)
    assert planned.filter(kind=DutyKind.WINDOW).exists() and planned.filter(kind=DutyKind.GRID).exists()
    screenshot(desktop, "rota-generated")

    item = desktop.locator("[data-testid=rota-day] li").first
    shift = DutyShift.objects.get(pk=int(item.get_attribute("data-testid").split("-")[1]))
    other = DutyShift.objects.get(pk=int(item.get_by_test_id("swap-with").input_value()))
    before = (shift.worker_id, other.worker_id)
    with desktop.expect_navigation():
        item.get_by_role("button", name="对调").click()
    desktop.wait_for_selector(".alert-success")
    shift.refresh_from_db()
    other.refresh_from_db()
    assert (shift.worker_id, other.worker_id) == before[::-1]
    screenshot(desktop, "rota-swapped")

    # a social worker at 文化街道's window, on duty now (set up: the demo's rota is of working hours)
    window = ServiceWindow.objects.get(node__name="文化街道")
    worker = SocialWorker.objects.filter(is_active=True).select_related("user").order_by("pk").first()
    now = timezone.now()
    starts_at, ends_at = now - datetime.timedelta(minutes=30), now + datetime.timedelta(hours=1)
    # Whatever overlaps the new shift goes (one that ended minutes ago overlaps it too).
    DutyShift.objects.filter(worker=worker, starts_at__lt=ends_at, ends_at__gt=starts_at).delete()
    duty_shift_add(
        actor=SYSTEM, worker=worker, kind=DutyKind.WINDOW, window=window, starts_at=starts_at, ends_at=ends_at
    )
    login(phone, live_server, worker.user.username)
    phone.goto(f"{live_server.url}/party/my-duty/")
    phone.wait_for_selector("[data-testid=window-service-form]")
    phone.fill("#visitor_name", "李大爷")
    first_item = worker.items.order_by("code").first()
    phone.select_option("#item", str(first_item.pk))
    phone.check(f"#outcome-{ServiceOutcome.ACCEPTED}")
    phone.fill("#minutes", "20")
    phone.get_by_test_id("window-service-submit").click()
    phone.wait_for_selector("[data-testid=my-window-services] >> text=李大爷")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "window-service-recorded")
    service = WindowService.objects.get(visitor_name="李大爷")
    assert (service.window_id, service.item_id, service.outcome, service.worker_id) == (
        window.pk,
        first_item.pk,
        ServiceOutcome.ACCEPTED,
        worker.user_id,
    )
