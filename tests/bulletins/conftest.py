import datetime

import pytest
from django.utils import timezone

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from party.models import MemberRole, OrgKind
from party.services.chain import member_add, org_create
from tests.dashboards import data
from tests.factories import UserFactory

# The Monday morning after the dataset's week (data.NOW is Sunday 2026-03-15).
MONDAY = timezone.make_aware(datetime.datetime(2026, 3, 16, 7, 30))
WEEK_DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def world(city, people):
    """The small city with the dashboards' dataset, phones for the grid heads, a grid head in
    street B, and street A's Party working committee with its secretary's account."""
    data.build(city, people)
    people.gridhead.phone = "13800000001"
    people.gridhead.save(update_fields=["phone"])
    people.head_a2 = UserFactory(username="p_head_a2", phone="13800000002")
    post_assign(actor=SYSTEM, user=people.head_a2, kind=PostKind.HEAD, node=city.grid_a2)
    people.head_b1 = UserFactory(username="p_head_b1", phone="13800000003")
    post_assign(actor=SYSTEM, user=people.head_b1, kind=PostKind.HEAD, node=city.grid_b1)
    people.street_head = UserFactory(username="p_street_head_a", phone="13800000004")
    post_assign(actor=SYSTEM, user=people.street_head, kind=PostKind.HEAD, node=city.street_a)
    people.secretary = UserFactory(username="p_secretary_a", phone="13800000005")
    committee = org_create(
        actor=SYSTEM,
        parent=None,
        kind=OrgKind.WORKING_COMMITTEE,
        code="WC-A",
        name="A街道党工委",
        node=city.street_a,
    )
    member_add(
        actor=SYSTEM, organization=committee, name="书记甲", user=people.secretary, role=MemberRole.SECRETARY
    )
    people.city = city
    return people
