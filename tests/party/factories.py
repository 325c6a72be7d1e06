"""Party test data, built through the services (the same path as the pages, the API and the demo).

The set-up acts as grids.access.SYSTEM unless a test names the actor: what a test checks
about permissions it checks with a persona's account."""

import datetime
import itertools

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from grids.access import SYSTEM
from party.models import MemberRole, OrgKind, Reward, ServiceItem, ServiceWindow, UnitKind
from party.services.alliances import alliance_create, unit_join
from party.services.chain import member_add, org_create
from party.services.time_bank import activity_create, volunteer_register
from party.services.windows import socialworker_add
from tests.factories import UserFactory
from tests.residents import factories as rf

_codes = itertools.count(1)


def code(prefix: str = "P") -> str:
    return f"{prefix}{next(_codes):05d}"


class Chain:
    """The five levels over the small city: street A → community A → grids A-1 and A-2 →
    building 1 of A-1 → a central household keeping contact with two neighbours."""

    def __init__(self, city, actor=SYSTEM):
        self.city = city

        def create(**kwargs):
            return org_create(actor=actor, **kwargs)

        self.committee = create(
            parent=None,
            kind=OrgKind.WORKING_COMMITTEE,
            code=code("WC"),
            name="甲街道党工委",
            node=city.street_a,
        )
        self.general = create(
            parent=self.committee,
            kind=OrgKind.GENERAL_BRANCH,
            code=code("GB"),
            name="甲社区党总支",
            node=city.community_a,
        )
        self.branch = create(
            parent=self.general,
            kind=OrgKind.GRID_BRANCH,
            code=code("BR"),
            name="甲一二网格党支部",
            grids=[city.grid_a1, city.grid_a2],
        )
        self.home = rf.household(city.grid_a1, building="1", unit="1", door="101")
        self.neighbour = rf.household(city.grid_a1, building="1", unit="1", door="102")
        self.other = rf.household(city.grid_a1, building="1", unit="2", door="101")
        self.building = self.home.unit.building
        self.group = create(
            parent=self.branch,
            kind=OrgKind.BUILDING_GROUP,
            code=code("BG"),
            name="1号楼党小组",
            buildings=[self.building],
        )
        self.central = create(
            parent=self.group,
            kind=OrgKind.CENTRAL_HOUSEHOLD,
            code=code("CH"),
            name="101党员中心户",
            household=self.home,
            contact_households=[self.neighbour, self.other],
        )
        for org in self.orgs:
            org.refresh_from_db()

    @property
    def orgs(self):
        return [self.committee, self.general, self.branch, self.group, self.central]


def party_resident(household, **extra):
    return rf.resident(household, is_party_member=True, **extra)


def secretary(org, name="书记"):
    return member_add(actor=SYSTEM, organization=org, name=name, role=MemberRole.SECRETARY)


def alliance(chain, name=None):
    return alliance_create(actor=SYSTEM, lead=chain.committee, name=name or code("联盟"))


def unit(alliance, grids=(), name=None):
    return unit_join(
        actor=SYSTEM, alliance=alliance, name=name or code("单位"), kind=UnitKind.ENTERPRISE, grids=grids
    )


def volunteer(grid, *, user=None, name="志愿者"):
    return volunteer_register(actor=SYSTEM, name=name, grid=grid, user=user)


def activity(organiser, grid, *, starts_at=None, hours=3, rate=None, capacity=20, **extra):
    starts_at = starts_at or timezone.now() - datetime.timedelta(hours=1)
    return activity_create(
        actor=organiser,
        title=extra.pop("title", "清扫楼道"),
        grid=grid,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        capacity=capacity,
        rate=rate,
        **extra,
    )


class RewardFactory(DjangoModelFactory):
    class Meta:
        model = Reward

    name = factory.Sequence(lambda n: f"奖品{n}")
    price = factory.Sequence(lambda n: 10 + n)


class ServiceItemFactory(DjangoModelFactory):
    class Meta:
        model = ServiceItem

    code = factory.Sequence(lambda n: f"I{n:03d}")
    name = factory.Sequence(lambda n: f"事项{n}")
    category = "民政"


class WindowFactory(DjangoModelFactory):
    class Meta:
        model = ServiceWindow

    code = factory.Sequence(lambda n: f"W{n}")
    name = factory.Sequence(lambda n: f"综合窗口{n}")


def social_worker(grid, items=(), username=None):
    user = UserFactory(username=username) if username else UserFactory()
    return socialworker_add(actor=SYSTEM, user=user, grid=grid, items=items)
