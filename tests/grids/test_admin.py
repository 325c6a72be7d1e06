import pytest

from grids.models import GridNode, Post, PostKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_lists_the_tree(admin_client, city):
    page = admin_client.get("/admin/grids/gridnode/")
    assert page.status_code == 200 and "甲一网格" in page.content.decode()


def test_a_drag_and_drop_move_goes_through_the_tree_service(admin_client, city):
    # dropping a grid onto a street is refused (a grid belongs under a community)
    response = admin_client.post(
        "/admin/grids/gridnode/",
        {
            "cmd": "move_node",
            "cut_item": city.grid_a1.pk,
            "pasted_on": city.street_b.pk,
            "position": "last-child",
        },
    )
    assert response.content.startswith(b"FAIL")
    city.grid_a1.refresh_from_db()
    assert city.grid_a1.parent_id == city.community_a.pk


def test_a_valid_drag_and_drop_move_is_applied(admin_client, city):
    response = admin_client.post(
        "/admin/grids/gridnode/",
        {"cmd": "move_node", "cut_item": city.grid_a2.pk, "pasted_on": city.grid_a1.pk, "position": "left"},
    )
    assert response.content.startswith(b"OK")
    ordered = list(city.community_a.get_children().values_list("code", flat=True))
    assert ordered == ["T-A-1-2", "T-A-1-1"]


def test_adding_a_node_in_the_admin_validates_the_kind(admin_client, city):
    admin_client.post(
        "/admin/grids/gridnode/add/",
        {"parent": city.street_a.pk, "kind": "GRID", "code": "BAD", "name": "跳级", "boundary": "null"},
    )
    assert not GridNode.objects.filter(code="BAD").exists()


def test_a_post_added_in_the_admin_goes_through_the_service(admin_client, city):
    user = UserFactory()
    admin_client.post(
        "/admin/grids/post/add/",
        {"user": user.pk, "kind": "WORKER", "node": city.street_a.pk, "is_active": "on"},
    )
    assert not Post.objects.filter(user=user).exists()  # a worker post belongs at a grid
    admin_client.post(
        "/admin/grids/post/add/",
        {"user": user.pk, "kind": "WORKER", "node": city.grid_a1.pk, "is_active": "on"},
    )
    assert Post.objects.get(user=user).kind == PostKind.WORKER
