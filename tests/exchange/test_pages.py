"""The pages: the partner platforms (settings), the failed pushes, the petition page's panel;
scoped so an official of another city or an outsider gets 404."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from exchange import services
from exchange.models import DeliveryStatus, Partner, PartnerDelivery
from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from petitions import services as petitions
from tests.exchange.factories import make_partner, order, other_city
from tests.factories import UserFactory
from tests.petitions.factories import garbage_category

pytestmark = pytest.mark.django_db


def holder(username, kind, node):
    user = UserFactory(username=username)
    post_assign(actor=SYSTEM, user=user, kind=kind, node=node)
    return user


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def city_official(city):
    return holder("city_official", PostKind.OFFICIAL, city.city)


@pytest.fixture
def foreign_official(db):
    city, _street, _grid = other_city()
    return holder("foreign_official", PostKind.OFFICIAL, city)


def failed_delivery(partner, people, n: int = 0):
    row, _ = services.order_receive(
        actor=services.PartnerCaller(partner=partner), data=order(order_no=f"F{n}")
    )
    petitions.petition_verify(actor=people.worker, petition=row.petition)
    delivery = row.deliveries.get()
    PartnerDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=8, last_error="HTTP 503"
    )
    return delivery


def test_a_city_official_creates_a_platform_and_sees_its_secret_once(city, city_official):
    garbage = garbage_category()
    client = browser(city_official)
    form = {
        "name": "和龙12345",
        "code": "hl12345",
        "city": city.city.pk,
        "callback_url": "https://12345.example.org/cb",
        "default_grid": city.grid_a1.code,
        "is_active": "on",
        "mappings": "0101 = NOPE",
    }
    refused = client.post("/exchange/partners/new/", form)
    assert refused.status_code == 200 and b"we have no category NOPE" in refused.content
    assert Partner.objects.count() == 0
    created = client.post("/exchange/partners/new/", {**form, "mappings": f"0101 = {garbage.code}"})
    assert created.status_code == 200
    partner = Partner.objects.get()
    assert created.context["secret"] and created.context["secret"].encode() in created.content
    assert partner.secret == created.context["secret"] and partner.mappings.get().category == garbage
    edit = client.get(f"/exchange/partners/{partner.pk}/")
    assert partner.secret.encode() not in edit.content and partner.key_id.encode() in edit.content
    rotated = client.post(f"/exchange/partners/{partner.pk}/rotate/")
    partner.refresh_from_db()
    assert (
        rotated.status_code == 200
        and rotated.context["secret"] == partner.secret != created.context["secret"]
    )
    listing = client.get("/exchange/partners/")
    assert b"hl12345" in listing.content


def test_another_citys_official_and_an_outsider_get_404(city, people, city_official, foreign_official):
    partner, _secret = make_partner(city.city)
    foreign = browser(foreign_official)
    assert foreign.get("/exchange/partners/").context["partners"] == []
    assert foreign.get(f"/exchange/partners/{partner.pk}/").status_code == 404
    assert foreign.post(f"/exchange/partners/{partner.pk}/rotate/").status_code == 404
    outsider = browser(people.outsider)
    assert outsider.get("/exchange/partners/").status_code == 404
    assert outsider.get("/exchange/deliveries/").status_code == 404
    assert outsider.get(f"/exchange/partners/{partner.pk}/").status_code == 404
    # a street official reads the settings but changes nothing of the city's
    assert browser(people.official).get(f"/exchange/partners/{partner.pk}/").status_code == 403


def test_the_failed_pushes_page_lists_the_areas_failures_and_retries_them(city, people, foreign_official):
    partner, _secret = make_partner(city.city)
    delivery = failed_delivery(partner, people)
    official = browser(people.official)  # the official of street A, where the petition is
    page = official.get("/exchange/deliveries/")
    assert page.status_code == 200 and f'data-testid="delivery-{delivery.pk}"'.encode() in page.content
    assert browser(foreign_official).get("/exchange/deliveries/").context["rows"] == []
    street_b = holder("official_b", PostKind.OFFICIAL, city.street_b)
    assert browser(street_b).get("/exchange/deliveries/").context["rows"] == []
    assert browser(street_b).post(f"/exchange/deliveries/{delivery.pk}/retry/").status_code == 404
    assert browser(people.outsider).post(f"/exchange/deliveries/{delivery.pk}/retry/").status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    retried = official.post(f"/exchange/deliveries/{delivery.pk}/retry/")
    assert retried.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED


def test_the_failed_pushes_page_runs_the_same_queries_for_one_row_or_many(city, people):
    partner, _secret = make_partner(city.city)
    failed_delivery(partner, people, 0)
    official = browser(people.official)
    official.get("/exchange/deliveries/")  # warm the session and the user's caches
    with CaptureQueriesContext(connection) as one:
        assert len(official.get("/exchange/deliveries/").context["rows"]) == 1
    for n in range(1, 6):
        failed_delivery(partner, people, n)
    with CaptureQueriesContext(connection) as many:
        assert len(official.get("/exchange/deliveries/").context["rows"]) == 6
    assert len(many) == len(one)


def test_the_petition_page_shows_the_hotline_order_and_lets_a_worker_return_it(city, people):
    partner, _secret = make_partner(city.city)
    row, _ = services.order_receive(actor=services.PartnerCaller(partner=partner), data=order())
    worker = browser(people.worker)
    page = worker.get(f"/petitions/{row.petition_id}/")
    html = page.content.decode()
    assert 'data-testid="hotline-panel"' in html and row.order_no in html
    assert 'data-testid="hotline-accept-due"' in html and 'data-light="GREEN"' in html
    assert 'data-testid="hotline-return"' in html
    returned = worker.post(f"/exchange/orders/{row.pk}/return/", {"reason": "非本辖区"})
    assert returned.status_code == 302
    row.refresh_from_db()
    assert row.state == "RETURNED"
    assert (
        browser(people.outsider).post(f"/exchange/orders/{row.pk}/return/", {"reason": "x"}).status_code
        == 404
    )
    plain = worker.get(f"/petitions/{row.petition_id}/")
    assert 'data-testid="hotline-return"' not in plain.content.decode()
