"""督办 end to end: the street official issues a supervision order on a red petition, the grid
worker replies on a phone, the official accepts and closes it, then excuses an
accountability case on the heads' review page."""

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_official_supervises_a_red_petition_the_worker_replies_and_a_case_is_excused(
    demo_city, live_server, desktop, phone
):
    from hlgrid.lights import Light
    from hlgrid.models import User
    from petitions.models import OPEN_STATUSES, Petition
    from supervision.models import Case, Order, OrderStatus, Outcome

    worker = User.objects.get(username="worker")
    mine = Petition.objects.filter(assignee=worker, status__in=OPEN_STATUSES).order_by("pk")
    petition = mine.filter(light=Light.RED).first() or mine.first()
    assert petition is not None, "the demo gives the worker open petitions"
    # Red, as the sweep leaves an overdue one (the committed demo is restored unswept).
    Petition.objects.filter(pk=petition.pk).update(light=Light.RED)
    # The demo supervises some of the worker's red petitions already: start this one afresh.
    Order.objects.filter(petition=petition).delete()

    login(desktop, live_server, "official")
    desktop.goto(f"{live_server.url}/petitions/{petition.pk}/")
    desktop.get_by_test_id("issue-order").click()
    desktop.fill("#id_instruction", "红灯诉求，请两个工作日内办结并书面回复")
    desktop.fill("#id_working_days", "2")
    desktop.get_by_test_id("issue-submit").click()
    desktop.wait_for_url("**/supervision/*/")
    order = Order.objects.get(petition=petition)
    assert order.handler == worker and order.status == OrderStatus.OPEN

    login(phone, live_server, "worker")
    phone.goto(f"{live_server.url}/supervision/?mine=handle")
    phone.locator(f'a[href="/supervision/{order.pk}/"]').first.click()
    phone.get_by_test_id("reply-submit").click()  # empty: the reply is required
    assert phone.get_by_test_id("order-status").get_attribute("data-status") == OrderStatus.OPEN
    phone.fill("#id_reply", "已联系环卫清运，现场已整改")
    phone.get_by_test_id("reply-submit").click()
    phone.get_by_test_id("order-reply").wait_for()
    screenshot(phone, "supervision-worker-replied")
    order.refresh_from_db()
    assert order.status == OrderStatus.REPLIED

    desktop.reload()
    desktop.get_by_test_id("close-order").click()
    desktop.wait_for_selector('[data-testid="order-status"][data-status="CLOSED"]')
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED

    desktop.goto(f"{live_server.url}/supervision/cases/?outcome=PENDING&charged=worker")
    row = desktop.get_by_test_id("case-row").first
    case_id = int(row.get_attribute("data-case"))
    row.get_by_test_id("case-pick").check()
    desktop.select_option("#id_outcome", Outcome.EXCUSED)
    desktop.select_option("#id_reason", "PAUSED")
    desktop.get_by_test_id("review-submit").click()
    desktop.wait_for_load_state()
    screenshot(desktop, "supervision-case-excused")
    case = Case.objects.get(pk=case_id)
    assert case.outcome == Outcome.EXCUSED and case.reason == "PAUSED" and not case.counted
