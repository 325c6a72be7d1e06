"""A rotated secret's grace period (both ways), a partner reading its own order's status, and
the per-partner rate limit."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from exchange import adapter, conf, services
from exchange.api import PartnerThrottle
from exchange.models import PartnerOrder
from grids.access import SYSTEM
from tests.exchange.factories import ORDERS_URL, make_partner, order, other_city, post_order, signed_headers
from tests.exchange.fakes import FakeHotline

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def client():
    return Client()


def _status(client, partner, secret, order_no):
    return client.get(f"{ORDERS_URL}{order_no}/", **signed_headers(partner, secret, b""))


def test_the_old_secret_works_beside_the_new_one_for_the_grace_period_only(client, city):
    with time_machine.travel(T0, tick=False):
        partner, old = make_partner(city.city)
        partner, new = services.partner_rotate_secret(actor=SYSTEM, partner=partner)
        assert new != old and partner.previous_secret_until == T0 + timedelta(hours=conf.SECRET_GRACE_HOURS)
        assert post_order(client, partner, old, order(order_no="A-1")).status_code == 201
        assert post_order(client, partner, new, order(order_no="A-2")).status_code == 201
    with time_machine.travel(T0 + timedelta(hours=conf.SECRET_GRACE_HOURS, seconds=1), tick=False):
        refused = post_order(client, partner, old, order(order_no="A-3"))
        assert refused.status_code == 401
        assert post_order(client, partner, new, order(order_no="A-4")).status_code == 201
    assert set(PartnerOrder.objects.values_list("order_no", flat=True)) == {"A-1", "A-2", "A-4"}


def test_a_leaked_secret_is_rotated_with_no_grace_and_a_second_rotation_ends_the_first_old_one(client, city):
    partner, first = make_partner(city.city)
    partner, second = services.partner_rotate_secret(actor=SYSTEM, partner=partner, grace=False)
    assert post_order(client, partner, first, order(order_no="B-1")).status_code == 401
    partner, third = services.partner_rotate_secret(actor=SYSTEM, partner=partner)
    assert post_order(client, partner, second, order(order_no="B-2")).status_code == 201  # in grace
    partner, _fourth = services.partner_rotate_secret(actor=SYSTEM, partner=partner)
    assert post_order(client, partner, second, order(order_no="B-3")).status_code == 401  # only the last old
    assert post_order(client, partner, third, order(order_no="B-4")).status_code == 201


def test_callbacks_carry_the_previous_secrets_signature_during_the_grace_period(city):
    partner, old = make_partner(city.city)
    partner, new = services.partner_rotate_secret(actor=SYSTEM, partner=partner)
    with FakeHotline() as fake:
        partner.callback_url = fake.url
        fake.secret = old  # a platform that has not switched yet
        adapter.post(
            partner, delivery_id=1, kind="ACCEPT", payload={"x": 1}, secrets=services.partner_secrets(partner)
        )
        sent = fake.requests[-1]
        assert not sent["signed"]  # X-Signature is the new secret's ...
        from exchange import signing

        raw = adapter.body_of({"x": 1})
        headers = sent["headers"]
        assert signing.matches(old, headers["X-Timestamp"], raw, headers["X-Signature-Previous"])
        assert signing.matches(new, headers["X-Timestamp"], raw, headers["X-Signature"])
        later = partner.previous_secret_until + timedelta(seconds=1)
        adapter.post(
            partner,
            delivery_id=2,
            kind="ACCEPT",
            payload={"x": 1},
            secrets=services.partner_secrets(partner, now=later),
        )
        assert "X-Signature-Previous" not in fake.requests[-1]["headers"]


def test_a_partner_reads_its_own_order_and_nobody_elses(client, city):
    partner, secret = make_partner(city.city)
    other, other_secret = make_partner(other_city()[0], code="other")
    created = post_order(client, partner, secret, order(order_no="C-1"))
    assert created.status_code == 201
    mine = _status(client, partner, secret, "C-1")
    assert mine.status_code == 200, mine.content
    body = mine.json()
    assert body["order_no"] == "C-1" and body["created"] is False
    assert body["tracking_code"] == created.json()["tracking_code"] and body["state"] == "RECEIVED"
    assert _status(client, other, other_secret, "C-1").status_code == 404
    assert _status(client, partner, secret, "C-404").status_code == 404
    unsigned = client.get(f"{ORDERS_URL}C-1/")
    assert unsigned.status_code == 401
    assert "tracking_code" not in unsigned.content.decode()


def test_the_rate_limit_counts_each_partner_apart(client, city, monkeypatch):
    cache.clear()
    monkeypatch.setattr(
        PartnerThrottle, "THROTTLE_RATES", {**PartnerThrottle.THROTTLE_RATES, "partner": "2/minute"}
    )
    partner, secret = make_partner(city.city)
    other, other_secret = make_partner(other_city()[0], code="other")
    post_order(client, partner, secret, order(order_no="D-1"))
    assert _status(client, partner, secret, "D-1").status_code == 200
    throttled = _status(client, partner, secret, "D-1")
    assert throttled.status_code == 429 and throttled["Retry-After"]
    assert _status(client, other, other_secret, "D-1").status_code == 404  # its own allowance
    cache.clear()
