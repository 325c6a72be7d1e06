"""The demo city carries Helong's numbers for the Party chain and the two drives."""

import pytest
from django.db.models import Count

from grids.models import GridNode, NodeKind
from party import selectors
from party.models import (
    Alliance,
    EntryKind,
    InServiceMember,
    JointProject,
    MemberUnit,
    OrgKind,
    PartyOrganization,
    PointsEntry,
    ServiceItem,
    ServiceWindow,
    SocialWorker,
    Volunteer,
)
from residents.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(helong):
    """The shared demo city (tests/demo.py) and what loading it printed."""
    return helong


def test_the_demo_has_helongs_party_numbers_and_a_sound_chain(demo):
    kinds = dict(PartyOrganization.objects.order_by().values_list("kind").annotate(n=Count("*")))
    assert kinds[OrgKind.WORKING_COMMITTEE] == 3
    assert kinds[OrgKind.GENERAL_BRANCH] == 10
    assert kinds[OrgKind.GRID_BRANCH] == 52
    assert kinds[OrgKind.BUILDING_GROUP] > 0 and kinds[OrgKind.CENTRAL_HOUSEHOLD] > 0
    covered = PartyOrganization.grids.through.objects.values("gridnode").distinct().count()
    assert covered == GridNode.objects.filter(kind=NodeKind.GRID).count() == 69
    assert PartyOrganization.grids.through.objects.count() == 69  # each grid in exactly one branch

    assert Alliance.objects.count() == 12
    assert MemberUnit.objects.count() == 108
    assert InServiceMember.objects.filter(grid__isnull=False, reported_at__isnull=False).count() == 2_141
    assert JointProject.objects.count() == 118
    names = " ".join(JointProject.objects.values_list("name", flat=True))
    assert "全民健身场馆建设" in names or "社区居家养老智慧服务" in names

    assert SocialWorker.objects.count() == 49
    assert ServiceItem.objects.count() == 52
    assert ServiceWindow.objects.count() == 3

    # a sound tree: every organisation's kind sits under the expected parent kind
    parents = dict(PartyOrganization.objects.values_list("pk", "kind"))
    expected = {
        OrgKind.GENERAL_BRANCH: OrgKind.WORKING_COMMITTEE,
        OrgKind.GRID_BRANCH: OrgKind.GENERAL_BRANCH,
        OrgKind.BUILDING_GROUP: OrgKind.GRID_BRANCH,
        OrgKind.CENTRAL_HOUSEHOLD: OrgKind.BUILDING_GROUP,
    }
    for kind, parent_id in PartyOrganization.objects.exclude(parent=None).values_list("kind", "parent_id"):
        assert parents[parent_id] == expected[kind]
    assert PartyOrganization.objects.filter(parent=None).count() == 3

    # every household has a chain up to its working committee
    household = Household.objects.order_by("pk").last()
    chain = selectors.household_chain(household_id=household.pk)
    assert chain[0].kind == OrgKind.WORKING_COMMITTEE and chain[2].kind == OrgKind.GRID_BRANCH

    # a year of activities with points: balances are the sums of the ledgers
    assert PointsEntry.objects.filter(kind=EntryKind.EARNED).count() > 1_000
    for volunteer in Volunteer.objects.order_by("-balance")[:20]:
        assert volunteer.balance == sum(volunteer.entries.values_list("points", flat=True))
    assert Volunteer.objects.filter(user__username="volunteer").exists()
    assert "volunteer" in demo
