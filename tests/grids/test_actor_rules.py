"""Who may shape the tree and staff it: officials below themselves, administrators anywhere.

An outsider of the node (no post at, above or below it) is answered 404; someone who works
there but lacks the post, 403. Every refused call changes nothing.
"""

import pytest

from grids import services
from grids.access import SYSTEM
from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.errors import Forbidden, NotFound
from tests.factories import UserFactory, rect

pytestmark = pytest.mark.django_db


def test_an_official_shapes_the_communities_and_grids_of_its_street(people, city):
    services.gridnode_delete(actor=people.official, node=city.grid_a2)
    grid = services.gridnode_create(
        actor=people.official,
        parent=city.community_a,
        kind=NodeKind.GRID,
        code="T-A-1-3",
        name="甲三网格",
        boundary=rect(129.0, 42.51, 129.02, 42.52),
    )
    services.gridnode_update(actor=people.official, node=grid, name="甲新网格")
    services.gridnode_update(actor=people.official, node=city.community_a, name="甲新社区")
    assert GridNode.objects.get(code="T-A-1-3").name == "甲新网格"
    assert GridNode.objects.get(pk=city.community_a.pk).name == "甲新社区"


def test_an_official_cannot_create_a_node_outside_its_subtree_or_above_it(people, city):
    with pytest.raises(NotFound):  # under another street: it may not learn what is there
        services.gridnode_create(
            actor=people.official, parent=city.street_b, kind=NodeKind.COMMUNITY, code="X1", name="乙二社区"
        )
    with pytest.raises(Forbidden):  # a street beside its own, under the city above it
        services.gridnode_create(
            actor=people.official, parent=city.city, kind=NodeKind.STREET, code="X2", name="丙街道"
        )
    with pytest.raises(Forbidden):  # a new city
        services.gridnode_create(
            actor=people.official, parent=None, kind=NodeKind.CITY, code="X3", name="新市"
        )
    assert not GridNode.objects.filter(code__in=["X1", "X2", "X3"]).exists()


def test_an_official_cannot_reshape_its_own_node_or_move_anything_out_of_its_street(people, city):
    with pytest.raises(Forbidden):  # its own street hangs under the city
        services.gridnode_update(actor=people.official, node=city.street_a, name="改名")
    with pytest.raises(NotFound):  # a street it does not work in
        services.gridnode_update(actor=people.official, node=city.street_b, name="改名")
    services.gridnode_update(actor=SYSTEM, node=city.grid_a2, boundary=None)
    with pytest.raises(NotFound):  # the target is outside its street
        services.gridnode_move(actor=people.official, node=city.grid_a2, target=city.community_b)
    with pytest.raises(NotFound):
        services.gridnode_delete(actor=people.official, node=city.grid_b2)
    city.grid_a2.refresh_from_db()
    assert city.grid_a2.parent_id == city.community_a.pk
    assert GridNode.objects.filter(pk=city.grid_b2.pk).exists()


def test_workers_and_heads_do_not_shape_the_tree(people, city):
    for actor in (people.worker, people.gridhead):
        with pytest.raises(Forbidden):
            services.gridnode_update(actor=actor, node=city.grid_a1, name="改名")
    with pytest.raises(NotFound):
        services.gridnode_update(actor=None, node=city.grid_a1, name="改名")
    assert GridNode.objects.get(pk=city.grid_a1.pk).name == "甲一网格"


def test_an_administrator_shapes_the_whole_tree_and_only_a_superuser_adds_a_city(city):
    admin = UserFactory()
    services.post_assign(actor=SYSTEM, user=admin, kind=PostKind.ADMIN, node=city.city)
    services.gridnode_update(actor=admin, node=city.city, name="新测试市")
    services.gridnode_update(actor=admin, node=city.street_b, name="新乙街道")
    with pytest.raises(Forbidden):
        services.gridnode_create(actor=admin, parent=None, kind=NodeKind.CITY, code="Y", name="邻市")
    root = UserFactory(is_superuser=True)
    assert services.gridnode_create(
        actor=root, parent=None, kind=NodeKind.CITY, code="Y", name="邻市"
    ).is_root_node()


def test_a_worker_gets_403_granting_a_post_in_its_own_grid_and_an_outsider_404(people, city):
    newcomer = UserFactory()
    with pytest.raises(Forbidden):
        services.post_assign(actor=people.worker, user=newcomer, kind=PostKind.WORKER, node=city.grid_a1)
    with pytest.raises(Forbidden):
        services.post_end(actor=people.gridhead, post=Post.objects.get(user=people.worker))
    with pytest.raises(NotFound):
        services.post_assign(actor=people.outsider, user=newcomer, kind=PostKind.WORKER, node=city.grid_a1)
    assert not Post.objects.filter(user=newcomer).exists()
    assert Post.objects.get(user=people.worker).is_active


def test_an_official_staffs_only_its_own_subtree_and_the_post_records_who_granted_and_ended_it(people, city):
    newcomer = UserFactory()
    post = services.post_assign(actor=people.official, user=newcomer, kind=PostKind.WORKER, node=city.grid_a2)
    assert post.granted_by == people.official
    with pytest.raises(NotFound):
        services.post_assign(actor=people.official, user=newcomer, kind=PostKind.WORKER, node=city.grid_b1)
    with pytest.raises(Forbidden):  # nobody grants above itself
        services.post_assign(actor=people.official, user=newcomer, kind=PostKind.OFFICIAL, node=city.city)
    services.post_end(actor=people.official, post=post)
    post.refresh_from_db()
    assert not post.is_active and post.ended_by == people.official and post.ended_at is not None
    ended_at = post.ended_at
    services.post_end(actor=SYSTEM, post=post)  # ending it again changes nothing
    post.refresh_from_db()
    assert post.ended_by == people.official and post.ended_at == ended_at


def test_the_system_is_recorded_as_nobody(city):
    post = services.post_assign(actor=SYSTEM, user=UserFactory(), kind=PostKind.WORKER, node=city.grid_a1)
    services.post_end(actor=SYSTEM, post=post)
    post.refresh_from_db()
    assert post.granted_by is None and post.ended_by is None and post.ended_at is not None
