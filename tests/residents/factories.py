"""Residents test data, built through the services (the same path as the pages and the API)."""

import datetime
import itertools

from grids.access import SYSTEM
from residents import idcard, services
from residents.key_groups import key_groups_seed
from residents.models import KeyGroup
from tests.factories import default_city

_sequence = itertools.count(1)


def id_number(birth_date=datetime.date(1980, 5, 17), *, male: bool = True) -> str:
    """A fresh valid ID number of 和龙市 (222406)."""
    n = next(_sequence) % 500
    return idcard.make("222406", birth_date, 2 * n + (1 if male else 0))


def household(grid, *, building="1", unit="1", door="101"):
    from residents.models import Building, Unit

    b = Building.objects.filter(grid=grid, number=building).first() or services.building_create(
        actor=SYSTEM, grid=grid, number=building
    )
    u = Unit.objects.filter(building=b, number=unit).first() or services.unit_create(
        actor=SYSTEM, building=b, number=unit
    )
    return services.household_create(actor=SYSTEM, unit=u, door=door)


def resident(household, *, name="张三", birth_date=datetime.date(1980, 5, 17), male=True, **extra):
    return services.resident_create(
        actor=SYSTEM,
        household=household,
        name=name,
        id_number=id_number(birth_date, male=male),
        phone=extra.pop("phone", "13812345678"),
        **extra,
    )


def group(name="重病患者", *, city=None) -> KeyGroup:
    """A key group of `city` (the tests' city: tests.factories.default_city): a new city gets
    the five groups when it is created; a test that made its city otherwise seeds them here."""
    city = city or default_city()
    if not KeyGroup.objects.filter(city=city, name=name).exists():
        key_groups_seed(city=city)
    return KeyGroup.objects.get(city=city, name=name)


def key_person(household, *, group_name="重病患者", since=None, **extra):
    person = resident(household, name=extra.pop("name", "李四"), **extra)
    membership = services.key_membership_create(
        actor=SYSTEM, resident=person, group=group(group_name), since=since, condition="需要照看"
    )
    return person, membership
