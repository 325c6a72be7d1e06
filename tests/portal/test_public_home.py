"""The residents' front door: `/` without an account, 我的网格, 大事要闻, the public grid card."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.models import PostKind
from tests.announcements.factories import announce
from tests.openapi import Schema

pytestmark = pytest.mark.django_db
CARD = "/api/v1/public/grid-card/"
INSIDE_A1 = {"lat": 42.505, "lng": 129.01}


@pytest.fixture
def phones(people):
    people.worker.phone = "13800000001"
    people.worker.save()
    people.gridhead.phone = "0433-1234567"
    people.gridhead.save()
    return people


def test_a_visitor_gets_the_front_door_and_staff_their_landing(client, people):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    for tile in ("tile-report", "tile-track", "tile-my-grid", "tile-news", "staff-login"):
        assert f'data-testid="{tile}"' in html
    assert 'action="/petitions/track/"' in html and 'href="/petitions/report/"' in html
    assert "随手拍" in html and "查询进度" in html and "我的网格" in html and "大事要闻" in html
    client.force_login(people.worker)
    assert client.get("/").status_code == 302


def test_the_front_door_speaks_english_too(client, city):
    client.cookies["django_language"] = "en"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Snap and report" in html and "Track my report" in html and "My grid" in html


def test_the_public_card_names_the_grid_its_people_and_work_phones_and_nothing_else(api_client, phones, city):
    notice = announce(city.street_a, title="清雪")
    announce(city.grid_b1, title="别处")
    response = api_client.get(CARD, INSIDE_A1)
    assert response.status_code == 200
    body = response.json()
    Schema(api_client).check(CARD, "get", response)
    assert body["grid"]["name"] == "甲一网格" and body["community"]["name"] == "甲社区"
    assert body["street"]["name"] == "甲街道"
    assert body["workers"] == [{"name": phones.worker.display_name, "phone": "13800000001"}]
    assert body["head"] == {"name": phones.gridhead.display_name, "phone": "0433-1234567"}
    assert [a["id"] for a in body["announcements"]] == [notice.pk]
    assert body["report_url"] == f"/petitions/report/?grid={city.grid_a1.pk}"
    # Only names and the posts' work phones: no account data, no usernames.
    text = json.dumps(body, ensure_ascii=False)
    for leak in ("p_worker", "p_gridhead", "username", "email", phones.official.display_name):
        assert leak not in text


def test_a_point_outside_the_service_area_is_a_clear_400(api_client, city):
    response = api_client.get(CARD, {"lat": 40.0, "lng": 120.0})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and "lat" in body["errors"]
    assert api_client.get(CARD, {"lat": "north", "lng": 129.0}).status_code == 400
    assert api_client.get(CARD).status_code == 400


def test_the_public_card_is_throttled_per_address(api_client, city, monkeypatch):
    from portal.public_api import CardThrottle

    monkeypatch.setattr(
        CardThrottle, "THROTTLE_RATES", {**CardThrottle.THROTTLE_RATES, "public-card": "2/minute"}
    )
    codes = [api_client.get(CARD, INSIDE_A1).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert api_client.get(CARD, INSIDE_A1, REMOTE_ADDR="10.0.0.9").status_code == 200  # another address


def test_my_grid_shows_the_card_remembers_the_grid_and_news_follows_it(client, phones, city):
    announce(city.community_a, title="义诊")
    announce(city.street_b, title="乙街道通知")
    empty = client.get("/my-grid/")
    assert empty.status_code == 200 and 'data-testid="my-grid-map"' in empty.content.decode()
    page = client.get(f"/my-grid/?grid={city.grid_a1.pk}")
    html = page.content.decode()
    assert "甲一网格" in html and "13800000001" in html and 'href="tel:13800000001"' in html
    assert "义诊" in html and "乙街道通知" not in html
    assert f'href="/petitions/report/?grid={city.grid_a1.pk}"' in html
    assert page.cookies["hl_my_grid"].value == str(city.grid_a1.pk)
    news = client.get("/news/").content.decode()
    assert "义诊" in news and "乙街道通知" not in news
    assert f"/my-grid/?grid={city.grid_a1.pk}" in client.get("/").content.decode()
    assert "does not exist" in client.get(
        "/my-grid/?grid=99999999", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode() or ("不存在" in client.get("/my-grid/?grid=99999999").content.decode())
    assert client.get(f"/my-grid/?grid={city.community_a.pk}").status_code == 200  # not a grid: no card


def test_news_without_a_grid_shows_the_city_and_streets(client, city):
    announce(city.city, title="全市通知")
    announce(city.street_b, title="乙街道通知")
    announce(city.grid_a1, title="网格通知")
    html = client.get("/news/").content.decode()
    assert "全市通知" in html and "乙街道通知" in html and "网格通知" not in html
    assert 'data-testid="news-find-grid"' in html


def test_the_public_pages_run_a_fixed_number_of_queries(client, api_client, phones, city):
    def count(path, c=client, **params) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(path, params).status_code == 200
        return len(ctx.captured_queries)

    announce(city.grid_a1)
    count(CARD, api_client, **INSIDE_A1)  # the point locator is built once per process
    small = (
        count(f"/my-grid/?grid={city.grid_a1.pk}"),
        count("/news/"),
        count(CARD, api_client, **INSIDE_A1),
    )
    from grids.access import SYSTEM
    from grids.services import post_assign
    from tests.factories import UserFactory

    for index in range(5):
        post_assign(actor=SYSTEM, user=UserFactory(), kind=PostKind.WORKER, node=city.grid_a1)
        announce(city.grid_a1 if index % 2 else city.street_a)
    large = (
        count(f"/my-grid/?grid={city.grid_a1.pk}"),
        count("/news/"),
        count(CARD, api_client, **INSIDE_A1),
    )
    assert large == small
