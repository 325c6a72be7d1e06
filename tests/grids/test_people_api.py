"""/api/v1/accounts/ and /api/v1/posts/: the same rules as the services, in the error shape of
every endpoint; unknown keys refused; phones masked."""

import io

import pytest
from openpyxl import Workbook

from grids.access import SYSTEM
from grids.models import Post, PostKind
from grids.services import post_assign
from hlgrid.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_api(api_client, people):
    api_client.force_authenticate(people.official)
    return api_client


def _ids(response) -> set:
    return {item["id"] for item in response.json()["results"]}


def test_the_accounts_list_is_the_street_with_masked_phones(official_api, people):
    User.objects.filter(pk=people.worker.pk).update(phone="13812345678")
    response = official_api.get("/api/v1/accounts/")
    assert response.status_code == 200
    assert {people.worker.pk, people.gridhead.pk, people.official.pk} <= _ids(response)
    assert people.outsider.pk not in _ids(response)
    worker = next(a for a in response.json()["results"] if a["id"] == people.worker.pk)
    assert worker["phone"] == "138****5678" and worker["posts"][0]["kind"] == PostKind.WORKER


def test_the_accounts_list_filters_and_refuses_unknown_values(official_api, people, city):
    assert _ids(official_api.get("/api/v1/accounts/", {"kind": "HEAD"})) == {people.gridhead.pk}
    assert official_api.get("/api/v1/accounts/", {"kind": "BOSS"}).status_code == 400
    assert official_api.get("/api/v1/accounts/", {"node": city.grid_b1.pk}).status_code == 400
    assert _ids(official_api.get("/api/v1/accounts/", {"node": city.grid_a1.pk})) == {
        people.worker.pk,
        people.gridhead.pk,
    }


def test_a_caller_who_manages_nobody_is_refused_the_lists(api_client, people):
    api_client.force_authenticate(people.worker)
    assert api_client.get("/api/v1/accounts/").status_code == 403
    assert api_client.get("/api/v1/posts/").status_code == 403
    assert api_client.get(f"/api/v1/accounts/{people.gridhead.pk}/").status_code == 404


def test_an_account_or_post_outside_the_street_is_404_like_a_missing_one(official_api, people):
    post = Post.objects.get(user=people.outsider)
    missing = official_api.get("/api/v1/accounts/987654321/").json()
    assert official_api.get(f"/api/v1/accounts/{people.outsider.pk}/").json() == missing
    for path in ("deactivate", "activate", "reset-password"):
        response = official_api.post(f"/api/v1/accounts/{people.outsider.pk}/{path}/", {}, format="json")
        assert response.status_code == 404, path
    assert official_api.post(f"/api/v1/posts/{post.pk}/end/").status_code == 404
    response = official_api.post(f"/api/v1/posts/{post.pk}/move/", {"node": post.node_id}, format="json")
    assert response.status_code == 404
    assert User.objects.get(pk=people.outsider.pk).is_active and Post.objects.get(pk=post.pk).is_active


