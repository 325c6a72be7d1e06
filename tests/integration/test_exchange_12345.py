"""The 12345 exchange end to end: a fake 12345 platform on a loopback port, a real Celery
worker, Redis and PostgreSQL. An order comes in signed, becomes a petition; verifying it
pushes the accept; resolving it pushes the reply, which the platform refuses twice and takes
the third time: the platform ends with exactly one reply, and the row says so."""

import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from exchange.models import DeliveryKind, DeliveryStatus, OrderState, PartnerDelivery, PartnerOrder
from exchange.services import exchange_sweep
from petitions import services as petitions
from tests.exchange.factories import ORDERS_URL, make_partner, order, signed_headers
from tests.exchange.fakes import FakeHotline
from tests.integration.workers import celery_worker, wait_for
from tests.petitions.factories import garbage_category

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    """A Celery worker process on the test database and its own Redis queue (retries after 1 s, 2 s, ...)."""
    with celery_worker(EXCHANGE_RETRY_BASE_SECONDS="1") as process:
        yield process


def test_an_order_is_accepted_and_answered_through_a_real_worker_with_one_reply_after_two_failures(
    worker, city, people
):
    with FakeHotline() as platform:
        partner, secret = make_partner(city.city, callback_url=platform.url)
        platform.secret = secret
        body = json.dumps(order(), ensure_ascii=False).encode()
        response = Client().post(
            ORDERS_URL, data=body, content_type="application/json", **signed_headers(partner, secret, body)
        )
        assert response.status_code == 201, response.content
        row = PartnerOrder.objects.get(order_no=order()["order_no"])

        petition = petitions.petition_verify(actor=people.worker, petition=row.petition)
        wait_for(worker, lambda: platform.accepted("accept"), "the worker did not push the accept")
        (accept,) = platform.accepted("accept")
        assert accept["signed"] and accept["body"]["tracking_code"] == petition.tracking_code

        platform.fail_first = 2
        petition = petitions.petition_classify(
            actor=people.worker, petition=petition, category=garbage_category(), assignee=people.worker
        )
        petitions.petition_resolve(actor=people.worker, petition=petition, note="已清运完毕")
        wait_for(worker, lambda: platform.accepted("reply"), "the worker did not push the reply", seconds=90)
        time.sleep(3)  # a duplicate would arrive now
        exchange_sweep(now=timezone.now())  # nothing is left for the sweep to send
        time.sleep(2)
        replies = [r for r in platform.requests if r["body"].get("type") == "reply"]
        assert [r["status"] for r in replies] == [503, 503, 200]
        assert len(platform.accepted("reply")) == 1 and len(platform.accepted("accept")) == 1
        assert len({r["headers"]["X-Delivery-Id"] for r in replies}) == 1
        assert platform.accepted("reply")[0]["body"]["resolution"] == "已清运完毕"
    reply = PartnerDelivery.objects.get(order=row, kind=DeliveryKind.REPLY)
    assert reply.status == DeliveryStatus.SENT and reply.attempts == 3 and reply.last_error == ""
    row.refresh_from_db()
    assert row.state == OrderState.REPLIED
