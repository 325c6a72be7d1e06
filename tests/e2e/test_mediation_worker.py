"""A grid worker on a phone: registers a dispute found on a visit, grades it high (the community
and the street hear of it at once), records a mediation session and the agreement, and on the
follow-up day confirms the agreement holds, which closes the case."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from grids.models import GridNode, NodeKind
from hlgrid.models import User
from mediation.models import Case, Notice, NoticeKind, Status
from residents import services as residents_services
from residents.models import Household
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_a_worker_registers_a_dispute_from_a_visit_grades_it_high_agrees_and_follows_up(
    phone, live_server, demo_city
):
    worker = User.objects.get(username="worker")
    grid = GridNode.objects.filter(kind=NodeKind.GRID).order_by("code").first()  # the demo worker's grid
    household = Household.objects.filter(grid=grid, residents__isnull=False).order_by("pk").first()
    visit = residents_services.visit_log(
        actor=worker,
        household=household,
        problem_found=True,
        problem_description="楼上卫生间漏水，两户多次争吵",
    )
    login(phone, live_server, "worker")

    phone.goto(f"{live_server.url}/mediation/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    phone.locator(f"[data-testid=register-from-visit][href$='?visit={visit.pk}']").click()
    phone.wait_for_selector("[data-testid=from-visit]")
    phone.get_by_test_id("kind").select_option("NEIGHBOUR")
    phone.get_by_test_id("party-resident").first.check()
    phone.get_by_test_id("other-name-0").fill("楼上住户")
    screenshot(phone, "mediation-register")
    phone.get_by_test_id("register").click()
    phone.wait_for_selector("[data-testid=form-grade]")
    case = Case.objects.get(visit=visit)
    assert phone.get_by_test_id("case-status").get_attribute("data-status") == Status.REGISTERED

    phone.get_by_test_id("risk-HIGH").click()
    phone.get_by_test_id("reasons").fill("双方情绪激动，扬言动手")
    phone.get_by_test_id("submit-grade").click()
    phone.wait_for_selector("[data-testid=form-session]")
    assert phone.get_by_test_id("risk").get_attribute("data-risk") == "HIGH"
    assert Notice.objects.filter(case=case, kind=NoticeKind.HIGH_RISK).exists()  # community and street told

    phone.get_by_test_id("summary").fill("网格员与调解员上门，双方同意修复并赔偿")
    phone.get_by_test_id("submit-session").click()
    phone.wait_for_selector("[data-testid=form-agreement]")
    phone.get_by_test_id("terms").fill("楼上三日内修复防水层，赔偿楼下800元")
    phone.get_by_test_id("signatures").fill("双方当事人、调解员")
    phone.get_by_test_id("follow-up-days").fill("1")
    phone.get_by_test_id("submit-agreement").click()
    phone.wait_for_selector("[data-testid=follow-up-later]")
    assert phone.get_by_test_id("case-status").get_attribute("data-status") == Status.AGREED
    screenshot(phone, "mediation-agreed")

    # the next day the follow-up is open (the live server shares this process's clock)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, hours=1), tick=True):
        phone.reload()
        phone.wait_for_selector("[data-testid=form-follow-up]")
        phone.get_by_test_id("follow-up-notes").fill("已修复并赔偿，双方满意")
        phone.get_by_test_id("follow-up-holds").click()
        phone.wait_for_selector("[data-testid=no-actions]")
    assert phone.get_by_test_id("case-status").get_attribute("data-status") == Status.CLOSED
    events = phone.get_by_test_id("events").inner_text()
    assert events.count("回访") == 1 and "签订调解协议" in events
    screenshot(phone, "mediation-closed")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.events.filter(actor=worker).count() == 5
