import pytest

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from tests.evaluation import factories
from tests.factories import UserFactory


@pytest.fixture
def world(city, people):
    """The small city's personas, a second worker in grid A-1, a street head of street A,
    a worker in grid A-2, and posts held for years."""
    people.colleague = factories.worker_in(city.grid_a1, "p_colleague")
    people.a2_worker = factories.worker_in(city.grid_a2, "p_a2_worker")
    people.street_head = UserFactory(username="p_street_head")
    post_assign(actor=SYSTEM, user=people.street_head, kind=PostKind.HEAD, node=city.street_a)
    factories.backdate_posts()
    people.city = city
    return people
