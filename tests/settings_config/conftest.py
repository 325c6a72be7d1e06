import pytest

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
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
