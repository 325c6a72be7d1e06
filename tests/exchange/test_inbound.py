"""Inbound work orders: the signature rules, idempotency by order number, routing, bad input."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from exchange.models import OrderState, PartnerNonce, PartnerOrder
from petitions.models import Petition, Source, Status
from tests.exchange.factories import ORDERS_URL, make_partner, order, other_city, post_order, signed_headers
from tests.petitions.factories import garbage_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def partner(city):
    return make_partner(city.city)


def test_a_signed_order_becomes_a_partner_petition_routed_by_its_position_with_the_hotline_deadlines(
    client, city, partner
):
    partner, secret = partner
    before = datetime.now(tz=UTC)
    response = post_order(client, partner, secret, order())
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["created"] is True and answer["grid"] == city.grid_a1.code
    petition = Petition.objects.get(tracking_code=answer["tracking_code"])
    assert petition.source == Source.PARTNER and petition.status == Status.RECEIVED
    assert petition.created_by is None  # taken in as SYSTEM; the order records the partner
    assert petition.reporter_phone == "13812345678" and petition.reporter_phone_hint == "138****5678"
    order_row = PartnerOrder.objects.get(petition=petition)
    assert order_row.partner == partner and order_row.state == OrderState.RECEIVED
    assert (
        timedelta(hours=2) - timedelta(seconds=5)
        < order_row.accept_due_at - before
        <= timedelta(hours=2, seconds=5)
    )
    assert order_row.finish_due_at - order_row.received_at == timedelta(days=5)
    assert order_row.accept_warn_at < order_row.accept_due_at
    assert "13812345678" not in response.content.decode()


def test_a_missing_or_wrong_signature_is_refused_with_401_and_creates_nothing(client, partner):
    partner, secret = partner
    body = json.dumps(order()).encode()
    missing = client.post(ORDERS_URL, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 401 and "Missing" in missing.json()["detail"]
    assert missing["WWW-Authenticate"].startswith("HMAC-SHA256")
    wrong = client.post(
        ORDERS_URL,
        data=body,
        content_type="application/json",
        **signed_headers(partner, "not-the-secret", body),
    )
    assert wrong.status_code == 401 and "Bad signature" in wrong.json()["detail"]
    tampered_headers = signed_headers(partner, secret, body)
    tampered = client.post(
        ORDERS_URL, data=body.replace(b"0001", b"0002"), content_type="application/json", **tampered_headers
    )
    assert tampered.status_code == 401
    unknown_key = post_order(client, partner, secret, order(), HTTP_X_PARTNER_KEY="hl_nobody")
    assert unknown_key.status_code == 401
    assert Petition.objects.count() == 0 and PartnerOrder.objects.count() == 0


def test_a_timestamp_more_than_five_minutes_away_is_stale_either_way(client, partner):
    partner, secret = partner
    body = json.dumps(order()).encode()
    for offset in (-301, 301):
        stamp = str(int(time.time()) + offset)
        response = client.post(
            ORDERS_URL,
            data=body,
            content_type="application/json",
            **signed_headers(partner, secret, body, timestamp=stamp),
        )
        assert response.status_code == 401 and "stale" in response.json()["detail"]
    iso = (datetime.now(tz=UTC) - timedelta(minutes=4)).isoformat()
    fresh = client.post(
        ORDERS_URL,
        data=body,
        content_type="application/json",
        **signed_headers(partner, secret, body, timestamp=iso),
    )
    assert fresh.status_code == 201, fresh.content
    naive = client.post(
        ORDERS_URL,
        data=body,
        content_type="application/json",
        **signed_headers(partner, secret, body, timestamp="2026-12-01T12:00:00"),
    )
    assert naive.status_code == 401


def test_a_replayed_signature_is_refused_even_for_the_same_order(client, partner):
    partner, secret = partner
    body = json.dumps(order()).encode()
    headers = signed_headers(partner, secret, body)
    assert client.post(ORDERS_URL, data=body, content_type="application/json", **headers).status_code == 201
    replay = client.post(ORDERS_URL, data=body, content_type="application/json", **headers)
    assert replay.status_code == 401 and "replay" in replay.json()["detail"]
    assert PartnerOrder.objects.count() == 1


def test_the_sweep_forgets_signatures_older_than_the_window(partner):
    from exchange.services import exchange_sweep

    partner, _secret = partner
    now = datetime.now(tz=UTC)
    PartnerNonce.objects.create(partner=partner, signature="a" * 64, seen_at=now - timedelta(minutes=11))
    PartnerNonce.objects.create(partner=partner, signature="b" * 64, seen_at=now - timedelta(minutes=1))
    assert exchange_sweep(now=now)["nonces_forgotten"] == 1
    assert list(PartnerNonce.objects.values_list("signature", flat=True)) == ["b" * 64]


def test_the_same_order_again_returns_the_same_petition_and_a_changed_one_is_a_409(client, partner):
    partner, secret = partner
    first = post_order(client, partner, secret, order())
    again = post_order(client, partner, secret, order())
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["tracking_code"] == first.json()["tracking_code"] and again.json()["created"] is False
    changed = post_order(client, partner, secret, order(content="换了内容"))
    assert changed.status_code == 409 and "other content" in changed.json()["detail"]
    assert Petition.objects.count() == 1


def test_the_same_order_number_of_another_partner_is_another_order(client, city, partner):
    partner, secret = partner
    other, other_secret = make_partner(city.city, code="second")
    assert post_order(client, partner, secret, order()).status_code == 201
    assert post_order(client, other, other_secret, order()).status_code == 201
    assert Petition.objects.count() == 2


def test_a_grid_code_routes_a_mapped_category_applies_and_a_foreign_grid_is_refused(client, city):
    category = garbage_category()
    partner, secret = make_partner(city.city, mappings="0101 = SR01\n# comment\n")
    routed = post_order(
        client, partner, secret, order(lat=None, lng=None, grid_code=city.grid_b1.code, category_code="0101")
    )
    assert routed.status_code == 201, routed.content
    petition = Petition.objects.get(tracking_code=routed.json()["tracking_code"])
    assert petition.grid == city.grid_b1 and petition.category == category
    _other, _street, foreign_grid = other_city()
    refused = post_order(
        client, partner, secret, order(order_no="X2", lat=None, lng=None, grid_code=foreign_grid.code)
    )
    assert refused.status_code == 400 and "grid_code" in refused.json()["errors"]


def test_a_position_outside_the_city_goes_to_the_default_grid_or_is_refused(client, city):
    partner, secret = make_partner(city.city)
    outside = post_order(client, partner, secret, order(lat=10.0, lng=10.0))
    assert outside.status_code == 400 and "lat" in outside.json()["errors"]
    defaulted, defaulted_secret = make_partner(city.city, code="withdefault", default_grid=city.grid_a2)
    response = post_order(client, defaulted, defaulted_secret, order(lat=10.0, lng=10.0))
    assert response.status_code == 201 and response.json()["grid"] == city.grid_a2.code


def test_bad_input_names_the_field_and_changes_nothing(client, partner):
    partner, secret = partner
    for payload, field in [
        (order(content=""), "content"),
        (order(order_no=""), "order_no"),
        (order(accept_within_hours=0), "accept_within_hours"),
        (order(lat="north"), "lat"),
        (order(caller_phone="12"), "reporter_phone"),
        (order(finish_due_at="2000-01-01T00:00:00+08:00"), "finish_due_at"),
    ]:
        response = post_order(client, partner, secret, payload)
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json()["errors"], (field, response.json())
    assert Petition.objects.count() == 0 and PartnerOrder.objects.count() == 0


def test_absolute_hotline_deadlines_are_kept_as_sent(client, partner):
    partner, secret = partner
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False):
        payload = order(accept_due_at="2026-12-01T20:00:00+08:00", finish_due_at="2026-12-08T18:00:00+08:00")
        response = post_order(client, partner, secret, payload)
    assert response.status_code == 201, response.content
    row = PartnerOrder.objects.get()
    assert row.accept_due_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert row.finish_due_at == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


def test_an_inactive_partner_is_refused(client, partner):
    partner, secret = partner
    partner.is_active = False
    partner.save(update_fields=["is_active"])
    assert post_order(client, partner, secret, order()).status_code == 401


def test_the_answers_match_the_documented_schema_under_its_own_tag(client, partner, people, api_client):
    from tests.openapi import Schema

    api_client.force_authenticate(people.official)
    schema = Schema(api_client)
    operation = schema.operation(ORDERS_URL, "post")
    assert operation["tags"] == ["partner-12345"]
    assert {"PartnerKey", "PartnerTimestamp", "PartnerSignature"} <= set(operation["security"][0])
    partner, secret = partner
    created = post_order(client, partner, secret, order())
    schema.check(ORDERS_URL, "post", created)
    schema.check(ORDERS_URL, "post", post_order(client, partner, secret, order()))
    schema.check(ORDERS_URL, "post", post_order(client, partner, secret, order(content="other")))
    refused = client.post(ORDERS_URL, data=b"{}", content_type="application/json")
    assert refused.status_code == 401
    schema.check(ORDERS_URL, "post", refused)
