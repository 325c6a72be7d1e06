"""The 12345 exchange end to end: a fake 12345 platform on a loopback port, a real Celery
worker, Redis and PostgreSQL. An order comes in signed, becomes a petition; verifying it
pushes the accept; resolving it pushes the reply, which the platform refuses twice and takes
the third time: the platform ends with exactly one reply, and the row says so."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from exchange.models import DeliveryKind, DeliveryStatus, OrderState, PartnerDelivery, PartnerOrder
from exchange.services import exchange_sweep
from petitions import services as petitions
from tests.exchange.factories import ORDERS_URL, make_partner, order, signed_headers
from tests.exchange.fakes import FakeHotline
from tests.petitions.factories import garbage_category

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    """A Celery worker process on the test database and its own Redis queue (retries after 1 s, 2 s, ...)."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "EXCHANGE_RETRY_BASE_SECONDS": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hlgrid",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            "celery",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition, worker, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.3)
    worker.terminate()
    pytest.fail(f"{what} within {seconds} s:\n" + worker.communicate(timeout=20)[0][-4000:])


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
        wait_for(lambda: platform.accepted("accept"), worker, "the worker did not push the accept")
        (accept,) = platform.accepted("accept")
        assert accept["signed"] and accept["body"]["tracking_code"] == petition.tracking_code

        platform.fail_first = 2
        petition = petitions.petition_classify(
            actor=people.worker, petition=petition, category=garbage_category(), assignee=people.worker
        )
        petitions.petition_resolve(actor=people.worker, petition=petition, note="已清运完毕")
        wait_for(lambda: platform.accepted("reply"), worker, "the worker did not push the reply", seconds=90)
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
