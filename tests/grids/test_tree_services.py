import pytest
from django.utils import translation

from grids import services
from grids.access import SYSTEM
from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from hlgrid.trees import tree_version
from tests.factories import UserFactory, rect

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_it_builds_a_consistent_tree(city):
    assert city.city.get_descendant_count() == 8
    assert [n.code for n in city.street_a.get_descendants()] == ["T-A-1", "T-A-1-1", "T-A-1-2"]


def test_it_refuses_a_child_of_the_wrong_kind(city):
    with pytest.raises(InvalidInput) as exc:
        services.gridnode_create(
            actor=SYSTEM, parent=city.street_a, kind=NodeKind.GRID, code="X", name="跳级网格"
        )
    assert "kind" in exc.value.errors
    assert not GridNode.objects.filter(code="X").exists()


def test_it_refuses_a_root_that_is_not_a_city(db):
    with pytest.raises(InvalidInput) as exc:
        services.gridnode_create(actor=SYSTEM, parent=None, kind=NodeKind.STREET, code="X", name="孤街")
    assert "parent" in exc.value.errors


def test_it_refuses_children_under_a_grid(city):
    with pytest.raises(InvalidInput):
        services.gridnode_create(
            actor=SYSTEM, parent=city.grid_a1, kind=NodeKind.GRID, code="X", name="子网格"
        )


def test_it_refuses_a_duplicate_code(city):
    with pytest.raises(InvalidInput) as exc:
        services.gridnode_create(
            actor=SYSTEM, parent=city.community_a, kind=NodeKind.GRID, code="T-A-1-1", name="重复"
        )
    assert "code" in exc.value.errors


@pytest.mark.parametrize(
    "boundary, message",
    [
        ({"type": "Point", "coordinates": [129.0, 42.5]}, "Polygon"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[129.0, 42.5], [129.01, 42.5], [129.01, 42.505], [129.0, 42.505]]],
            },
            "closed",
        ),
        (
            # a bow-tie: the ring crosses itself
            {
                "type": "Polygon",
                "coordinates": [
                    [[129.0, 42.5], [129.01, 42.51], [129.01, 42.5], [129.0, 42.51], [129.0, 42.5]]
                ],
            },
            "valid",
        ),
        (
            {"type": "Polygon", "coordinates": [[[200, 42.5], [129.01, 42.5], [129.01, 42.51], [200, 42.5]]]},
            "longitude",
        ),
    ],
)
def test_it_refuses_malformed_polygons(city, boundary, message):
    services.gridnode_delete(actor=SYSTEM, node=city.grid_a2)
    with pytest.raises(InvalidInput) as exc:
        services.gridnode_create(
            actor=SYSTEM, parent=city.community_a, kind=NodeKind.GRID, code="X", name="坏", boundary=boundary
        )
    assert message in " ".join(exc.value.errors["boundary"])


def test_it_refuses_a_child_outside_its_parent(city):
    services.gridnode_delete(actor=SYSTEM, node=city.grid_a2)
    with pytest.raises(InvalidInput) as exc:
        services.gridnode_create(
            actor=SYSTEM,
            parent=city.community_a,
            kind=NodeKind.GRID,
            code="X",
            name="越界",
            boundary=rect(129.01, 42.51, 129.03, 42.52),
        )
    assert "inside" in exc.value.errors["boundary"][0]


def test_it_refuses_overlapping_siblings(city):
    services.gridnode_delete(actor=SYSTEM, node=city.grid_a2)
    with pytest.raises(InvalidInput) as exc:
        services.gridnode_create(
            actor=SYSTEM,
            parent=city.community_a,
            kind=NodeKind.GRID,
            code="X",
            name="重叠",
            boundary=rect(129.0, 42.505, 129.02, 42.515),
        )
    assert "overlaps" in exc.value.errors["boundary"][0]


def test_siblings_may_share_a_border(city):
    # grid already share the line lat=42.51
    assert city.grid_a2.min_lat == pytest.approx(42.51)


def test_it_stores_bounding_box_and_centroid(city):
    node = city.grid_b1
    assert (node.min_lng, node.min_lat, node.max_lng, node.max_lat) == pytest.approx(
        (129.02, 42.5, 129.04, 42.51)
    )
    assert (node.centroid_lng, node.centroid_lat) == pytest.approx((129.03, 42.505))


def test_update_refuses_a_boundary_that_leaves_children_outside(city):
    with pytest.raises(InvalidInput) as exc:
        services.gridnode_update(
            actor=SYSTEM, node=city.community_a, boundary=rect(129.0, 42.5, 129.02, 42.515)
        )
    assert "child" in exc.value.errors["boundary"][0]


def test_move_keeps_kinds_and_territory(city):
    with pytest.raises(InvalidInput):
        services.gridnode_move(actor=SYSTEM, node=city.grid_a1, target=city.street_b)  # wrong kind of parent
    with pytest.raises(InvalidInput):
        # outside B's polygon
        services.gridnode_move(actor=SYSTEM, node=city.grid_a1, target=city.community_b)
    with pytest.raises(InvalidInput):
        services.gridnode_move(actor=SYSTEM, node=city.street_a, target=city.grid_a1)  # into itself


def test_move_rehangs_a_subtree(city):
    services.gridnode_update(actor=SYSTEM, node=city.grid_b2, boundary=None)
    moved = services.gridnode_move(actor=SYSTEM, node=city.grid_b2, target=city.community_a)
    assert moved.parent_id == city.community_a.pk
    city.community_a.refresh_from_db()
    assert city.community_a.get_children().count() == 3


def test_delete_refuses_nodes_with_children_or_posts(city):
    with pytest.raises(TransitionNotAllowed):
        services.gridnode_delete(actor=SYSTEM, node=city.community_a)
    services.post_assign(actor=SYSTEM, user=UserFactory(), kind=PostKind.WORKER, node=city.grid_a1)
    with pytest.raises(TransitionNotAllowed):
        services.gridnode_delete(actor=SYSTEM, node=city.grid_a1)
    services.gridnode_delete(actor=SYSTEM, node=city.grid_b2)
    assert not GridNode.objects.filter(code="T-B-1-2").exists()


def test_every_tree_write_bumps_the_version(city):
    before = tree_version("grids")
    services.gridnode_update(actor=SYSTEM, node=city.grid_a1, name="新名字")
    assert tree_version("grids") == before + 1


def test_posts_are_held_only_where_they_make_sense(city):
    user = UserFactory()
    with pytest.raises(InvalidInput):
        services.post_assign(actor=SYSTEM, user=user, kind=PostKind.WORKER, node=city.street_a)
    with pytest.raises(InvalidInput):
        # no department
        services.post_assign(actor=SYSTEM, user=user, kind=PostKind.DEPARTMENT, node=city.city)
    services.post_assign(actor=SYSTEM, user=user, kind=PostKind.HEAD, node=city.grid_a1)
    with pytest.raises(InvalidInput) as exc:
        services.post_assign(actor=SYSTEM, user=UserFactory(), kind=PostKind.HEAD, node=city.grid_a1)
    assert "head" in exc.value.errors["node"][0]
    assert Post.objects.get(user=user).title == "Grid head"
    with translation.override("zh-hans"):
        assert Post.objects.get(user=user).title == "网格长"