def test_creating_an_account_answers_the_generated_password_once(official_api, city):
    response = official_api.post(
        "/api/v1/accounts/",
        {
            "username": "liu",
            "name": "刘洋",
            "phone": "13912345678",
            "kind": "WORKER",
            "node": city.grid_a2.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    account = User.objects.get(username="liu")
    assert account.check_password(body["password"]) and account.must_change_password
    assert body["account"]["phone"] == "139****5678"
    assert "password" not in official_api.get(f"/api/v1/accounts/{account.pk}/").json()


def test_creating_an_account_in_street_b_is_404_and_above_is_403(official_api, city):
    base = {"username": "chen", "name": "陈", "kind": "WORKER"}
    assert (
        official_api.post("/api/v1/accounts/", {**base, "node": city.grid_b1.pk}, format="json").status_code
        == 404
    )
    response = official_api.post(
        "/api/v1/accounts/", {**base, "kind": "ASSESSOR", "node": city.city.pk}, format="json"
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="chen").exists()


def test_unknown_keys_and_bad_input_are_refused_with_the_field_named(official_api, city):
    response = official_api.post(
        "/api/v1/accounts/",
        {"username": "sun", "name": "孙", "kind": "WORKER", "node": city.grid_a2.pk, "is_superuser": True},
        format="json",
    )
    assert response.status_code == 400 and "is_superuser" in response.json()["errors"]
    response = official_api.post(
        "/api/v1/accounts/",
        {"username": "sun", "name": "孙", "kind": "WORKER", "node": city.grid_a2.pk, "password": "123"},
        format="json",
    )
    assert response.status_code == 400 and "password" in response.json()["errors"]
    assert not User.objects.filter(username="sun").exists()


def test_posts_are_granted_moved_and_ended_through_the_api_with_history(official_api, people, city):
    newcomer = UserFactory(username="newcomer")
    response = official_api.post(
        "/api/v1/posts/", {"user": newcomer.pk, "kind": "WORKER", "node": city.grid_a1.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    post_id = response.json()["id"]
    assert response.json()["granted_by"] == people.official.pk
    moved = official_api.post(f"/api/v1/posts/{post_id}/move/", {"node": city.grid_a2.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["node"] == city.grid_a2.pk
    ended = official_api.post(f"/api/v1/posts/{moved.json()['id']}/end/")
    assert ended.status_code == 200 and ended.json()["ended_by"] == people.official.pk
    history = official_api.get("/api/v1/posts/", {"account": newcomer.pk}).json()["results"]
    assert sorted((p["node"], p["is_active"]) for p in history) == sorted(
        [(city.grid_a1.pk, False), (city.grid_a2.pk, False)]
    )
    again = official_api.post(
        f"/api/v1/posts/{moved.json()['id']}/move/", {"node": city.grid_a1.pk}, format="json"
    )
    assert again.status_code == 409


def test_a_post_in_street_b_cannot_be_granted_through_the_api(official_api, people, city):
    newcomer = UserFactory(username="newcomer")
    response = official_api.post(
        "/api/v1/posts/", {"user": newcomer.pk, "kind": "WORKER", "node": city.grid_b1.pk}, format="json"
    )
    assert response.status_code == 404
    response = official_api.post(
        "/api/v1/posts/", {"user": newcomer.pk, "kind": "OFFICIAL", "node": city.street_a.pk}, format="json"
    )
    assert response.status_code == 403
    assert not Post.objects.filter(user=newcomer).exists()


def test_deactivating_someone_who_also_works_elsewhere_is_a_clear_403(official_api, city):
    both = UserFactory(username="both")
    post_assign(actor=SYSTEM, user=both, kind=PostKind.WORKER, node=city.grid_a2)
    post_assign(actor=SYSTEM, user=both, kind=PostKind.WORKER, node=city.grid_b2)
    response = official_api.post(f"/api/v1/accounts/{both.pk}/deactivate/")
    assert response.status_code == 403 and response.json()["detail"]
    assert User.objects.get(pk=both.pk).is_active


def test_deactivate_activate_and_reset_password(official_api, people):
    worker = people.worker
    response = official_api.post(f"/api/v1/accounts/{worker.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert official_api.post(f"/api/v1/accounts/{worker.pk}/deactivate/").status_code == 409
    assert official_api.post(f"/api/v1/accounts/{worker.pk}/activate/").json()["is_active"] is True
    response = official_api.post(f"/api/v1/accounts/{worker.pk}/reset-password/", {}, format="json")
    assert response.status_code == 200
    assert User.objects.get(pk=worker.pk).check_password(response.json()["password"])


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "岗位", "网格编码", "部门", "用户名"])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "staff.xlsx"
    return data


def test_the_staff_import_through_the_api_is_all_or_nothing(official_api, city):
    bad = _xlsx(
        [
            ["周一", "13812340001", "网格员", "T-A-1-2", "", ""],
            ["周二", "13812340002", "网格员", "T-B-1-1", "", ""],
        ]
    )
    response = official_api.post("/api/v1/accounts/import/", {"file": bad}, format="multipart")
    assert response.status_code == 400
    lines = response.json()["errors"]["file"]
    assert len(lines) == 1 and "3" in lines[0] and "T-B-1-1" in lines[0]
    assert not User.objects.filter(username__startswith="1381234000").exists()
    good = _xlsx([["周一", "13812340001", "网格员", "T-A-1-2", "", ""]])
    response = official_api.post("/api/v1/accounts/import/", {"file": good}, format="multipart")
    assert response.status_code == 201, response.content
    created = response.json()["created"]
    assert [c["account"]["username"] for c in created] == ["13812340001"]
    assert User.objects.get(username="13812340001").check_password(created[0]["password"])
