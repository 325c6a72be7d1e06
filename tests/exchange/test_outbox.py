"""The outbox: one delivery per (order, kind, event) written in the event's transaction; the
send, its backoff schedule, the last failure and the retry by hand; the sweep of lost rows."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction

from exchange import services
from exchange.models import DeliveryKind, DeliveryStatus, OrderState, PartnerDelivery, PartnerOrder
from grids.access import SYSTEM
from hlgrid.errors import NotFound, TransitionNotAllowed
from petitions import services as petitions
from petitions.models import Satisfaction
from tests.exchange.factories import make_partner, order
from tests.exchange.fakes import FakeHotline
from tests.petitions.factories import garbage_category, report

pytestmark = pytest.mark.django_db


def receive(partner, **extra):
    caller = services.PartnerCaller(partner=partner)
    data = order(**extra)
    row, _created = services.order_receive(actor=caller, data=data)
    return row


@pytest.fixture
def hotline(city):
    partner, _secret = make_partner(city.city)
    return partner


def kinds(order_row):
    return list(order_row.deliveries.order_by("pk").values_list("kind", flat=True))


def handled(people, order_row):
    petition = petitions.petition_verify(actor=people.worker, petition=order_row.petition)
    petition = petitions.petition_classify(
        actor=people.worker, petition=petition, category=garbage_category(), assignee=people.worker
    )
    return petitions.petition_resolve(actor=people.worker, petition=petition, note="已清运")


def test_each_step_of_the_petition_queues_its_message_once(city, people, hotline):
    row = receive(hotline)
    assert kinds(row) == []
    petition = handled(people, row)
    row.refresh_from_db()
    assert row.state == OrderState.REPLIED and kinds(row) == [DeliveryKind.ACCEPT, DeliveryKind.REPLY]
    accept, reply = row.deliveries.order_by("pk")
    assert accept.payload["type"] == "accept" and accept.payload["order_no"] == row.order_no
    assert reply.payload["resolution"] == "已清运" and reply.payload["on_time"] is True
    assert all("13812345678" not in str(d.payload) for d in (accept, reply))
    # The caller is unhappy: the satisfaction goes out, the order reopens, the next reply is a new message.
    petition = petitions.petition_callback(
        actor=people.worker, petition=petition, satisfaction=Satisfaction.UNSATISFIED, solved=False
    )
    petition = petitions.petition_resolve(actor=people.worker, petition=petition, note="再次清运")
    petitions.petition_callback(
        actor=people.worker, petition=petition, satisfaction=Satisfaction.SATISFIED, solved=True
    )
    row.refresh_from_db()
    assert row.state == OrderState.RATED
    reply, rating = DeliveryKind.REPLY, DeliveryKind.SATISFACTION
    assert kinds(row) == [DeliveryKind.ACCEPT, reply, rating, reply, rating]
    rated = row.deliveries.filter(kind=DeliveryKind.SATISFACTION).order_by("pk")
    assert [(d.payload["satisfaction"], d.payload["reopened"]) for d in rated] == [
        ("UNSATISFIED", True),
        ("SATISFIED", False),
    ]
    assert set(row.deliveries.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}


def test_a_rejection_returns_the_order_and_the_panel_action_does_it_with_the_reason(city, people, hotline):
    row = receive(hotline)
    services.order_return(actor=people.worker, order=row, reason="不属于本地")
    row.refresh_from_db()
    assert row.state == OrderState.RETURNED and row.petition.status == "REJECTED"
    (delivery,) = row.deliveries.all()
    assert delivery.kind == DeliveryKind.RETURN and delivery.payload["reason"] == "不属于本地"
    with pytest.raises(TransitionNotAllowed):
        services.order_return(actor=people.worker, order=row, reason="again")
    other = receive(hotline, order_no="N2")
    with pytest.raises(NotFound):
        services.order_return(actor=people.outsider, order=other, reason="not mine")
    assert other.deliveries.count() == 0


def test_the_same_event_never_makes_two_deliveries(city, people, hotline):
    row = receive(hotline)
    petitions.petition_verify(actor=people.worker, petition=row.petition)
    event = row.petition.events.get(action="verify")
    services._queue(row, DeliveryKind.ACCEPT, event, {"again": True})  # the listener run twice
    assert row.deliveries.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerDelivery.objects.create(
            order=row, kind=DeliveryKind.ACCEPT, event_id=event.pk, payload={}, next_at=event.at
        )


def test_a_change_rolled_back_leaves_no_delivery(city, people, hotline):
    row = receive(hotline)
    with pytest.raises(RuntimeError), transaction.atomic():
        petitions.petition_verify(actor=people.worker, petition=row.petition)
        raise RuntimeError("the request failed after the verify")
    assert row.deliveries.count() == 0
    assert PartnerOrder.objects.get(pk=row.pk).state == OrderState.RECEIVED


def test_a_petition_of_no_order_queues_nothing(city, people, hotline):
    petition = report()
    petitions.petition_verify(actor=people.worker, petition=petition)
    assert PartnerDelivery.objects.count() == 0


def test_a_merged_order_is_accepted_and_answered_with_the_petition_it_joined(city, people, hotline):
    parent = report()
    row = receive(hotline)
    petitions.petition_merge(actor=people.worker, petition=row.petition, into=parent)
    row.refresh_from_db()
    assert row.state == OrderState.ACCEPTED and kinds(row) == [DeliveryKind.ACCEPT]
    parent = petitions.petition_verify(actor=people.worker, petition=parent)
    parent = petitions.petition_classify(
        actor=people.worker, petition=parent, category=garbage_category(), assignee=people.worker
    )
    petitions.petition_resolve(actor=people.worker, petition=parent, note="已清运")
    assert kinds(row) == [DeliveryKind.ACCEPT, DeliveryKind.REPLY]


def test_a_delivery_is_posted_signed_and_marked_sent_once(city, people):
    with FakeHotline() as fake:
        partner, secret = make_partner(city.city, callback_url=fake.url)
        fake.secret = secret
        row = receive(partner)
        petitions.petition_verify(actor=people.worker, petition=row.petition)
        delivery = row.deliveries.get()
        assert services.delivery_attempt(actor=SYSTEM, delivery_id=delivery.pk).outcome == "sent"
        assert services.delivery_attempt(actor=SYSTEM, delivery_id=delivery.pk).outcome == "skipped"
        (received,) = fake.requests
    assert received["signed"] is True
    assert received["headers"]["X-Partner-Key"] == partner.key_id
    assert received["headers"]["X-Delivery-Id"] == str(delivery.pk)
    assert received["body"]["type"] == "accept" and received["body"]["order_no"] == row.order_no
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1 and delivery.sent_at


def test_failures_back_off_exponentially_then_fail_and_a_retry_by_hand_sends_it(city, people, settings):
    settings.EXCHANGE_MAX_ATTEMPTS = 4
    settings.EXCHANGE_RETRY_BASE_SECONDS = 60
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with FakeHotline(fail_first=4) as fake:
        partner, secret = make_partner(city.city, callback_url=fake.url)
        fake.secret = secret
        with time_machine.travel(start, tick=False):
            row = receive(partner)
            petitions.petition_verify(actor=people.worker, petition=row.petition)
        delivery = row.deliveries.get()
        now, waits = start, []
        for _attempt in range(3):
            with time_machine.travel(now, tick=False):
                attempt = services.delivery_attempt(actor=SYSTEM, delivery_id=delivery.pk, now=now)
            assert attempt.outcome == "retry"
            delivery.refresh_from_db()
            waits.append((delivery.next_at - now).total_seconds())
            assert attempt.countdown == waits[-1]
            # an early run (a duplicate task) does not send
            assert (
                services.delivery_attempt(actor=SYSTEM, delivery_id=delivery.pk, now=now).outcome == "skipped"
            )
            now = delivery.next_at
        assert waits == [60, 120, 240]
        assert services.delivery_attempt(actor=SYSTEM, delivery_id=delivery.pk, now=now).outcome == "failed"
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 4
        assert delivery.last_error == "HTTP 503"
        with pytest.raises(NotFound):
            services.delivery_retry(actor=people.outsider, delivery=delivery)
        services.delivery_retry(actor=people.official, delivery=delivery)
        with pytest.raises(TransitionNotAllowed):  # queued again: not a failed one any more
            services.delivery_retry(actor=people.official, delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.QUEUED and delivery.attempts == 0
        assert services.delivery_attempt(actor=SYSTEM, delivery_id=delivery.pk).outcome == "sent"
        assert len(fake.requests) == 5 and len(fake.accepted()) == 1


def test_the_backoff_doubles_up_to_its_cap(settings):
    settings.EXCHANGE_RETRY_BASE_SECONDS = 60
    settings.EXCHANGE_RETRY_CAP_SECONDS = 1800
    assert [services.backoff_seconds(n) for n in range(1, 8)] == [60, 120, 240, 480, 960, 1800, 1800]


def test_a_partner_without_a_callback_url_has_its_messages_logged_and_sent(city, people, hotline, caplog):
    row = receive(hotline)
    petitions.petition_verify(actor=people.worker, petition=row.petition)
    delivery = row.deliveries.get()
    assert services.delivery_attempt(actor=SYSTEM, delivery_id=delivery.pk).outcome == "sent"
    assert "no callback URL" in caplog.text and row.order_no not in caplog.text


def test_an_unreachable_callback_keeps_only_the_kind_of_error(city, people):
    partner, _secret = make_partner(city.city, callback_url="http://127.0.0.1:9/nothing")
    row = receive(partner)
    petitions.petition_verify(actor=people.worker, petition=row.petition)
    delivery = row.deliveries.get()
    assert services.delivery_attempt(actor=SYSTEM, delivery_id=delivery.pk).outcome == "retry"
    delivery.refresh_from_db()
    assert delivery.last_error == "ConnectError"


def test_only_the_system_sends(city, people, hotline):
    row = receive(hotline)
    petitions.petition_verify(actor=people.worker, petition=row.petition)
    with pytest.raises(NotFound):
        services.delivery_attempt(actor=people.official, delivery_id=row.deliveries.get().pk)


def test_the_sweep_sends_again_the_queued_rows_whose_task_was_lost(city, people, hotline, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "enqueue", lambda name, *args: sent.append((name, args)))
    row = receive(hotline)
    petitions.petition_verify(actor=people.worker, petition=row.petition)
    delivery = row.deliveries.get()
    sent.clear()
    assert services.exchange_sweep(now=delivery.next_at + timedelta(seconds=30))["resent"] == 0
    assert services.exchange_sweep(now=delivery.next_at + timedelta(minutes=2))["resent"] == 1
    assert sent == [(services.DELIVER_TASK, (delivery.pk,))]
