from datetime import datetime

import pytest

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.workdays import LOCAL
from tests.factories import UserFactory
from tests.petitions.conftest import Team


@pytest.fixture
def team(city, people):
    return Team(city, people)


@pytest.fixture
def configurer(city):
    """An administrator of the city (an ADMIN post at the city, not a superuser)."""
    user = UserFactory(username="c_admin")
    post_assign(actor=SYSTEM, user=user, kind=PostKind.ADMIN, node=city.city)
    return user


@pytest.fixture
def other_city(db):
    """A second city beside the test city, with one grid and one petition being handled in it
    (classified Tue 1 Sep 2026 10:00 with two working days: due Thu 3 Sep)."""
    from functools import partial

    from grids.models import NodeKind
    from grids.services import gridnode_create
    from hlgrid import workdays
    from petitions.models import Light, Petition, Source, Status
    from tests.factories import rect

    create = partial(gridnode_create, actor=SYSTEM)
    node = create(
        parent=None, kind=NodeKind.CITY, code="Y", name="乙市", boundary=rect(130.0, 43.0, 130.1, 43.1)
    )
    street = create(
        parent=node, kind=NodeKind.STREET, code="Y-A", name="乙街道", boundary=rect(130.0, 43.0, 130.1, 43.1)
    )
    community = create(
        parent=street,
        kind=NodeKind.COMMUNITY,
        code="Y-A1",
        name="乙社区",
        boundary=rect(130.0, 43.0, 130.1, 43.1),
    )
    grid = create(
        parent=community,
        kind=NodeKind.GRID,
        code="Y-A1-1",
        name="乙网格",
        boundary=rect(130.0, 43.0, 130.1, 43.1),
    )
    start, due = datetime(2026, 9, 1, 10, tzinfo=LOCAL), datetime(2026, 9, 3, 10, tzinfo=LOCAL)
    petition = Petition.objects.create(
        tracking_code="Y-0001",
        status=Status.HANDLING,
        source=Source.HOTLINE,
        description="乙市的诉求",
        grid=grid,
        step="HANDLE",
        step_started_at=start,
        due_at=due,
        handle_due_at=due,
        warn_at=workdays.warn_before(start, due),
        light=Light.GREEN,
        received_at=start,
    )
    node.petition = petition
    return node
