from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from announcements.models import Announcement
from tests.announcements.factories import announce, png
from tests.openapi import Schema

pytestmark = pytest.mark.django_db
URL = "/api/v1/announcements/"


def test_an_official_publishes_through_the_api_and_reads_it_back(api_client, people, city):
    api_client.force_authenticate(people.official)
    until = (timezone.now() + timedelta(days=3)).isoformat()
    response = api_client.post(
        URL,
        {"node": city.street_a.pk, "title": "供暖", "body": "今日起供暖。", "expires_at": until},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["node"] == city.street_a.pk and body["published_by"] == people.official.display_name
    Schema(api_client).check(URL, "post", response)
    assert api_client.get(f"{URL}{body['id']}/").json()["title"] == "供暖"
    listed = api_client.get(URL)
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]
    Schema(api_client).check(URL, "get", listed)


def test_a_photo_goes_up_as_multipart_and_comes_back_through_the_checked_view(
    api_client, client, people, city
):
    api_client.force_authenticate(people.official)
    response = api_client.post(
        URL, {"node": city.grid_a1.pk, "title": "照片", "body": "见图。", "photo": png()}, format="multipart"
    )
    assert response.status_code == 201, response.content
    photo_url = response.json()["photo_url"]
    assert photo_url == f"/announcements/{response.json()['id']}/photo/"
    shown = client.get(photo_url)  # a live announcement's photo is public
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    Announcement.objects.update(withdrawn_at=timezone.now())
    assert client.get(photo_url).status_code == 404  # withdrawn: no longer public
    client.force_login(people.official)
    assert client.get(photo_url).status_code == 200  # its staff still see it
    client.force_login(people.outsider)
    assert client.get(photo_url).status_code == 404


def test_an_outsider_official_gets_404_for_a_node_or_an_announcement_outside_its_subtree(
    api_client, people, city
):
    other = announce(city.grid_b1)
    api_client.force_authenticate(people.official)
    response = api_client.post(URL, {"node": city.grid_b1.pk, "title": "t", "body": "b"}, format="json")
    assert response.status_code == 404
    assert api_client.get(f"{URL}{other.pk}/").status_code == 404
    assert api_client.put(f"{URL}{other.pk}/", {"title": "x", "body": "y"}, format="json").status_code == 404
    assert api_client.post(f"{URL}{other.pk}/withdraw/").status_code == 404
    assert api_client.get(URL, {"node": city.street_b.pk}).status_code == 404
    assert api_client.get(URL).json()["results"] == []
    other.refresh_from_db()
    assert other.withdrawn_at is None and other.title == "停水通知"


def test_bad_input_is_a_400_naming_the_field_and_a_worker_gets_403(api_client, people, city):
    api_client.force_authenticate(people.official)
    response = api_client.post(URL, {"node": city.street_a.pk, "title": " ", "body": "b"}, format="json")
    assert response.status_code == 400 and "title" in response.json()["errors"]
    response = api_client.post(
        URL, {"node": city.street_a.pk, "title": "t", "body": "b", "colour": 1}, format="json"
    )
    assert response.status_code == 400 and "colour" in response.json()["errors"]
    api_client.force_authenticate(people.worker)
    response = api_client.post(URL, {"node": city.grid_a1.pk, "title": "t", "body": "b"}, format="json")
    assert response.status_code == 403
    assert not Announcement.objects.exists()


def test_the_publisher_updates_and_withdraws_and_a_second_withdrawal_is_409(api_client, people, city):
    notice = announce(city.grid_a1, actor=people.gridhead)
    api_client.force_authenticate(people.gridhead)
    response = api_client.put(f"{URL}{notice.pk}/", {"title": "新", "body": "新内容"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "新"
    assert api_client.post(f"{URL}{notice.pk}/withdraw/").json()["withdrawn_at"]
    assert api_client.post(f"{URL}{notice.pk}/withdraw/").status_code == 409
    live = api_client.get(URL, {"live": "true"})
    assert live.json()["results"] == []


def test_the_list_runs_a_fixed_number_of_queries(api_client, people, city):
    api_client.force_authenticate(people.official)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    announce(city.street_a)
    small = count()
    for index in range(15):
        announce(city.grid_a1 if index % 2 else city.community_a, actor=people.official, photo=None)
    assert count() == small
