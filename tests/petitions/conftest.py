import pytest

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from tests.factories import DepartmentFactory, UserFactory
from tests.petitions.factories import garbage_category


class Team:
    """Beyond the shared personas: the community head (above grid A-1), department staff."""

    def __init__(self, city, people):
        self.department = DepartmentFactory(code="CG", name="城管局")
        self.other_department = DepartmentFactory(code="SW", name="水务局")
        self.category = garbage_category(self.department)
        self.community_head = UserFactory(username="p_roadhead", email="roadhead@example.org")
        post_assign(actor=SYSTEM, user=self.community_head, kind=PostKind.HEAD, node=city.community_a)
        self.street_head = UserFactory(username="p_streethead")
        post_assign(actor=SYSTEM, user=self.street_head, kind=PostKind.HEAD, node=city.street_a)
        self.dept = UserFactory(username="p_dept")
        post_assign(
            actor=SYSTEM, user=self.dept, kind=PostKind.DEPARTMENT, node=city.city, department=self.department
        )
        self.worker2 = UserFactory(username="p_worker2")
        post_assign(actor=SYSTEM, user=self.worker2, kind=PostKind.WORKER, node=city.grid_a1)


@pytest.fixture
def team(city, people):
    return Team(city, people)
