"""Races on PostgreSQL: real threads, real connections, real row locks."""

import threading

import pytest
from django.db import connection

from exchange import services
from exchange.models import DeliveryStatus, PartnerDelivery, PartnerOrder
from grids.access import SYSTEM
from petitions import services as petitions
from petitions.models import Petition
from tests.exchange.factories import make_partner, order
from tests.exchange.fakes import FakeHotline

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*functions):
    """Start the functions at the same moment in threads with their own connections."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test looks at
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_the_same_order_sent_twice_at_the_same_moment_makes_one_petition(city):
    partner, _secret = make_partner(city.city)
    caller = services.PartnerCaller(partner=partner)
    results = run_together(*[lambda: services.order_receive(actor=caller, data=order()) for _ in range(3)])
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _row, created in results) == [False, False, True]
    assert len({row.pk for row, _created in results}) == 1
    assert Petition.objects.count() == 1 and PartnerOrder.objects.count() == 1


def test_two_workers_sending_one_delivery_at_once_post_it_once(city, people):
    with FakeHotline() as platform:
        partner, secret = make_partner(city.city, callback_url=platform.url)
        platform.secret = secret
        row, _ = services.order_receive(actor=services.PartnerCaller(partner=partner), data=order())
        petitions.petition_verify(actor=people.worker, petition=row.petition)
        delivery = PartnerDelivery.objects.get(order=row)
        results = run_together(
            *[lambda: services.delivery_attempt(actor=SYSTEM, delivery_id=delivery.pk) for _ in range(3)]
        )
        outcomes = sorted(r.outcome for r in results)
        assert outcomes == ["sent", "skipped", "skipped"], results
        assert len(platform.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
