import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from announcements.models import Announcement
from tests.announcements.factories import announce, png

pytestmark = pytest.mark.django_db


def test_an_official_publishes_from_the_page_and_sees_it_listed(client, people, city):
    client.force_login(people.official)
    form = client.get("/announcements/new/")
    assert form.status_code == 200
    page = form.content.decode()
    assert "甲街道" in page and "甲一网格" in page and "乙一网格" not in page  # only its subtree
    response = client.post(
        "/announcements/new/",
        {"node": city.community_a.pk, "title": "义诊", "body": "周六义诊。", "photo": png()},
    )
    assert response.status_code == 302 and response["Location"] == "/announcements/"
    listed = client.get("/announcements/").content.decode()
    assert "义诊" in listed and 'data-testid="announcement-edit"' in listed
    assert Announcement.objects.get().photo


def test_a_bad_form_shows_the_message_and_stores_nothing(client, people, city):
    client.force_login(people.official)
    response = client.post(
        "/announcements/new/",
        {"node": city.street_a.pk, "title": "t", "body": "b", "photo": png().__class__("x.png", b"no")},
    )
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not Announcement.objects.exists()
    response = client.post("/announcements/new/", {"node": city.street_b.pk, "title": "t", "body": "b"})
    assert response.status_code == 200 and not Announcement.objects.exists()  # not a choice offered


def test_pages_refuse_outsiders_with_404_and_the_worker_has_no_new_page(client, people, city):
    other = announce(city.grid_b1)
    client.force_login(people.official)
    assert client.get(f"/announcements/{other.pk}/edit/").status_code == 404
    assert client.post(f"/announcements/{other.pk}/withdraw/").status_code == 404
    client.force_login(people.worker)
    assert client.get("/announcements/new/").status_code == 404
    mine = announce(city.grid_a1)
    assert client.post(f"/announcements/{mine.pk}/withdraw/").status_code == 403
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.withdrawn_at is None and other.withdrawn_at is None


def test_the_publisher_edits_and_withdraws_on_the_page(client, people, city):
    notice = announce(city.grid_a1, actor=people.gridhead)
    client.force_login(people.gridhead)
    assert "停水通知" in client.get(f"/announcements/{notice.pk}/edit/").content.decode()
    response = client.post(f"/announcements/{notice.pk}/edit/", {"title": "恢复供水", "body": "已恢复。"})
    assert response.status_code == 302
    assert client.post(f"/announcements/{notice.pk}/withdraw/").status_code == 302
    notice.refresh_from_db()
    assert notice.title == "恢复供水" and notice.withdrawn_at is not None


def test_the_nav_shows_announcements_to_field_staff(client, people):
    client.force_login(people.official)
    assert 'data-testid="nav-announcements"' in client.get("/me/").content.decode()
    client.force_login(people.assessor)
    assert 'data-testid="nav-announcements"' not in client.get("/me/").content.decode()


def test_the_list_page_runs_a_fixed_number_of_queries(client, people, city):
    client.force_login(people.official)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/announcements/").status_code == 200
        return len(ctx.captured_queries)

    announce(city.street_a, actor=people.official)
    small = count()
    for index in range(12):
        announce(city.grid_a2 if index % 2 else city.grid_a1, actor=people.official)
    assert count() == small
