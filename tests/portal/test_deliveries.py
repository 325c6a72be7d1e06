"""The delivery log (后台管理 → Messages sent): scoped to the official's subtree, filtered,
masked, and a failed message sent again by hand."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.notifier import services
from hlgrid.notifier.models import Delivery, DeliveryStatus, Purpose
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/settings/messages/"


def message(n, *, node, phone="13812345678"):
    return services.delivery_queue(
        channel="SMS",
        address=phone,
        text=f"消息 {n}",
        purpose=Purpose.TRACKING_CODE,
        dedupe=f"m{n}",
        node_id=node.pk,
    )


def failed(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, last_error="HTTP 400", attempts=1
    )
    return Delivery.objects.get(pk=delivery.pk)


def test_an_official_sees_the_messages_of_their_street_masked_and_resends_a_failed_one(client, city, people):
    mine = failed(message(1, node=city.grid_a1))
    message(2, node=city.grid_a2, phone="13900000000")
    theirs = failed(message(3, node=city.grid_b1))
    services.delivery_queue(
        channel="SMS", address="13700000000", text="无节点", purpose=Purpose.TEST, dedupe="none"
    )
    client.force_login(people.official)
    page = client.get(URL)
    assert page.status_code == 200
    assert page.content.count(b'data-testid="delivery"') == 2  # street A only; none without a node
    assert b"138****5678" in page.content and b"13812345678" not in page.content
    assert b"HTTP 400" in page.content and b'data-testid="resend"' in page.content
    filtered = client.get(URL, {"status": "FAILED"})
    assert filtered.content.count(b'data-testid="delivery"') == 1
    resend = reverse("settings_delivery_resend", args=[mine.pk])
    assert client.post(resend).status_code == 302
    mine.refresh_from_db()
    assert mine.status == DeliveryStatus.QUEUED and mine.attempts == 0
    # Another street's message is not there (404); one not failed cannot be resent (a message).
    assert client.post(reverse("settings_delivery_resend", args=[theirs.pk])).status_code == 404
    again = client.post(resend, follow=True)
    assert b"alert-danger" in again.content
    assert client.post(reverse("settings_delivery_resend", args=[10**20])).status_code == 404


def test_a_superuser_sees_every_message_and_a_worker_gets_404(client, city, people):
    message(1, node=city.grid_b1)
    services.delivery_queue(
        channel="SMS", address="13700000000", text="无节点", purpose=Purpose.TEST, dedupe="none"
    )
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(URL).content.count(b'data-testid="delivery"') == 2
    client.force_login(people.worker)
    assert client.get(URL).status_code == 404


def test_the_log_takes_the_same_queries_for_two_or_forty_messages(client, city, people):
    city_admin = UserFactory(username="city_admin")
    post_assign(actor=SYSTEM, user=city_admin, kind=PostKind.ADMIN, node=city.city)
    client.force_login(city_admin)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    for n in range(2):
        message(n, node=city.grid_a1, phone=f"1380000000{n}")
    small = count()
    for n in range(2, 40):
        message(n, node=city.grid_b2, phone=f"138000000{n:02d}")
    assert count() == small


def test_the_django_admin_lists_messages_read_only_without_the_number(client, city):
    delivery = message(1, node=city.grid_a1)
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:hlgrid_delivery_changelist"))
    detail = client.get(reverse("admin:hlgrid_delivery_change", args=[delivery.pk]))
    assert listing.status_code == 200 and detail.status_code == 200
    for page in (listing, detail):
        assert b"13812345678" not in page.content and b"138****5678" in page.content
    assert client.get(reverse("admin:hlgrid_optout_changelist")).status_code == 200
