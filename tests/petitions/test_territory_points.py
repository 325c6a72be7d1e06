"""Petitions as the map editor's point source: counted when a redraw puts them in another grid,
and moved only on confirmation, through petitions' own service, by an official who shapes both."""

import pytest

from grids import services as grid_services
from grids.access import SYSTEM
from hlgrid.errors import NotFound
from petitions.models import Petition, PetitionEvent
from petitions.services import petitions_move_grid, public_petition_report
from tests.factories import rect

pytestmark = pytest.mark.django_db


def redraw(city, north_of_a1: float):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "T-A-1-1"},
                "geometry": rect(129.0, 42.5, 129.02, north_of_a1),
            },
            {
                "type": "Feature",
                "properties": {"code": "T-A-1-2"},
                "geometry": rect(129.0, north_of_a1, 129.02, 42.52),
            },
        ],
    }


def test_a_redraw_counts_the_petitions_that_would_change_grid_and_keeps_them_until_asked(city, people):
    moving = public_petition_report(description="路灯坏了", latitude=42.5105, longitude=129.01)
    staying = public_petition_report(description="垃圾", latitude=42.515, longitude=129.01)
    no_point = public_petition_report(description="噪音", grid=city.grid_a2)
    assert moving.grid_id == city.grid_a2.pk
    plan = grid_services.gridnode_geometry_plan(
        actor=people.official, node=city.community_a, collection=redraw(city, 42.511)
    )
    (petitions,) = [p for p in plan.points if p.source == "petitions"]
    assert petitions.moves == {moving.pk: "T-A-1-1"}
    grid_services.gridnode_geometry_apply(
        actor=people.official, node=city.community_a, collection=redraw(city, 42.511)
    )
    assert Petition.objects.get(pk=moving.pk).grid_id == city.grid_a2.pk  # kept: not asked
    grid_services.gridnode_geometry_apply(
        actor=people.official, node=city.community_a, collection=redraw(city, 42.5112), move_points=True
    )
    assert Petition.objects.get(pk=moving.pk).grid_id == city.grid_a1.pk
    assert Petition.objects.get(pk=staying.pk).grid_id == city.grid_a2.pk
    assert Petition.objects.get(pk=no_point.pk).grid_id == city.grid_a2.pk
    assert PetitionEvent.objects.filter(petition_id=moving.pk, action="regrid").count() == 1


def test_merging_a_grid_moves_all_its_petitions_even_without_a_point(city):
    no_point = public_petition_report(description="噪音", grid=city.grid_a1)
    from grids import territory

    proposal = territory.merge_proposal(node=city.community_a, keep=city.grid_a2, absorb=city.grid_a1)
    grid_services.gridnode_geometry_apply(
        actor=SYSTEM,
        node=city.community_a,
        collection={
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": p["code"]}, "geometry": p["geometry"]}
                for p in proposal
            ],
        },  # fmt: skip
        remove=["T-A-1-1"],
        absorb={"T-A-1-1": "T-A-1-2"},
    )
    assert Petition.objects.get(pk=no_point.pk).grid_id == city.grid_a2.pk


def test_only_an_official_over_both_grids_moves_a_petition(city, people):
    petition = public_petition_report(description="路灯坏了", grid=city.grid_a1)
    with pytest.raises(NotFound):
        petitions_move_grid(actor=people.official, moves={petition.pk: city.grid_b1.pk})
    assert Petition.objects.get(pk=petition.pk).grid_id == city.grid_a1.pk
    assert petitions_move_grid(actor=people.official, moves={petition.pk: city.grid_a2.pk}) == 1
