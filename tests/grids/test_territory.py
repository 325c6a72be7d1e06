"""The map editor's rules: a geometry change is checked whole before anything is applied."""

import pytest
from django.db import connection
from django.utils import translation

from grids import services
from grids.access import SYSTEM
from grids.locator import locate
from grids.models import GridNode
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from tests.factories import rect

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def feat(code, geometry, name=None, parent=None):
    props = {"code": code}
    if name is not None:
        props["name"] = name
    if parent is not None:
        props["parent"] = parent
    return {"type": "Feature", "properties": props, "geometry": geometry}


def plan_for(city, *features, actor=SYSTEM, **kwargs):
    return services.gridnode_geometry_plan(
        actor=actor, node=city.community_a, collection=collection(*features), **kwargs
    )


def messages(plan):
    return " | ".join(e["message"] for e in plan.errors)


def test_moving_a_shared_border_is_planned_without_errors_and_applied(city):
    features = [
        feat("T-A-1-1", rect(129.0, 42.5, 129.02, 42.512)),
        feat("T-A-1-2", rect(129.0, 42.512, 129.02, 42.52)),
    ]
    plan = plan_for(city, *features)
    assert plan.ok, plan.errors
    assert [c["action"] for c in plan.as_dict()["changes"]] == ["update", "update"]
    services.gridnode_geometry_apply(actor=SYSTEM, node=city.community_a, collection=collection(*features))
    city.grid_a1.refresh_from_db()
    assert city.grid_a1.max_lat == pytest.approx(42.512)


def test_an_invalid_polygon_is_refused_with_its_reason(city):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[129.0, 42.5], [129.02, 42.51], [129.02, 42.5], [129.0, 42.51], [129.0, 42.5]]],
    }
    plan = plan_for(city, feat("T-A-1-1", bowtie))
    assert not plan.ok
    assert plan.errors[0]["code"] == "T-A-1-1"
    assert "valid polygon" in messages(plan)


def test_a_grid_outside_its_parent_is_refused(city):
    plan = plan_for(city, feat("T-A-1-9", rect(129.015, 42.5, 129.03, 42.505), name="出界网格"))
    assert not plan.ok
    assert "outside" in messages(plan)


def test_an_overlap_with_a_sibling_beyond_the_tolerance_is_refused(city):
    # A-1 grows 100 m north into A-2, which is left as it is.
    plan = plan_for(city, feat("T-A-1-1", rect(129.0, 42.5, 129.02, 42.511)))
    assert not plan.ok
    assert "overlaps 甲二网格" in messages(plan)


def test_a_sliver_of_overlap_within_the_tolerance_is_trimmed_and_said(city):
    # 1e-6° north (~11 cm over 1.6 km: ~180 m²? no: 0.02° × 1e-7°) — a hand-drawing sliver.
    plan = plan_for(city, feat("T-A-1-1", rect(129.0, 42.5, 129.02, 42.5100002)))
    assert plan.ok, plan.errors
    assert any("trimmed" in w["message"] for w in plan.warnings)
    services.gridnode_geometry_apply(
        actor=SYSTEM,
        node=city.community_a,
        collection=collection(feat("T-A-1-1", rect(129.0, 42.5, 129.02, 42.5100002))),
    )
    city.grid_a1.refresh_from_db()
    assert city.grid_a1.max_lat == pytest.approx(42.51, abs=1e-9)


def test_area_of_the_parent_left_uncovered_is_a_warning_not_an_error(city):
    plan = plan_for(city, feat("T-A-1-1", rect(129.0, 42.5, 129.01, 42.51)))
    assert plan.ok
    assert any(w["code"] == "T-A-1" and "not covered" in w["message"] for w in plan.warnings)


def test_a_new_grid_is_created_with_its_name_and_the_locator_finds_it_at_once(city):
    services.gridnode_geometry_apply(
        actor=SYSTEM,
        node=city.community_a,
        collection=collection(
            feat("T-A-1-1", rect(129.0, 42.5, 129.01, 42.51)),
            feat("T-A-1-3", rect(129.01, 42.5, 129.02, 42.51), name="甲三网格"),
        ),
    )
    created = GridNode.objects.get(code="T-A-1-3")
    assert (created.kind, created.parent_id, created.name) == ("GRID", city.community_a.pk, "甲三网格")
    assert locate(42.505, 129.015).code == "T-A-1-3"
    assert locate(42.505, 129.005).code == "T-A-1-1"


def test_one_bad_feature_applies_nothing(city):
    before = list(GridNode.objects.order_by("pk").values_list("code", "boundary"))
    with pytest.raises(InvalidInput):
        services.gridnode_geometry_apply(
            actor=SYSTEM,
            node=city.community_a,
            collection=collection(
                feat("T-A-1-3", rect(129.01, 42.5, 129.02, 42.505), name="新网格"),
                feat("T-A-1-1", rect(129.0, 42.5, 129.02, 42.515)),  # overlaps A-2
            ),
        )
    assert list(GridNode.objects.order_by("pk").values_list("code", "boundary")) == before


