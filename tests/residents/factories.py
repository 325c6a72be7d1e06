"""Residents test data, built through the services (the same path as the pages and the API)."""

import datetime
import importlib
import itertools

from django.apps import apps as django_apps

from grids.access import SYSTEM
from residents import idcard, services
from residents.models import KeyGroup

_default_groups = importlib.import_module("residents.migrations.0003_default_key_groups")
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


def group(name="重病患者") -> KeyGroup:
    # The five groups come from a data migration, and a transactional test's flush wipes them
    # for the tests after it on the same worker: seed them again the way the migration does.
    if not KeyGroup.objects.filter(name=name).exists():
        _default_groups.create_groups(django_apps, None)
    return KeyGroup.objects.get(name=name)


def key_person(household, *, group_name="重病患者", since=None, **extra):
    person = resident(household, name=extra.pop("name", "李四"), **extra)
    membership = services.key_membership_create(
        actor=SYSTEM, resident=person, group=group(group_name), since=since, condition="需要照看"
    )
    return person, membership
