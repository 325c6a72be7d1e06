from collections import Counter

import pytest
from django.db.models import Count, F

from grids.models import NodeKind
from hlgrid.models import User
from residents import idcard, selectors
from residents.models import Building, Household, KeyGroup, KeyMembership, Light, Resident, Unit, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(helong):
    """The shared demo city (tests/demo.py): these tests only read it."""


def test_the_demo_has_helongs_buildings_units_and_their_heads(demo):
    assert Building.objects.count() == 686
    assert Unit.objects.count() == 2_828
    assert Building.objects.filter(head__isnull=False).count() == 686
    assert Unit.objects.filter(head__isnull=False).count() == 2_142
    assert set(Building.objects.values_list("grid__kind", flat=True)) == {NodeKind.GRID}
    assert Building.objects.values("grid").distinct().count() == 69
    # Heads live where they lead.
    assert not Building.objects.exclude(head__household__unit__building=F("pk")).exists()
    assert not Unit.objects.exclude(head__isnull=True).exclude(head__household__unit=F("pk")).exists()


def test_the_demo_has_about_8000_residents_with_valid_encrypted_id_numbers(demo):
    count = Resident.objects.count()
    assert 7_500 <= count <= 8_500
    assert Household.objects.count() >= 2_828
    sample = list(Resident.objects.order_by("?")[:200])
    for person in sample:
        parsed = idcard.parse(person.id_number)
        assert parsed.region == "222406"
        assert (parsed.birth_date, parsed.sex) == (person.birth_date, person.sex)
    assert Resident.objects.values("id_number_hash").distinct().count() == count


def test_the_demo_has_key_people_in_all_five_groups_and_a_year_of_visits(demo):
    groups = dict(KeyGroup.objects.annotate(n=Count("memberships")).values_list("name", "n"))
    assert set(groups) == {"重病患者", "留守儿童", "残障人士", "独居/空巢老人", "困难家庭"}
    assert all(n > 0 for n in groups.values())
    first, last = Visit.objects.order_by("visited_at").first(), Visit.objects.order_by("visited_at").last()
    assert (last.visited_at - first.visited_at).days >= 330
    assert set(Visit.objects.values_list("kind", flat=True)) >= {"ROUTINE", "KEY_PERSON"}
    lights = Counter(m.light for m in selectors.membership_list(user=User.objects.get(username="admin")))
    assert lights[Light.RED] > 0 and lights[Light.YELLOW] > 0 and lights[Light.GREEN] > lights[Light.RED]
    assert KeyMembership.objects.filter(last_visited_at__isnull=True).count() == 0


def test_the_demo_workers_day_shows_red_yellow_and_green(demo):
    worker = User.objects.get(username="worker")
    day = selectors.my_day(user=worker)
    assert {m.light for m in day.due} == {Light.RED, Light.YELLOW}
    assert day.due[0].light == Light.RED
    assert any(m.light == Light.GREEN for m in selectors.membership_list(user=worker))
    assert day.recent_visits and 0 < day.unvisited_count < day.households_count


def test_the_demo_places_every_building_inside_its_grid_with_an_address(demo):
    from grids.locator import locate

    buildings = list(Building.objects.all())
    assert buildings and all(b.address for b in buildings)
    assert all(b.latitude is not None for b in buildings)
    assert all(locate(b.latitude, b.longitude).id == b.grid_id for b in buildings)
