"""A 12345 work order arrives signed and is answered: the official of the street finds it in
the inbox with the hotline's deadlines, accepts it (verify), sees the accept's push fail on
the failed-push page, retries it, and handles the order to its reply."""

import json
from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.conftest import login, screenshot
from tests.exchange.factories import ORDERS_URL, order
from tests.exchange.fakes import FakeHotline

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_tasks(settings):
    from hlgrid.celery import app

    settings.EXCHANGE_MAX_ATTEMPTS = 1  # the first failure is final: it goes to the failed-push page
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_hotline_order_is_accepted_its_failed_push_retried_and_it_is_answered(
    demo_city, live_server, desktop, eager_tasks
):
    from exchange import services
    from exchange.models import DeliveryKind, DeliveryStatus, PartnerDelivery, PartnerOrder
    from exchange.signing import sign
    from grids.access import SYSTEM
    from grids.models import GridNode, NodeKind, PostKind
    from hlgrid.models import User
    from petitions.models import Status

    worker = User.objects.get(username="worker")
    grid = worker.posts.get(kind=PostKind.WORKER).node
    with FakeHotline(fail_first=1) as platform:
        partner, secret = services.partner_create(
            actor=SYSTEM,
            name="和龙市12345热线",
            code="hl12345",
            city=GridNode.objects.get(kind=NodeKind.CITY),
            callback_url=platform.url,
        )
        platform.secret = secret
        payload = order(
            order_no="HL-2026-12-0001", content="路灯不亮，夜间出行不便（12345转办）", lat=None, lng=None
        )
        payload["grid_code"] = grid.code
        body = json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(int(datetime.now(tz=UTC).timestamp()))
        answer = httpx.post(
            live_server.url + ORDERS_URL,
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Partner-Key": partner.key_id,
                "X-Timestamp": stamp,
                "X-Signature": sign(secret, stamp, body),
            },
        )
        assert answer.status_code == 201, answer.text
        code = answer.json()["tracking_code"]

        login(desktop, live_server, "official")
        desktop.goto(f"{live_server.url}/petitions/")
        row = desktop.locator(f'[data-testid=petition-row][data-code="{code}"]')
        assert row.count() == 1
        row.click()
        panel = desktop.locator("[data-testid=hotline-panel]")
        panel.wait_for()
        assert "HL-2026-12-0001" in panel.inner_text()
        assert (
            panel.locator("[data-testid=hotline-accept-due] [data-testid=light]").get_attribute("data-light")
            == "GREEN"
        )
        assert panel.locator("[data-testid=hotline-finish-due] [data-testid=light]").count() == 1
        screenshot(desktop, "exchange-order-panel")

        desktop.click("[data-testid=do-verify]")  # 签收: our verify accepts the order
        desktop.wait_for_selector("[data-testid=petition-status][data-status=VERIFIED]")
        assert desktop.get_attribute("[data-testid=hotline-state]", "data-state") == "ACCEPTED"
        assert desktop.locator("[data-testid=hotline-deliveries] [data-status=FAILED]").count() == 1

        desktop.goto(f"{live_server.url}/exchange/deliveries/")
        accept = PartnerDelivery.objects.get(order__order_no="HL-2026-12-0001", kind=DeliveryKind.ACCEPT)
        assert accept.status == DeliveryStatus.FAILED and accept.last_error == "HTTP 503"
        failed_row = desktop.locator(f"[data-testid=delivery-{accept.pk}]")
        assert "HTTP 503" in failed_row.inner_text()
        screenshot(desktop, "exchange-failed-pushes")
        desktop.click(f"[data-testid=retry-{accept.pk}]")
        desktop.wait_for_selector("[data-testid=no-deliveries]")
        accept.refresh_from_db()
        assert accept.status == DeliveryStatus.SENT
        assert len(platform.accepted("accept")) == 1 and platform.accepted("accept")[0]["signed"]
        desktop.click("[data-testid=status-SENT]")
        desktop.wait_for_selector(f"[data-testid=delivery-{accept.pk}]")

        desktop.goto(
            f"{live_server.url}/petitions/{PartnerOrder.objects.get(order_no='HL-2026-12-0001').petition_id}/"
        )
        desktop.select_option("[data-testid=classify-level]", "GRID")
        desktop.select_option("[data-testid=classify-assignee]", str(worker.pk))
        desktop.click("[data-testid=do-classify]")
        desktop.wait_for_selector("[data-testid=action-resolve]")
        desktop.fill("[data-testid=resolve-note]", "已更换路灯灯泡")
        desktop.click("[data-testid=do-resolve]")
        desktop.wait_for_selector(f"[data-testid=petition-status][data-status={Status.RESOLVED}]")
        assert desktop.get_attribute("[data-testid=hotline-state]", "data-state") == "REPLIED"
        screenshot(desktop, "exchange-order-replied")
        (reply,) = platform.accepted("reply")
        assert reply["body"]["resolution"] == "已更换路灯灯泡" and reply["signed"]
