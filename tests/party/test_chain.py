"""The five-level chain: kinds under the right parent, territory inside the parent's, and a
household's chain in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from party import selectors
from party.models import MemberRole, OrgKind, PartyOrganization
from party.services.chain import member_add, org_create, org_delete, org_set_contacts
from tests.party import factories as pf
from tests.residents import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(city):
    return pf.Chain(city)


def _error(exc) -> tuple[str, str]:
    field, messages = next(iter(exc.value.errors.items()))
    return field, messages[0]


def test_the_chain_runs_from_the_working_committee_down_to_the_central_household(chain):
    assert [o.kind for o in chain.central.get_ancestors(include_self=True)] == [
        OrgKind.WORKING_COMMITTEE,
        OrgKind.GENERAL_BRANCH,
        OrgKind.GRID_BRANCH,
        OrgKind.BUILDING_GROUP,
        OrgKind.CENTRAL_HOUSEHOLD,
    ]


def test_each_organisation_is_anchored_at_the_lowest_grid_node_of_its_territory(chain, city):
    assert chain.committee.node == city.street_a
    assert chain.general.node == city.community_a
    assert chain.branch.node == city.community_a  # two grids: their community
    assert chain.group.node == city.grid_a1
    assert chain.central.node == city.grid_a1


def test_a_kind_under_the_wrong_parent_kind_is_refused_with_a_clear_error(chain, city):
    with pytest.raises(InvalidInput) as exc:
        org_create(
            actor=SYSTEM,
            parent=chain.committee,
            kind=OrgKind.GRID_BRANCH,
            code="X1",
            name="越级支部",
            grids=[city.grid_a1],
        )
    field, message = _error(exc)
    assert field == "kind"
    assert "Community Party general branch" in message and "Grid Party branch" in message


def test_only_a_working_committee_may_stand_at_the_top(city):
    with pytest.raises(InvalidInput) as exc:
        org_create(
            actor=SYSTEM,
            parent=None,
            kind=OrgKind.GENERAL_BRANCH,
            code="X2",
            name="总支",
            node=city.community_a,
        )
    assert _error(exc)[0] == "parent"


def test_nothing_goes_under_a_central_household(chain):
    with pytest.raises(InvalidInput) as exc:
        org_create(actor=SYSTEM, parent=chain.central, kind=OrgKind.CENTRAL_HOUSEHOLD, code="X3", name="x")
    assert _error(exc)[0] == "parent"


def test_a_working_committee_spans_a_street_node(city):
    with pytest.raises(InvalidInput) as exc:
        org_create(
            actor=SYSTEM,
            parent=None,
            kind=OrgKind.WORKING_COMMITTEE,
            code="X4",
            name="党工委",
            node=city.community_a,
        )
    assert _error(exc)[0] == "node"


def test_a_general_branch_over_a_community_of_another_street_is_refused(chain, city):
    with pytest.raises(InvalidInput) as exc:
        org_create(
            actor=SYSTEM,
            parent=chain.committee,
            kind=OrgKind.GENERAL_BRANCH,
            code="X5",
            name="乙总支",
            node=city.community_b,
        )
    field, message = _error(exc)
    assert field == "node" and city.community_b.name in message and chain.committee.name in message


def test_a_grid_branch_over_a_grid_outside_its_community_is_refused(chain, city):
    with pytest.raises(InvalidInput) as exc:
        org_create(
            actor=SYSTEM,
            parent=chain.general,
            kind=OrgKind.GRID_BRANCH,
            code="X6",
            name="跨界支部",
            grids=[city.grid_b1],
        )
    field, message = _error(exc)
    assert field == "grids" and city.grid_b1.name in message


def test_a_grid_belongs_to_one_grid_branch_only(chain, city):
    with pytest.raises(InvalidInput) as exc:
        org_create(
            actor=SYSTEM,
            parent=chain.general,
            kind=OrgKind.GRID_BRANCH,
            code="X7",
            name="重复支部",
            grids=[city.grid_a2],
        )
    field, message = _error(exc)
    assert field == "grids" and chain.branch.name in message


def test_a_building_group_over_a_building_outside_its_branchs_grids_is_refused(chain, city):
    elsewhere = rf.household(city.grid_b1, building="9").unit.building
    with pytest.raises(InvalidInput) as exc:
        org_create(
            actor=SYSTEM,
            parent=chain.branch,
            kind=OrgKind.BUILDING_GROUP,
            code="X8",
            name="外楼小组",
            buildings=[elsewhere],
        )
    assert _error(exc)[0] == "buildings"


def test_a_central_household_outside_its_groups_buildings_is_refused(chain, city):
    elsewhere = rf.household(city.grid_a2, building="5")
    with pytest.raises(InvalidInput) as exc:
        org_create(
            actor=SYSTEM,
            parent=chain.group,
            kind=OrgKind.CENTRAL_HOUSEHOLD,
            code="X9",
            name="外户",
            household=elsewhere,
        )
    assert _error(exc)[0] == "household"


def test_contacts_of_a_central_household_must_live_in_the_groups_buildings(chain, city):
    elsewhere = rf.household(city.grid_a2, building="6")
    with pytest.raises(InvalidInput) as exc:
        org_set_contacts(actor=SYSTEM, org=chain.central, households=[chain.neighbour, elsewhere])
    assert _error(exc)[0] == "contact_households"
    assert set(chain.central.contact_households.all()) == {chain.neighbour, chain.other}


def test_a_refused_organisation_leaves_the_tree_unchanged(chain, city):
    before = list(PartyOrganization.objects.order_by("pk").values_list("pk", "lft", "rght"))
    with pytest.raises(InvalidInput):
        org_create(
            actor=SYSTEM,
            parent=chain.general,
            kind=OrgKind.GRID_BRANCH,
            code="XX",
            name="x",
            grids=[city.grid_b2],
        )
    assert list(PartyOrganization.objects.order_by("pk").values_list("pk", "lft", "rght")) == before


def test_an_organisation_with_organisations_under_it_cannot_be_dissolved(chain):
    with pytest.raises(TransitionNotAllowed):
        org_delete(actor=SYSTEM, org=chain.group)
    org_delete(actor=SYSTEM, org=chain.central)
    assert not PartyOrganization.objects.filter(pk=chain.central.pk).exists()


def test_the_chain_of_a_household_names_group_branch_general_branch_and_committee(chain):
    names = [o.name for o in selectors.household_chain(household_id=chain.other.pk)]
    assert names == [
        chain.committee.name,
        chain.general.name,
        chain.branch.name,
        chain.group.name,
        chain.central.name,
    ]


def test_a_household_outside_any_group_is_looked_after_by_its_grid_branch(chain, city):
    loose = rf.household(city.grid_a2, building="7")
    kinds = [o.kind for o in selectors.household_chain(household_id=loose.pk)]
    assert kinds == [OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.GRID_BRANCH]


def test_a_household_of_a_grid_without_a_branch_has_no_chain(chain, city):
    assert selectors.household_chain(household_id=rf.household(city.grid_b1).pk) == []


def _grow(chain, city, n: int) -> None:
    """More streets' worth of organisations and more households in the same building."""
    for i in range(n):
        rf.household(city.grid_a1, building="1", unit="3", door=f"{i + 1}01")
    for i in range(n):
        household = rf.household(city.grid_a1, building=f"{20 + i}")
        group = org_create(
            actor=SYSTEM,
            parent=chain.branch,
            kind=OrgKind.BUILDING_GROUP,
            code=f"G{i}",
            name=f"小组{i}",
            buildings=[household.unit.building],
        )
        org_create(
            actor=SYSTEM,
            parent=group,
            kind=OrgKind.CENTRAL_HOUSEHOLD,
            code=f"C{i}",
            name=f"中心户{i}",
            household=household,
        )


