"""The assessor's journey: create and open a period, enter an inspection on a phone during a
visit, close the period early (it has not ended), compute, review what publishing will pay,
publish; the worker then sees its result."""

import datetime

import pytest

from evaluation.models import Assessment, BonusPayment, Period, PeriodStatus
from grids.models import Post
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_the_assessor_opens_a_period_inspects_on_a_phone_computes_and_publishes(
    phone, desktop, live_server, demo_city
):
    # the demo's running quarter is still open: this journey runs the next one
    running = Period.objects.get(status=PeriodStatus.OPEN)
    starts = running.ends_on + datetime.timedelta(days=1)
    ends = (starts + datetime.timedelta(days=95)).replace(day=1) - datetime.timedelta(days=1)
    paid_before = sum(p.amount for p in BonusPayment.objects.all())

    login(desktop, live_server, "assessor")
    desktop.goto(f"{live_server.url}/evaluation/periods/")
    desktop.fill("#id_name", "测试季度")
    desktop.fill("#id_starts_on", starts.isoformat())
    desktop.fill("#id_ends_on", ends.isoformat())
    desktop.get_by_test_id("create-period").click()
    desktop.wait_for_url("**/evaluation/periods/*/")
    assert desktop.get_by_test_id("period-name").inner_text() == "测试季度"
    desktop.get_by_test_id("open-period").click()
    desktop.wait_for_load_state()
    assert desktop.get_by_test_id("period-status").inner_text() == "进行中"
    assert desktop.get_by_test_id("indicators").locator("li").count() == 7
    period = Period.objects.get(name="测试季度")

    # on a phone, during a visit
    login(phone, live_server, "assessor")
    phone.goto(f"{live_server.url}/evaluation/periods/{period.pk}/inspect")
    # 269 workers are not listed: the assessor finds one by a grid's name
    assert phone.locator("input[name=worker]").count() == 0
    grid_name = Post.objects.filter(kind="WORKER", node__kind="GRID").select_related("node").first().node.name
    phone.fill("#worker-q", grid_name)
    phone.locator("[data-testid=worker-search] button[type=submit]").click()
    phone.wait_for_load_state()
    assert 0 < phone.locator("input[name=worker]").count() <= 30
    phone.locator("input[name=worker]").first.check()
    phone.get_by_label("看（实地查看）").check()
    phone.get_by_label("暗访").check()
    phone.fill("#id_score", "96")
    phone.fill("#id_notes", "楼道整洁，台账齐全")
    screenshot(phone, "evaluation-inspection-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_test_id("save-inspection").click()
    phone.wait_for_load_state()
    assert "已保存" in phone.content()
    assert period.inspections.count() == 1

    desktop.goto(f"{live_server.url}/evaluation/periods/{period.pk}/")
    # the period has not ended yet: it is published only once closed early, with a reason
    assert desktop.get_by_test_id("period-running").is_visible()
    desktop.locator("[data-testid=period-running] summary").click()
    desktop.get_by_test_id("close-early").click()  # without a reason: refused on the field
    desktop.wait_for_load_state()
    assert desktop.get_by_test_id("error-reason").is_visible()
    desktop.fill("#id_reason", "换届前提前考核")
    desktop.get_by_test_id("close-early").click()
    desktop.wait_for_load_state()
    assert "换届前提前考核" in desktop.get_by_test_id("closed-early").inner_text()
    desktop.get_by_test_id("compute").click()
    desktop.wait_for_load_state()
    assert desktop.get_by_test_id("period-status").inner_text() == "已计算"
    preview_total = desktop.get_by_test_id("preview-total").inner_text()
    assert preview_total.startswith("¥")
    assert desktop.get_by_test_id("ranking").locator("tbody tr").count() == 269
    screenshot(desktop, "evaluation-review")

    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.get_by_test_id("publish").click()
    desktop.wait_for_load_state()
    assert desktop.get_by_test_id("period-status").inner_text() == "已公布"
    paid = sum(p.amount for p in BonusPayment.objects.filter(period=period))
    assert f"¥{paid:,.2f}" == preview_total
    assert sum(p.amount for p in BonusPayment.objects.all()) == paid_before + paid

    # the inspected worker now sees the result and the (once covert) inspection
    inspected = period.inspections.get().worker
    assert Assessment.objects.filter(period=period, is_current=True).count() == 269
    phone.context.clear_cookies()
    login(phone, live_server, inspected.username)
    phone.goto(f"{live_server.url}/evaluation/mine/")
    assert "测试季度" in phone.get_by_test_id("my-results").inner_text()
    assert "楼道整洁" in phone.get_by_test_id("my-inspections").inner_text()
    screenshot(phone, "evaluation-worker-results")
