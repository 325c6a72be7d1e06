"""The roster of a node: its heads and its buildings' heads, the vacancies shown, in a fixed
number of queries; scoped like the residents themselves."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from residents import services
from residents.models import Unit
from residents.roster import roster
from tests.factories import UserFactory
from tests.residents import factories

pytestmark = pytest.mark.django_db


def _building(grid, number, *, head=False, units=2, unit_heads=0):
    household = factories.household(grid, building=number, unit="1", door="101")
    building = household.unit.building
    for n in range(2, units + 1):
        services.unit_create(actor=SYSTEM, building=building, number=str(n))
    if head:
        services.building_set_head(
            actor=SYSTEM, building=building, head=factories.resident(household, name=f"楼长{number}")
        )
    for unit in list(Unit.objects.filter(building=building).order_by("number"))[:unit_heads]:
        home = factories.household(grid, building=number, unit=unit.number, door="201")
        person = factories.resident(home, name=f"单元长{unit.number}")
        services.unit_set_head(actor=SYSTEM, unit=unit, head=person)
    return building


def test_the_roster_lists_each_node_with_its_head_or_vacant_and_sums_the_gaps(people, city):
    _building(city.grid_a1, "1", head=True, units=2, unit_heads=2)
    _building(city.grid_a1, "2", head=False, units=3, unit_heads=1)
    report = roster(user=people.official, pk=city.street_a.pk)
    by_node = {row.node.pk: row for row in report.rows}
    assert list(by_node) == [city.street_a.pk, city.community_a.pk, city.grid_a1.pk, city.grid_a2.pk]
    assert by_node[city.grid_a1.pk].head.user == people.gridhead
    assert [row.vacant for row in report.rows] == [True, True, False, True]
    assert report.vacant_total == 3
    assert [
        (b.number, b.head is not None, b.units_without_head) for b in by_node[city.grid_a1.pk].buildings
    ] == [
        ("1", True, 0),
        ("2", False, 2),
    ]
    assert (report.buildings, report.buildings_without_head, report.units, report.units_without_head) == (
        2,
        1,
        5,
        2,
    )
    assert report.gaps == 3 + 1 + 2


def test_filling_the_heads_closes_the_gaps(people, city):
    for node in (city.street_a, city.community_a, city.grid_a2):
        post_assign(actor=SYSTEM, user=UserFactory(), kind=PostKind.HEAD, node=node)
    _building(city.grid_a2, "1", head=True, units=1, unit_heads=1)
    report = roster(user=people.official, pk=city.street_a.pk)
    assert report.gaps == 0 and report.vacant_nodes == []


def test_the_roster_is_scoped_like_the_residents(client, people, city):
    from django.http import Http404

    with pytest.raises(Http404):
        roster(user=people.official, pk=city.street_b.pk)
    with pytest.raises(Http404):  # an assessor sees no residents
        roster(user=people.assessor, pk=city.grid_a1.pk)
    client.force_login(people.worker)
    assert client.get(reverse("residents:roster", args=[city.grid_b1.pk])).status_code == 404
    assert client.get(reverse("residents:roster", args=[city.grid_a1.pk])).status_code == 200


def test_the_roster_page_shows_vacant_badges_and_the_gaps(client, people, city):
    _building(city.grid_a1, "7", head=False, units=1)
    client.force_login(people.official)
    page = client.get(reverse("residents:roster", args=[city.street_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="vacant"') == 4  # street, community, grid A-2, building 7
    assert 'data-testid="buildings-without-head"' in body and 'data-testid="units-without-head"' in body
    assert people.gridhead.display_name in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_roster_takes_the_same_number_of_queries_for_a_larger_subtree(client, people, city):
    client.force_login(people.official)
    url = reverse("residents:roster", args=[city.street_a.pk])
    _building(city.grid_a1, "1", head=True)
    small = _queries(client, url)
    for n in range(2, 7):
        _building(city.grid_a1 if n % 2 else city.grid_a2, str(n), head=n % 3 == 0, units=3, unit_heads=1)
    post_assign(actor=SYSTEM, user=UserFactory(), kind=PostKind.HEAD, node=city.grid_a2)
    assert _queries(client, url) == small


def test_buildings_are_listed_in_counting_order_not_text_order(people, city):
    for number in ("10", "2", "1"):
        _building(city.grid_a1, number, units=1)
    report = roster(user=people.official, pk=city.street_a.pk)
    listed = [b.number for row in report.rows for b in row.buildings]
    assert listed == ["1", "2", "10"]  # text order would say 1, 10, 2
