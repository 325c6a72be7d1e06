import functools

import factory
from factory.django import DjangoModelFactory

from grids import services
from grids.access import SYSTEM
from grids.models import Department, NodeKind
from hlgrid.models import User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pw-for-tests")


def default_city():
    """The city the tests' configuration (departments, categories, key groups, schemes) belongs
    to when a test does not say: the only city there is, else SmallCity's (made here, the same
    way, when there is none yet: a test may make its categories before its tree)."""
    from grids.models import GridNode

    roots = list(GridNode.objects.filter(parent=None, kind=NodeKind.CITY).order_by("id")[:2])
    if len(roots) == 1:
        return roots[0]
    found = GridNode.objects.filter(parent=None, code="T").first()
    if found is not None:
        return found
    if roots:
        return roots[0]
    return services.gridnode_create(
        actor=SYSTEM, parent=None, kind=NodeKind.CITY, code="T", name="测试市", boundary=rect(*TEST_CITY)
    )


TEST_CITY = (129.0, 42.5, 129.04, 42.52)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("city", "code")

    city = factory.LazyFunction(default_city)

    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.Sequence(lambda n: f"部门{n}")


def rect(min_lng: float, min_lat: float, max_lng: float, max_lat: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [min_lng, min_lat],
                [max_lng, min_lat],
                [max_lng, max_lat],
                [min_lng, max_lat],
                [min_lng, min_lat],
            ]
        ],
    }


class SmallCity:
    """A city with two streets, each with one community of two grids, built through the services.

    lng 129.00 ─ 129.02 ─ 129.04
    street A (west)   street B (east)
    grid A-1 | A-2    grid B-1 | B-2   (split at lat 42.51)
    """

    def __init__(self):
        from grids.models import GridNode

        create = functools.partial(services.gridnode_create, actor=SYSTEM)
        # the city a test's configuration may have made already (default_city)
        self.city = GridNode.objects.filter(parent=None, code="T").first() or create(
            parent=None,
            kind=NodeKind.CITY,
            code="T",
            name="测试市",
            boundary=rect(*TEST_CITY),
        )
        self.street_a = create(
            parent=self.city,
            kind=NodeKind.STREET,
            code="T-A",
            name="甲街道",
            boundary=rect(129.0, 42.5, 129.02, 42.52),
        )
        self.street_b = create(
            parent=self.city,
            kind=NodeKind.STREET,
            code="T-B",
            name="乙街道",
            boundary=rect(129.02, 42.5, 129.04, 42.52),
        )
        self.community_a = create(
            parent=self.street_a,
            kind=NodeKind.COMMUNITY,
            code="T-A-1",
            name="甲社区",
            boundary=rect(129.0, 42.5, 129.02, 42.52),
        )
        self.community_b = create(
            parent=self.street_b,
            kind=NodeKind.COMMUNITY,
            code="T-B-1",
            name="乙社区",
            boundary=rect(129.02, 42.5, 129.04, 42.52),
        )
        self.grid_a1 = create(
            parent=self.community_a,
            kind=NodeKind.GRID,
            code="T-A-1-1",
            name="甲一网格",
            boundary=rect(129.0, 42.5, 129.02, 42.51),
        )
        self.grid_a2 = create(
            parent=self.community_a,
            kind=NodeKind.GRID,
            code="T-A-1-2",
            name="甲二网格",
            boundary=rect(129.0, 42.51, 129.02, 42.52),
        )
        self.grid_b1 = create(
            parent=self.community_b,
            kind=NodeKind.GRID,
            code="T-B-1-1",
            name="乙一网格",
            boundary=rect(129.02, 42.5, 129.04, 42.51),
        )
        self.grid_b2 = create(
            parent=self.community_b,
            kind=NodeKind.GRID,
            code="T-B-1-2",
            name="乙二网格",
            boundary=rect(129.02, 42.51, 129.04, 42.52),
        )
        for node in self.nodes:
            node.refresh_from_db()

    @property
    def nodes(self):
        return [
            self.city, self.street_a, self.street_b, self.community_a, self.community_b,
            self.grid_a1, self.grid_a2, self.grid_b1, self.grid_b2,
        ]  # fmt: skip

    @property
    def grids(self):
        return [self.grid_a1, self.grid_a2, self.grid_b1, self.grid_b2]