def test_the_chain_of_a_household_takes_one_query_at_any_size(chain, city):
    with CaptureQueriesContext(connection) as small:
        assert len(selectors.household_chain(household_id=chain.other.pk)) == 5
    _grow(chain, city, 12)
    with CaptureQueriesContext(connection) as large:
        assert len(selectors.household_chain(household_id=chain.other.pk)) == 5
    assert len(small.captured_queries) == len(large.captured_queries) == 1


def test_the_chain_api_takes_the_same_number_of_queries_at_two_sizes(chain, city, people, api_client):
    api_client.force_authenticate(people.worker)
    url = f"/api/v1/party/chain/{chain.other.pk}/"
    with CaptureQueriesContext(connection) as small:
        assert api_client.get(url).status_code == 200
    _grow(chain, city, 10)
    with CaptureQueriesContext(connection) as large:
        response = api_client.get(url)
    assert response.status_code == 200
    assert [o["kind"] for o in response.json()["chain"]][-1] == OrgKind.CENTRAL_HOUSEHOLD
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_resident_member_must_be_a_party_member_living_in_the_territory(chain, city):
    member = member_add(
        actor=SYSTEM, organization=chain.branch, resident=pf.party_resident(chain.home, name="党员甲")
    )
    assert member.name == "党员甲"
    with pytest.raises(InvalidInput) as exc:
        member_add(actor=SYSTEM, organization=chain.branch, resident=rf.resident(chain.home, name="群众"))
    assert _error(exc)[0] == "resident"
    far = pf.party_resident(rf.household(city.grid_b1), name="乙街党员")
    with pytest.raises(InvalidInput) as exc:
        member_add(actor=SYSTEM, organization=chain.branch, resident=far)
    assert _error(exc)[0] == "resident"


def test_an_organisation_has_one_secretary(chain):
    pf.secretary(chain.branch)
    with pytest.raises(InvalidInput) as exc:
        member_add(actor=SYSTEM, organization=chain.branch, name="第二书记", role=MemberRole.SECRETARY)
    assert _error(exc)[0] == "role"
