"""Fixtures of the residents' tests: the worker signed in, and for the heads' tests a building of
grid A-1 with two units, its heads and their logins."""

import pytest
from django.test import Client

from grids.access import SYSTEM
from residents import heads, services
from tests.residents import factories


@pytest.fixture
def worker_client(people):
    """The worker of grid A-1, signed in."""
    client = Client()
    client.force_login(people.worker)
    return client


@pytest.fixture
def block(city):
    """Building 1 of grid A-1 with units 1 and 2 (two households each), heads recorded."""
    h11 = factories.household(city.grid_a1, building="1", unit="1", door="101")
    h12 = factories.household(city.grid_a1, building="1", unit="1", door="102")
    h21 = factories.household(city.grid_a1, building="1", unit="2", door="201")
    h22 = factories.household(city.grid_a1, building="1", unit="2", door="202")
    bhead = factories.resident(h11, name="王楼长", phone="13900000001")
    uhead = factories.resident(h12, name="赵单元长", phone="13900000002")
    other_uhead = factories.resident(h21, name="钱单元长")
    services.building_set_head(actor=SYSTEM, building=h11.unit.building, head=bhead)
    unit1, unit2 = h11.unit, h21.unit
    services.unit_set_head(actor=SYSTEM, unit=unit1, head=uhead)
    services.unit_set_head(actor=SYSTEM, unit=unit2, head=other_uhead)
    key21, _ = factories.key_person(h22, name="孙重点")
    key11, _ = factories.key_person(h11, name="周重点")
    other = factories.household(city.grid_b1, building="9", unit="1", door="901")
    return {
        "building": h11.unit.building,
        "unit1": unit1,
        "unit2": unit2,
        "h11": h11,
        "h21": h21,
        "bhead": bhead,
        "uhead": uhead,
        "key11": key11,
        "key21": key21,
        "other": other,
    }


@pytest.fixture
def accounts(block, people):
    b = heads.head_account_create(actor=people.worker, resident=block["bhead"], username="bld1")
    u = heads.head_account_create(
        actor=people.gridhead, resident=block["uhead"], unit=block["unit1"], username="unit1"
    )
    return b.account, u.account