def test_a_failure_half_way_through_the_apply_rolls_everything_back(city, people):
    # The merge plan is valid, but the absorbed grid still has a post: its delete fails last.
    before = list(GridNode.objects.order_by("pk").values_list("code", "boundary"))
    with pytest.raises(TransitionNotAllowed):
        services.gridnode_geometry_apply(
            actor=SYSTEM,
            node=city.community_a,
            collection=collection(feat("T-A-1-2", rect(129.0, 42.5, 129.02, 42.52))),
            remove=["T-A-1-1"],
            absorb={"T-A-1-1": "T-A-1-2"},
        )
    assert list(GridNode.objects.order_by("pk").values_list("code", "boundary")) == before


def test_a_merge_gives_one_grid_the_union_and_removes_the_other(city):
    from grids import territory

    proposal = territory.merge_proposal(node=city.community_a, keep=city.grid_a2, absorb=city.grid_a1)
    services.gridnode_geometry_apply(
        actor=SYSTEM,
        node=city.community_a,
        collection=collection(*[feat(p["code"], p["geometry"]) for p in proposal]),
        remove=["T-A-1-1"],
        absorb={"T-A-1-1": "T-A-1-2"},
    )
    assert not GridNode.objects.filter(code="T-A-1-1").exists()
    assert locate(42.505, 129.01).code == "T-A-1-2"


def test_a_split_cuts_a_grid_in_two_along_the_line(city):
    from grids import territory

    line = {"type": "LineString", "coordinates": [[129.01, 42.5], [129.01, 42.51]]}
    proposal = territory.split_proposal(
        node=city.community_a, child=city.grid_a1, line=line, new_code="T-A-1-5", new_name="甲五网格"
    )
    assert [p["code"] for p in proposal] == ["T-A-1-1", "T-A-1-5"]
    services.gridnode_geometry_apply(
        actor=SYSTEM,
        node=city.community_a,
        collection=collection(
            *[feat(p["code"], p["geometry"], p["name"], p.get("parent")) for p in proposal]
        ),
    )
    assert {locate(42.505, 129.005).code, locate(42.505, 129.015).code} == {"T-A-1-1", "T-A-1-5"}


def test_a_line_that_does_not_cross_the_grid_cannot_split_it(city):
    from grids import territory

    line = {"type": "LineString", "coordinates": [[129.005, 42.501], [129.006, 42.502]]}
    with pytest.raises(InvalidInput):
        territory.split_proposal(
            node=city.community_a, child=city.grid_a1, line=line, new_code="X", new_name="X"
        )


def test_a_code_of_another_subtree_is_refused(city):
    plan = plan_for(city, feat("T-B-1-1", rect(129.0, 42.5, 129.01, 42.51)))
    assert "outside" in messages(plan)


def test_a_malformed_collection_is_refused_as_a_whole(city):
    too_long = feat("T-A-1-1", rect(129.0, 42.5, 129.02, 42.51), name="网" * 65)
    for bad in (
        {"type": "Feature"},
        {"type": "FeatureCollection", "features": [{"type": "Feature"}]},
        collection(too_long),
        collection(feat("X" * 33, rect(129.0, 42.5, 129.02, 42.51), name="x")),
    ):
        with pytest.raises(InvalidInput):
            services.gridnode_geometry_plan(actor=SYSTEM, node=city.community_a, collection=bad)


def test_the_official_edits_its_streets_subtree_but_others_are_refused(city, people):
    plan = plan_for(city, feat("T-A-1-1", rect(129.0, 42.5, 129.02, 42.51)), actor=people.official)
    assert plan.ok
    with pytest.raises(Forbidden):  # the worker of A-1 works inside the community: 403
        plan_for(city, actor=people.worker)
    with pytest.raises(NotFound):  # the worker of B-1 does not know street A: 404
        plan_for(city, actor=people.outsider)
    with pytest.raises(NotFound):
        services.gridnode_geometry_apply(
            actor=people.official, node=city.community_b, collection=collection()
        )


def test_subtree_collection_round_trips_through_the_plan_without_changes(city):
    from grids import territory

    data = territory.subtree_collection(city.community_a)
    assert [f["properties"]["code"] for f in data["features"]] == ["T-A-1", "T-A-1-1", "T-A-1-2"]
    children = {"type": "FeatureCollection", "features": data["features"][1:]}
    plan = services.gridnode_geometry_plan(actor=SYSTEM, node=city.community_a, collection=children)
    assert plan.ok and not any(i.changed_geometry for i in plan.items)
    assert connection.vendor  # the plan ran against the database
